"""Exact, cheap counters.

Every change of whether a signature counts writes a TallyChange row in the same transaction
as the change itself (an insert: no lock on the hot letter row). `tally_fold` moves those rows
into Tally and ProfessionTally with one UPDATE each, under a row lock on the letter's Tally,
deleting exactly the rows it added (DELETE … RETURNING). `tally_recount` repairs any drift
from the signature rows themselves. Reads never count signatures.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from petition.models import Profession

from .models import ProfessionTally, Signature, Tally, TallyChange
from .selectors import forget_letter_count

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Standing:
    """What a signature contributed to the counters at one moment."""

    counts: bool
    notable: bool
    profession_id: int

    @classmethod
    def of(cls, signature: Signature) -> "Standing":
        return cls(
            signature.counts, signature.counts and signature.notable, signature.profession_id
        )


def tally_changes(*, signature: Signature, before: Standing) -> list[TallyChange]:
    """The journal rows for the difference between `before` and the signature's standing now."""
    after = Standing.of(signature)
    rows = []
    if after == before:
        return rows
    if before.counts:
        rows.append(
            TallyChange(
                letter_id=signature.letter_id,
                profession_id=before.profession_id,
                total=-1,
                notable=-int(before.notable),
            )
        )
    if after.counts:
        rows.append(
            TallyChange(
                letter_id=signature.letter_id,
                profession_id=after.profession_id,
                total=1,
                notable=int(after.notable),
            )
        )
    return rows


def tally_record(*, signature: Signature, before: Standing) -> bool:
    """Journal the change; call inside the transaction that changed the signature. Returns
    whether it changed what the signature contributes."""
    rows = tally_changes(signature=signature, before=before)
    TallyChange.objects.bulk_create(rows)
    return bool(rows)


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
                f"DELETE FROM {table} WHERE letter_id = %s RETURNING profession_id, total, notable",
                [letter_id],
            )
            rows = cursor.fetchall()
        if not rows:
            return 0
        by_profession: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for profession_id, total, notable in rows:
            by_profession[profession_id][0] += total
            by_profession[profession_id][1] += notable
        for profession_id, (total, notable) in by_profession.items():
            if total or notable:
                ProfessionTally.objects.get_or_create(
                    letter_id=letter_id, profession_id=profession_id
                )
                ProfessionTally.objects.filter(
                    letter_id=letter_id, profession_id=profession_id
                ).update(total=F("total") + total, notable=F("notable") + notable)
        Tally.objects.filter(letter_id=letter_id).update(
            total=F("total") + sum(v[0] for v in by_profession.values()),
            notable=F("notable") + sum(v[1] for v in by_profession.values()),
            updated_at=timezone.now(),
        )
        transaction.on_commit(lambda: forget_letter_count(letter_id=letter_id))
    return len(rows)


def letters_with_pending_changes() -> list[int]:
    return list(TallyChange.objects.values_list("letter_id", flat=True).distinct())


def tally_recount(*, letter_id: int) -> int:
    """Set the counters from the signature rows; returns how far they had drifted (sum of
    absolute differences). Journalled changes not yet folded stay in the journal."""
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
            pending_total=scalar(pending, Sum("total")),
            pending_notable=scalar(pending, Sum("notable")),
        )
        existing = {
            row.profession_id: row for row in ProfessionTally.objects.filter(letter_id=letter_id)
        }
        grand_total = grand_notable = 0
        for profession in professions:
            total = profession.true_total - profession.pending_total
            notable = profession.true_notable - profession.pending_notable
            grand_total += total
            grand_notable += notable
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
        if (tally.total, tally.notable) != (grand_total, grand_notable):
            Tally.objects.filter(letter_id=letter_id).update(
                total=grand_total, notable=grand_notable, updated_at=timezone.now()
            )
        if drift:
            transaction.on_commit(lambda: forget_letter_count(letter_id=letter_id))
    if drift:
        log.warning("recount: letter %s counters had drifted by %s; repaired", letter_id, drift)
    return drift
