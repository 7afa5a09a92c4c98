"""The outbox of one-off emails, top to bottom: queue → claim → send → mark.

Invitations to organise, notices to a letter's owners, account mail (allauth's password and
sign-in emails) and an update's test copy are each one OutgoingMail row, rendered in the
recipient's language by whoever asks, in the transaction that asks: a rollback sends nothing,
and a commit loses nothing, whatever happens to the broker or the worker afterwards.

1. Queue. `mail_queue` writes the row and, once the transaction commits, asks for a batch
   (in-process when there is no broker: the embedded default). Beat's sweep sends whatever a
   lost task message left due.
2. Claim. A batch locks up to EMAIL_BATCH_SIZE due rows (SKIP LOCKED: two workers take
   different rows) and stamps a lease of EMAIL_LEASE_SECONDS; a dead worker's rows are due
   again when it runs out.
3. Send. One SMTP connection per batch. A temporary failure (4xx, a lost connection) stops
   the batch; each unsent row is due again after a back-off (30 s, 1 min, 2 min … an hour) for
   up to MAIL_ATTEMPTS tries. A permanent refusal (5xx) is recorded on the row.
4. Mark. Each row is marked sent as soon as the server accepted it, and its body is dropped.
   A worker killed in between re-sends that one message with the same Message-ID.
"""

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from ops.addresses import canonical_email
from ops.emails import is_permanent_refusal, refusal_text, send_rendered, site_domain
from ops.queue import enqueue, retry_countdown

from .deliverability import suppressed_keys
from .models import Letter, OutgoingMail

log = logging.getLogger(__name__)

MAIL_ATTEMPTS = 10  # about six hours of tries with the back-off above


# 1. Queue -----------------------------------------------------------------------------------


def mail_queue(message: dict, *, kind: str, letter: Letter | None = None) -> OutgoingMail:
    """Keep a rendered email (ops.emails.render_email) until it is sent; one row for each
    recipient."""
    (to,) = message["to"]
    mail_row = OutgoingMail.objects.create(kind=kind, letter=letter, to=to, message=message)
    transaction.on_commit(lambda: enqueue(send_due_mail_task))
    return mail_row


# 2. Claim -----------------------------------------------------------------------------------


def _due() -> Q:
    lease = timedelta(seconds=settings.EMAIL_LEASE_SECONDS)
    return Q(state=OutgoingMail.State.DUE, due_at__lte=Now()) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=Now() - lease)
    )


def mail_claim(*, limit: int) -> list[OutgoingMail]:
    with transaction.atomic():
        rows = list(
            OutgoingMail.objects.filter(_due())
            .select_related("letter")
            .order_by("due_at", "pk")
            .select_for_update(skip_locked=True, of=("self",))[:limit]
        )
        OutgoingMail.objects.filter(pk__in=[row.pk for row in rows]).update(claimed_at=Now())
    return rows


# 3. Send ------------------------------------------------------------------------------------


def _message_id(row: OutgoingMail) -> str:
    return f"<mail-{row.pk}@{site_domain()}>"


def mail_send(rows: list[OutgoingMail]) -> tuple[int, str]:
    """Send the claimed rows over one connection: (how many were sent, the temporary error
    that stopped the batch, or "")."""
    sent = 0
    suppressed = suppressed_keys({canonical_email(row.to) for row in rows})
    with mail.get_connection() as connection:
        for index, row in enumerate(rows):
            if row.kind != "account" and canonical_email(row.to) in suppressed:
                _mark_failed(row, "suppressed")  # account mail still goes: a person asked
                continue
            message = {**row.message}
            if row.letter_id:
                message["metadata"] = {"letter": row.letter.slug}
            message["headers"] = {
                "Auto-Submitted": "auto-generated",
                "Message-ID": _message_id(row),
                **(message.get("headers") or {}),
            }
            try:
                send_rendered(message, connection=connection)
            except (smtplib.SMTPException, OSError) as exc:
                if is_permanent_refusal(exc):
                    _mark_failed(row, exc)
                    continue
                _retry_later(rows[index:], exc)
                return sent, str(exc) or type(exc).__name__
            _mark_sent(row)
            sent += 1
    return sent, ""


# 4. Mark ------------------------------------------------------------------------------------


def _mark_sent(row: OutgoingMail) -> None:
    OutgoingMail.objects.filter(pk=row.pk).update(
        state=OutgoingMail.State.SENT,
        sent_at=timezone.now(),
        claimed_at=None,
        message={"subject": row.message.get("subject", "")},
    )


def _mark_failed(row: OutgoingMail, exc: Exception | str) -> None:
    """Refused for good: the body goes too (a password link must not outlive its use)."""
    failure = exc if isinstance(exc, str) else refusal_text(exc)
    OutgoingMail.objects.filter(pk=row.pk).update(
        state=OutgoingMail.State.FAILED,
        failure=failure,
        claimed_at=None,
        message={"subject": row.message.get("subject", "")},
    )
    log.warning("mail %s (%s) refused for good: %s", row.pk, row.kind, exc)


def _retry_later(rows: list[OutgoingMail], exc: Exception) -> None:
    now = timezone.now()
    for row in rows:
        attempts = row.attempts + 1
        if attempts >= MAIL_ATTEMPTS:
            _mark_failed(row, exc)
            continue
        OutgoingMail.objects.filter(pk=row.pk).update(
            attempts=attempts,
            claimed_at=None,
            due_at=now + timedelta(seconds=retry_countdown(row.attempts)),
        )
    log.warning("mail batch stopped, %s left due: %s", len(rows), exc)


def mail_send_due() -> int:
    """Batch after batch until nothing is due or the mail server fails; how many were sent."""
    sent = 0
    while True:
        rows = mail_claim(limit=settings.EMAIL_BATCH_SIZE)
        batch_sent, error = mail_send(rows)
        sent += batch_sent
        if error or len(rows) < settings.EMAIL_BATCH_SIZE:
            return sent


# Tasks --------------------------------------------------------------------------------------


@shared_task
def send_due_mail_task() -> int:
    return mail_send_due()


@shared_task
def send_mail_sweep_task() -> int:
    """Beat's sweep: whatever a lost task message, a dead worker or a mail server's refusal
    left due."""
    return mail_send_due()
