"""The public list as open data: `/letters/<slug>/signatures.csv`, every listed signer of a
public letter (people listed by name, and verified organisations), never an email.

The file is written to disk at most every OPEN_DATA_MAX_AGE_SECONDS per web host and served
from there, so 100,000 downloads of a 100,000-name letter cost one pass over its rows, not
100,000 (bench/open_data.py measures the pass). Written row by row from a server-side
cursor (constant memory) into a temporary file and renamed into place, so a reader never
sees half a file; one writer at a time (a cache lock), the others serve the previous file.
"""

import csv
import logging
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from ops.spreadsheets import defused
from petition.models import Letter, pick_label

from .models import Signature

log = logging.getLogger(__name__)

COLUMNS = ["name", "profession", "role", "country", "organisation", "notable", "signed_at"]


def _cell(value) -> str:
    return defused("" if value is None else str(value))


def open_data_rows(letter: Letter):
    """The listed signers, oldest first: people listed by name and verified organisations."""
    listed = Signature.objects.listed() | Signature.objects.organisations()
    rows = (
        listed.filter(letter=letter)
        .order_by("pk")
        .values_list(
            "name",
            "profession__labels",
            "profession__key",
            "role",
            "country",
            "organisation",
            "signing_as",
            "notable",
            "signed_at",
        )
        .iterator(chunk_size=2000)
    )
    for name, labels, key, role, country, organisation, signing_as, notable, signed in rows:
        is_organisation = signing_as == Signature.SigningAs.ORGANISATION
        yield [
            name,
            pick_label(labels, letter.language, default=key),
            role,
            country or "",
            organisation if is_organisation else "",
            "true" if notable else "false",
            signed.isoformat(timespec="seconds"),
        ]


def _path(letter: Letter) -> Path:
    return Path(settings.VAR_DIR) / "open-data" / f"{letter.pk}-{letter.slug}.csv"


def open_data_file(letter: Letter) -> Path:
    """The letter's CSV on disk, written anew if it is older than the allowed age (or
    missing), by one process at a time."""
    path = _path(letter)
    max_age = settings.OPEN_DATA_MAX_AGE_SECONDS
    if path.exists() and time.time() - path.stat().st_mtime < max_age:
        return path
    lock = f"open-data:{letter.pk}"
    try:
        writer = cache.add(lock, 1, timeout=600)
    except Exception:  # noqa: BLE001 - without the cache, whoever asks writes it
        writer = True
    if not writer and path.exists():
        return path  # another process is writing it: the previous file meanwhile
    try:
        _write(letter, path)
    finally:
        if writer:
            try:
                cache.delete(lock)
            except Exception:  # noqa: BLE001
                log.warning("cache unavailable: open data lock of %s left to expire", letter.slug)
    return path


def _write(letter: Letter, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as output:
            output.write("\ufeff")  # so spreadsheet programs read UTF-8 (Arabic names) correctly
            writer = csv.writer(output)
            writer.writerow(COLUMNS)
            for row in open_data_rows(letter):
                writer.writerow([_cell(value) for value in row])
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
