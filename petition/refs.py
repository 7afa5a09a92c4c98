"""The `?ref=` a share link carries: what may be kept of it."""

import re

_REF = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def clean_ref(value: str | None) -> str:
    """A lower-case code of letters, digits, - and _ (at most 40), or "" for anything else:
    a bad ref is dropped, never an error that could cost a signature."""
    value = (value or "").strip().lower()
    return value if _REF.fullmatch(value) else ""
