"""The count pipeline, top to bottom: journal → fold → recount → cached reads.

Invariant: a letter's counters plus its unfolded journal rows equal what its signature rows
say counts (`Signature.objects.counted()`, the one definition of what counts).

1. Journal. Every change of what a signature contributes writes TallyChange rows in the same
   transaction as the change (`counted_change` for one row, `tally_changes` for a batch): an
   INSERT, so signing never waits on the hot letter row.
2. Fold. `tally_fold` moves a letter's journal into Tally, ProfessionTally and CountryTally
   with one UPDATE each under a row lock, deleting exactly the rows it added (DELETE …
   RETURNING). With a worker, the first change of each COUNT_FOLD_WINDOW_SECONDS schedules
   one fold at the window's end (its own `counts` queue, so email never delays the count);
   beat folds every letter every COUNT_FOLD_SWEEP_SECONDS in case a message was lost.
   In-process: at once.
3. Recount. `tally_recount` sets the counters from the rows themselves, hourly and by
   `manage.py recount`, and logs any drift it repairs.
4. Reads. `letter_count` is two indexed reads whatever the number of signatures;
   `letter_count_json` keeps the count API's body in the cache until the next fold.
"""

import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ops.queue import enqueue_once_per_window
from petition.models import Letter, Profession

from .models import CountryTally, ProfessionTally, Signature, Tally, TallyChange

# What the count API's "organisations" counts, among counted signatures.
VERIFIED_ORGANISATION = Q(signing_as=Signature.SigningAs.ORGANISATION, organisation_verified=True)

log = logging.getLogger(__name__)

COUNTS_QUEUE = "counts"


# 1. Journal ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """What a signature contributed to the counters at one moment."""

    counts: bool
    notable: bool
    profession_id: int
    organisation: bool = False  # a verified organisation (the count API's "organisations")
    country: str = ""  # the country it gave ("": none), for by_country

    @classmethod
    def of(cls, signature: Signature) -> "Standing":
        counts = signature.counts
        return cls(
            counts,
            counts and signature.notable,
            signature.profession_id,
            counts and signature.is_organisation and signature.organisation_verified,
            str(signature.country.code or "") if signature.country else "",
        )


def tally_changes(*, signature: Signature, before: Standing) -> list[TallyChange]:
    """The journal rows for the difference between `before` and the signature's standing now."""
    after = Standing.of(signature)
    if after == before:
        return []
    rows = []
    for standing, sign in ((before, -1), (after, 1)):
        if standing.counts:
            rows.append(
                TallyChange(
                    letter_id=signature.letter_id,
                    profession_id=standing.profession_id,
                    total=sign,
                    notable=sign * int(standing.notable),
                    organisations=sign * int(standing.organisation),
                    country=standing.country,
                )
            )
    return rows


@contextmanager
def counted_change(signature: Signature) -> Iterator[None]:
    """Snapshot what the signature counts for, let the caller change and save the row, then
    journal the difference and schedule a fold once the transaction commits. Every state
    change of a single signature goes through here."""
    assert transaction.get_connection().in_atomic_block, "journal in the change's transaction"
    before = Standing.of(signature)
    yield
    rows = tally_changes(signature=signature, before=before)
    if rows:
        TallyChange.objects.bulk_create(rows)
        letter_id = signature.letter_id
        transaction.on_commit(lambda: schedule_tally_fold(letter_id))


# 2. Fold ------------------------------------------------------------------------------------


def _locked_tally(letter_id: int) -> Tally:
    Tally.objects.get_or_create(letter_id=letter_id)
    return Tally.objects.select_for_update().get(letter_id=letter_id)


def tally_fold(*, letter_id: int) -> int:
    """Add the journalled changes of one letter into its counters. Returns rows folded."""
    table = TallyChange._meta.db_table
    with transaction.atomic():
        _locked_tally(letter_id)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE letter_id = %s "
                "RETURNING profession_id, total, notable, organisations, country",
                [letter_id],
            )
            rows = cursor.fetchall()
        if not rows:
            return 0
        by_profession: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        by_country: dict[str, int] = defaultdict(int)
        organisations = 0
        for profession_id, total, notable, organisation, country in rows:
            by_profession[profession_id][0] += total
            by_profession[profession_id][1] += notable
            organisations += organisation
            if country:
                by_country[country] += total
        for profession_id, (total, notable) in by_profession.items():
            if total or notable:
                ProfessionTally.objects.get_or_create(
                    letter_id=letter_id, profession_id=profession_id
                )
                ProfessionTally.objects.filter(
                    letter_id=letter_id, profession_id=profession_id
                ).update(total=F("total") + total, notable=F("notable") + notable)
        for country, total in by_country.items():
            if total:
                CountryTally.objects.get_or_create(letter_id=letter_id, country=country)
                CountryTally.objects.filter(letter_id=letter_id, country=country).update(
                    total=F("total") + total
                )
        Tally.objects.filter(letter_id=letter_id).update(
            total=F("total") + sum(v[0] for v in by_profession.values()),
            notable=F("notable") + sum(v[1] for v in by_profession.values()),
            organisations=F("organisations") + organisations,
            updated_at=timezone.now(),
        )
        transaction.on_commit(lambda: forget_letter_count(letter_id=letter_id))
    return len(rows)


