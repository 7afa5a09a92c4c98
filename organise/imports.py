"""Founding names in bulk: read an owner's CSV or XLSX, and say what each row would do before
anything is sent (signatures/imports.py sends, once the owner confirms).

A row is validated exactly as "add on someone's behalf" validates one person (the same form),
so an import asks nobody anything a single addition would not. The header names its columns
by key (`name`, `email`, `profession`, `role`, `country`, `link`, `organisation`, `language`)
or by the sign form's label in any of the letter's languages; a profession by its key or its
name in any of them; a country by its code or its English, Arabic or French name.

Hostile files answer with words, never a 5xx: over MAX_ROWS rows or MAX_BYTES, not UTF-8, a
formula, a zip that would inflate past what a spreadsheet of that size can hold.
"""

import csv
import io
import zipfile

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from openpyxl import load_workbook

from ops.addresses import canonical_email
from petition.models import Letter
from signatures.models import ImportBatch, Signature

from .forms import AddOnBehalfForm

MAX_ROWS = 50_000
MAX_BYTES = 10 * 1024 * 1024
# An XLSX is a zip of XML: a real one inflates a few times over; a bomb, thousands of times.
MAX_INFLATED = 200 * 1024 * 1024
MAX_RATIO = 100

FIELDS = {
    "name": gettext_lazy("Full name"),
    "email": gettext_lazy("Email"),
    "profession": gettext_lazy("Profession"),
    "role": gettext_lazy("Role"),
    "country": gettext_lazy("Country"),
    "link": gettext_lazy("Link"),
    "organisation": gettext_lazy("Organisation"),
    "language": gettext_lazy("Language"),
}
REQUIRED = ("name", "email", "profession")


class Refused(Exception):
    """The whole file is refused; the message says why, in the owner's language."""


def _fold(text: str) -> str:
    return " ".join(str(text).replace("*", " ").split()).casefold()


def read_table(upload) -> list[list[str]]:
    """The file's rows (the header first), as text, from a CSV or an XLSX."""
    if upload.size > MAX_BYTES:
        raise Refused(_("The file is over 10 MB. Split it, or keep only the columns needed."))
    head = upload.read(4)
    upload.seek(0)
    if head == b"PK\x03\x04":
        return _read_xlsx(upload)
    return _read_csv(upload.read())


