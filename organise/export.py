"""Exports in constant memory whatever the number of signatures: CSV streamed as it is
written, and XLSX (openpyxl's write-only mode) written row by row to a temporary file, then
streamed from it."""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ops.spreadsheets import FORMULA_STARTS, defused
from signatures.selectors import EXPORT_COLUMNS

# The profession's key and its name; the updates consent ("updates": true or false) and when
# it was given or withdrawn, for an organiser moving the list to a mailing tool.
_NAMES = {"profession__key": "profession_key", "profession__labels": "profession"}
HEADER = [_NAMES.get(c, c) for c in EXPORT_COLUMNS] + ["counted"]


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
    return defused(text)


def csv_stream(rows: Iterable[tuple]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read UTF-8 (Arabic names) correctly
    yield writer.writerow(HEADER)
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def _xlsx_value(sheet, value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones: UTC
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula (openpyxl reads "=…" as one)
        return cell
    return value


def xlsx_stream(rows: Iterable[tuple], *, title: str, chunk: int = 1 << 16) -> Iterator[bytes]:
    """The rows as an .xlsx workbook: written to a temporary file when the response starts
    being sent (nothing is built for a response never read), then streamed from it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(HEADER)
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    with tempfile.SpooledTemporaryFile(max_size=1 << 20) as output:
        workbook.save(output)
        output.seek(0)
        while data := output.read(chunk):
            yield data