def tally_fold_all() -> int:
    letter_ids = TallyChange.objects.values_list("letter_id", flat=True).distinct()
    return sum(tally_fold(letter_id=letter_id) for letter_id in list(letter_ids))


def unfolded_since() -> datetime | None:
    """When the oldest change not yet in the counters was made (None: the count is current).
    /healthz reports its age, so monitoring sees a count that stopped moving."""
    return TallyChange.objects.aggregate(oldest=Min("created_at"))["oldest"]


@shared_task(queue=COUNTS_QUEUE)
def tally_fold_task(letter_id: int) -> int:
    return tally_fold(letter_id=letter_id)


@shared_task(queue=COUNTS_QUEUE)
def tally_fold_all_task() -> int:
    return tally_fold_all()


def schedule_tally_fold(letter_id: int) -> None:
    """Fold soon. With a worker, the first change of a COUNT_FOLD_WINDOW_SECONDS window
    schedules one fold at its end, which takes every change of the window. In-process (no
    Redis) fold at once. Beat's fold-all repairs a lost message."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        tally_fold(letter_id=letter_id)
        return
    enqueue_once_per_window(tally_fold_task, letter_id, window=settings.COUNT_FOLD_WINDOW_SECONDS)


# 3. Recount ---------------------------------------------------------------------------------


def tally_recount(*, letter_id: int, first_count: bool = False) -> int:
    """Set the counters from the signature rows; returns how far they had drifted (sum of
    absolute differences). Journalled changes not yet folded stay in the journal.
    `first_count`: rows were written directly (the demo seed), so a difference is expected
    and is no drift to warn about."""
    counted = Signature.objects.counted().filter(letter_id=letter_id, profession=OuterRef("pk"))
    pending = TallyChange.objects.filter(letter_id=letter_id, profession=OuterRef("pk"))

    def scalar(qs, expression):
        return Coalesce(
            Subquery(qs.values("profession").annotate(v=expression).values("v")[:1]),
            Value(0),
            output_field=IntegerField(),
        )

    drift = 0
    with transaction.atomic():
        tally = _locked_tally(letter_id)
        # One statement, so rows and journal are read from one snapshot: the true count
        # minus what the journal will still add is what the counters must hold now.
        professions = Profession.objects.filter(letter_id=letter_id).annotate(
            true_total=scalar(counted, Count("pk")),
            true_notable=scalar(counted, Count("pk", filter=Q(notable=True))),
            true_organisations=scalar(counted, Count("pk", filter=VERIFIED_ORGANISATION)),
            pending_total=scalar(pending, Sum("total")),
            pending_notable=scalar(pending, Sum("notable")),
            pending_organisations=scalar(pending, Sum("organisations")),
        )
        existing = {
            row.profession_id: row for row in ProfessionTally.objects.filter(letter_id=letter_id)
        }
        grand_total = grand_notable = grand_organisations = 0
        for profession in professions:
            total = profession.true_total - profession.pending_total
            notable = profession.true_notable - profession.pending_notable
            grand_total += total
            grand_notable += notable
            grand_organisations += profession.true_organisations - profession.pending_organisations
            row = existing.get(profession.pk)
            if row is None:
                if total or notable:
                    ProfessionTally.objects.create(
                        letter_id=letter_id, profession=profession, total=total, notable=notable
                    )
                    drift += abs(total) + abs(notable)
            elif (row.total, row.notable) != (total, notable):
                drift += abs(row.total - total) + abs(row.notable - notable)
                ProfessionTally.objects.filter(pk=row.pk).update(total=total, notable=notable)
        grand = (grand_total, grand_notable, grand_organisations)
        if (tally.total, tally.notable, tally.organisations) != grand:
            drift += abs(tally.organisations - grand_organisations)
            Tally.objects.filter(letter_id=letter_id).update(
                total=grand_total,
                notable=grand_notable,
                organisations=grand_organisations,
                updated_at=timezone.now(),
            )
        drift += _recount_countries(letter_id)
        if drift:
            transaction.on_commit(lambda: forget_letter_count(letter_id=letter_id))
    if drift and not first_count:
        log.warning("recount: letter %s counters had drifted by %s; repaired", letter_id, drift)
    return drift


def _recount_countries(letter_id: int) -> int:
    """CountryTally from the rows, in the recount's snapshot: counted rows by country less
    what the journal will still add. Returns the drift repaired."""
    counted = (
        Signature.objects.counted()
        .filter(letter_id=letter_id)
        .exclude(country="")
        .values_list("country")
        .annotate(n=Count("pk"))
    )
    pending = (
        TallyChange.objects.filter(letter_id=letter_id)
        .exclude(country="")
        .values_list("country")
        .annotate(n=Sum("total"))
    )
    should = defaultdict(int, {country: n for country, n in counted})
    for country, n in pending:
        should[country] -= n
    rows = dict(CountryTally.objects.filter(letter_id=letter_id).values_list("country", "total"))
    drift = 0
    for country in set(should) | set(rows):
        want, have = should.get(country, 0), rows.get(country)
        if have is None and want:
            CountryTally.objects.create(letter_id=letter_id, country=country, total=want)
            drift += abs(want)
        elif have is not None and have != want:
            CountryTally.objects.filter(letter_id=letter_id, country=country).update(total=want)
            drift += abs(have - want)
    return drift


@shared_task(queue=COUNTS_QUEUE)
def tally_recount_all_task() -> int:
    return sum(tally_recount(letter_id=pk) for pk in Letter.objects.values_list("pk", flat=True))


# 4. Reads -----------------------------------------------------------------------------------


@dataclass
class LetterCount:
    slug: str
    signatures: int = 0
    notable: int = 0
    organisations: int = 0
    by_profession: dict[str, int] = field(default_factory=dict)
    by_country: dict[str, int] = field(default_factory=dict)
    updated_at: datetime | None = None

    def as_json(self) -> dict:
        return {
            "slug": self.slug,
            "signatures": self.signatures,
            "notable": self.notable,
            "organisations": self.organisations,
            "by_profession": self.by_profession,
            "by_country": self.by_country,
            "updated_at": (self.updated_at or timezone.now()).isoformat(),
        }


def letter_count(*, letter: Letter) -> LetterCount:
    """The counters of one letter: three indexed reads, whatever the number of signatures."""
    count = LetterCount(slug=letter.slug, updated_at=letter.created_at)
    tally = Tally.objects.filter(letter=letter).first()
    if tally is not None:
        count.signatures, count.notable, count.organisations, count.updated_at = (
            tally.total,
            tally.notable,
            tally.organisations,
            tally.updated_at,
        )
    totals = dict(
        ProfessionTally.objects.filter(letter=letter).values_list("profession__key", "total")
    )
    count.by_profession = {
        key: totals.get(key, 0) for key in letter.professions.values_list("key", flat=True)
    }
    countries = CountryTally.objects.filter(letter=letter, total__gt=0).order_by(
        "-total", "country"
    )
    count.by_country = dict(countries.values_list("country", "total"))
    return count


def _count_cache_key(slug: str) -> str:
    return f"letter-count:v3:{slug}"  # v3: with "by_country"


def letter_count_json(*, slug: str) -> dict | None:
    """The count API's body, from the cache when it can be: a hot letter's count is read by
    every watcher every second. Folds delete the entry when they commit; the short lifetime
    (COUNT_CACHE_SECONDS) bounds the rare race where a read computed just before a fold
    stores a stale value."""
    key = _count_cache_key(slug)
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not take the count down
        cached = None
    if cached is not None:
        return cached
    letter = Letter.objects.filter(slug=slug).first()
    if letter is None:
        return None
    body = letter_count(letter=letter).as_json()
    try:
        cache.set(key, body, settings.COUNT_CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        log.warning("cache unavailable: count of %s not cached", slug)
    return body


def forget_letter_count(*, letter_id: int) -> None:
    slug = Letter.objects.filter(pk=letter_id).values_list("slug", flat=True).first()
    if slug is None:
        return
    try:
        cache.delete(_count_cache_key(slug))
    except Exception:  # noqa: BLE001 - it expires by itself within COUNT_CACHE_SECONDS
        log.warning("cache unavailable: count of %s not invalidated", slug)
