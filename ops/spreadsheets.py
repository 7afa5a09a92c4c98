"""Text bound for a spreadsheet (the organisers' export, the public open data)."""

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defused(text: str) -> str:
    """The text, shown as text by a spreadsheet: a leading quote before a formula start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
