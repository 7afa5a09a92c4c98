"""Founding names in bulk, once an owner has seen the preview (organise/imports.py): each row
to invite becomes a consent request exactly as "add on someone's behalf" makes one, so nobody
is listed or counted before they confirm from their own inbox, and declining erases them.

The requests are signatures like any other, emailed by the outbox in each person's language
and at the email worker's pace (a 10,000-name file does not hold up anyone signing). Inviting
is idempotent: an address already on the letter is never asked again, so a batch can be run
twice (a worker killed half-way, beat's sweep) and the same file imported twice invites
nobody twice. One reminder per invitee, ever, and none once they answered: declining erases
the row, confirming makes it no longer pending.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ops.addresses import canonical_email
from ops.queue import enqueue
from petition.audit import audit_record
from petition.models import AuditEntry, Letter, Profession

from .models import ImportBatch, Signature
from .outbox import email_request_on_commit
from .signing import signature_sign

log = logging.getLogger(__name__)

CHUNK = 500  # rows invited per transaction: progress shows as it goes


def import_confirm(*, batch: ImportBatch, actor) -> bool:
    """The owner confirmed the preview: audit it and start inviting. False if this batch was
    confirmed already (a second press, another tab)."""
    with transaction.atomic():
        started = ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.PREVIEWED).update(
            state=ImportBatch.State.SENDING
        )
        if not started:
            return False
        counts = batch.counts
        audit_record(
            letter=batch.letter,
            actor=actor,
            action=AuditEntry.Action.IMPORT,
            detail=(
                f"{batch.file_name}: {sum(counts.values())} rows; "
                + ", ".join(f"{outcome} {n}" for outcome, n in sorted(counts.items()))
            ),
        )
        transaction.on_commit(lambda: enqueue(import_invite_task, batch.pk))
    return True


@shared_task(ignore_result=True)
def import_invite_task(batch_id: int) -> None:
    import_invite(batch_id=batch_id)


def import_invite(*, batch_id: int) -> int:
    """Make the batch's consent requests, a chunk per transaction; returns how many this
    run made. Safe to run twice at once or again later: each chunk locks the batch row."""
    made = 0
    rows = ImportBatch.objects.filter(pk=batch_id).values_list("rows", flat=True).first() or []
    to_invite = [row for row in rows if row["outcome"] == "invite"]  # read once, not a chunk
    while True:
        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update(of=("self",))
                .defer("rows")
                .select_related("letter")
                .filter(pk=batch_id)
                .first()
            )
            if batch is None or batch.state != ImportBatch.State.SENDING:
                return made
            chunk = to_invite[batch.invited : batch.invited + CHUNK]
            if not chunk:
                batch.state = ImportBatch.State.DONE
                batch.save(update_fields=["state"])
                return made
            made += _invite(batch, chunk)
            batch.invited += len(chunk)
            batch.save(update_fields=["invited"])


def _invite(batch: ImportBatch, chunk: list[dict]) -> int:
    letter = batch.letter
    professions = {p.key: p for p in Profession.objects.filter(letter=letter)}
    actor = get_user_model().objects.filter(pk=batch.actor_id).first()
    keys = {canonical_email(row["data"]["email"]) for row in chunk}
    already = set(
        Signature.objects.filter(letter=letter, email_key__in=keys).values_list(
            "email_key", flat=True
        )
    )
    made = 0
    for row in chunk:
        data = dict(row["data"])
        if canonical_email(data["email"]) in already or data["profession"] not in professions:
            continue  # on the letter since the preview (or its profession since deleted)
        data["profession"] = professions[data["profession"]]
        signature_sign(
            letter=letter,
            data=data,
            language=data.get("language") or letter.language,
            added_by=actor,
            imported_in=batch,
        )
        made += 1
    return made


@shared_task(ignore_result=True)
def import_sweep_task() -> None:
    """Beat: finish any batch a lost message or a killed worker left half-invited."""
    for batch_id in ImportBatch.objects.filter(state=ImportBatch.State.SENDING).values_list(
        "pk", flat=True
    ):
        import_invite(batch_id=batch_id)


def import_progress(batch: ImportBatch) -> dict[str, int]:
    """How far a batch has gone: requests made, emails sent, and answers."""
    signatures = batch.signatures.all()
    return {
        "to_invite": batch.counts.get("invite", 0),
        "invited": batch.invited,
        "emailed": signatures.filter(emails_sent__gt=0).count(),
        "confirmed": signatures.filter(state=Signature.State.CONFIRMED).count(),
    }


def invitees_to_remind(*, letter: Letter) -> QuerySet[Signature]:
    """Invitees (imported or added on their behalf) who have neither confirmed nor declined
    for IMPORT_REMINDER_DAYS, and were never reminded."""
    since = timezone.now() - timedelta(days=settings.IMPORT_REMINDER_DAYS)
    return Signature.objects.filter(
        letter=letter,
        added_by__isnull=False,
        state=Signature.State.PENDING,
        reminded_at__isnull=True,
        signed_at__lte=since,
        emails_sent__gt=0,
    )


def invitees_remind(*, letter: Letter, actor) -> int:
    """Ask each of them once more, with the same consent email (and its decline link)."""
    now = timezone.now()
    with transaction.atomic():
        invitees = list(invitees_to_remind(letter=letter).select_for_update(skip_locked=True))
        for signature in invitees:
            signature.submitted = _as_asked(signature)
            signature.email_requested_at = now
            signature.reminded_at = now
        Signature.objects.bulk_update(
            invitees, ["submitted", "email_requested_at", "reminded_at"], batch_size=1000
        )
        if invitees:
            AuditEntry.objects.create(
                letter=letter,
                actor=actor,
                action=AuditEntry.Action.REMIND,
                signature_ids=[s.pk for s in invitees],
                changed=len(invitees),
            )
            email_request_on_commit()
    return len(invitees)


def _as_asked(signature: Signature) -> dict:
    """The request the organiser made, again: the outbox then sends the consent email (not a
    plain confirmation) with the details as they stand."""
    return {
        "name": signature.name,
        "profession": signature.profession_id,
        "role": signature.role,
        "country": str(signature.country or ""),
        "link": signature.link,
        "show_name": signature.show_name,
        "signing_as": signature.signing_as,
        "organisation": signature.organisation,
        "public_figure": signature.public_figure,
        "claim_link": signature.claim_link,
        "language": signature.language,
        "updates": signature.updates,
        "added_by": signature.added_by_id,
        "change": False,
        "blocked": "",
        "suspicion": "",
        "browser": "",
    }
