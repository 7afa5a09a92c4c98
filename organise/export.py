"""CSV export that streams: constant memory whatever the number of signatures."""

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime

from signatures.selectors import EXPORT_COLUMNS

HEADER = [c.replace("profession__key", "profession") for c in EXPORT_COLUMNS] + ["counted"]
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_stream(rows: Iterable[tuple]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read UTF-8 (Arabic names) correctly
    yield writer.writerow(HEADER)
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])