def _read_csv(raw: bytes) -> list[list[str]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Refused(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” (or as XLSX) and try again.")
        ) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise Refused(_("The file has more than 50,000 rows. Split it in parts."))
    except csv.Error as exc:
        raise Refused(_("The file could not be read as CSV: %(why)s") % {"why": exc}) from exc
    for number, row in enumerate(rows[1:], start=2):
        if any(cell.startswith("=") for cell in row):
            raise Refused(
                _("Row %(row)s holds a formula. Paste the values only, and try again.")
                % {"row": number}
            )
    return rows


def _read_xlsx(upload) -> list[list[str]]:
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
        inflated = sum(member.file_size for member in members)
        if inflated > MAX_INFLATED or inflated > MAX_RATIO * max(upload.size, 1) + 1_000_000:
            raise Refused(_("The file inflates to far more than a spreadsheet holds: refused."))
        upload.seek(0)
        book = load_workbook(upload, read_only=True, data_only=False)
        sheet = book.worksheets[0]
        rows = []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            if len(rows) > MAX_ROWS + 1:
                raise Refused(_("The file has more than 50,000 rows. Split it in parts."))
            values = []
            for cell in cells:
                if cell.data_type == "f":
                    raise Refused(
                        _("Row %(row)s holds a formula. Paste the values only, and try again.")
                        % {"row": number}
                    )
                values.append("" if cell.value is None else str(cell.value).strip())
            rows.append(values)
        book.close()
    except Refused:
        raise
    except Exception as exc:  # noqa: BLE001 - any way a broken XLSX fails: the same answer
        raise Refused(_("The file could not be read as XLSX. Save it again and retry.")) from exc
    return rows


def _header(header: list[str], letter: Letter) -> dict[int, str]:
    """Column index → field, from keys or labels in any of the letter's languages."""
    names = {}
    for language in {"en", *letter.languages()}:
        with translation.override(language):
            names |= {_fold(label): key for key, label in FIELDS.items()}
    names |= {key: key for key in FIELDS}
    columns = {}
    for index, title in enumerate(header):
        field = names.get(_fold(title))
        if field and field not in columns.values():
            columns[index] = field
    missing = [key for key in REQUIRED if key not in columns.values()]
    if missing:
        raise Refused(
            _("The first row must name the columns; missing: %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    return columns


class _Values:
    """What a row's words mean: professions and countries by any of their names."""

    def __init__(self, letter: Letter):
        self.professions = {}
        for profession in letter.professions.all():
            self.professions[_fold(profession.key)] = profession.key
            for language in {"en", *letter.languages()}:
                self.professions[_fold(profession.label(language))] = profession.key
        self.countries = {}
        for language in ("en", "ar", "fr"):
            with translation.override(language):
                self.countries |= {_fold(name): code for code, name in countries}
        self.countries |= {_fold(code): code for code in countries.countries}
        self.languages = {code for code, _name in settings.LANGUAGES}
        self.default_language = letter.language if letter.language in self.languages else "en"

    def form_data(self, row: dict[str, str]) -> dict[str, str]:
        profession = row.get("profession", "")
        country = row.get("country", "")
        language = row.get("language", "").strip().lower()
        return {
            "name": row.get("name", ""),
            "email": row.get("email", ""),
            "profession": self.professions.get(_fold(profession), profession),
            "role": row.get("role", ""),
            "country": self.countries.get(_fold(country), country) if country else "",
            "link": row.get("link", ""),
            "show_name": "on",
            "language": language or self.default_language,
        }


def preview(*, letter: Letter, upload, actor) -> ImportBatch:
    """Read the file and decide every row's outcome: "invite", "on_letter" (this address
    already signed or was added), "invited" (an earlier import or addition asked them),
    "repeated" (the same address higher up this file) or "error" (why, in words)."""
    table = read_table(upload)
    if not table:
        raise Refused(_("The file is empty."))
    columns = _header(table[0], letter)
    body = [row for row in table[1:] if any(cell.strip() for cell in row)]
    if not body:
        raise Refused(_("The file has a header and no one under it."))
    # One query for the professions, whatever the rows (each row's form reads them).
    letter = Letter.objects.prefetch_related("professions", "texts").get(pk=letter.pk)
    values = _Values(letter)
    rows = [
        {field: (cells[i].strip() if i < len(cells) else "") for i, field in columns.items()}
        for cells in body
    ]
    keys = {canonical_email(row.get("email", "")) for row in rows if "@" in row.get("email", "")}
    known = dict(
        Signature.objects.filter(letter=letter, email_key__in=keys).values_list(
            "email_key", "added_by_id"
        )
    )
    outcomes, seen = [], set()
    # One form, cleaned again for each row: building one a row (its ~250 countries' choices
    # normalised each time) was 85 % of a preview's time.
    form = AddOnBehalfForm({}, letter=letter, check_existing=False)
    for number, row in enumerate(rows, start=2):
        shown = {"row": number, "email": row.get("email", ""), "name": row.get("name", "")}
        form.data, form._errors = values.form_data(row), None  # noqa: SLF001 - re-validate
        if not form.is_valid():
            why = "; ".join(
                f"{form.fields[name].label}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            )
            outcomes.append({**shown, "outcome": "error", "error": why})
            continue
        data = form.cleaned_data
        key = canonical_email(data["email"])
        if key in known:
            outcome = "invited" if known[key] else "on_letter"
        elif key in seen:
            outcome = "repeated"
        else:
            outcome = "invite"
            seen.add(key)
        entry = {**shown, "outcome": outcome}
        if outcome == "invite":
            organisation = row.get("organisation", "").strip()
            entry["data"] = {
                **{k: v for k, v in data.items() if k != "profession"},
                "profession": data["profession"],
                "country": str(data.get("country") or ""),
                "signing_as": "organisation" if organisation else "person",
                "organisation": organisation[:200],
            }
        outcomes.append(entry)
    counts = {}
    for entry in outcomes:
        counts[entry["outcome"]] = counts.get(entry["outcome"], 0) + 1
    return ImportBatch.objects.create(
        letter=letter,
        actor=actor,
        file_name=(getattr(upload, "name", "") or "upload")[:200],
        rows=outcomes,
        counts=counts,
    )
