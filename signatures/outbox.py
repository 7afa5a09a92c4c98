"""The confirmation-email outbox, top to bottom: request → claim → send → mark.

The signature row is the outbox: an email is due while `email_requested_at` is set.

1. Request. Signing stamps `email_requested_at` in the request's own statement, and once it
   commits asks for a batch (`email_request_on_commit`). With a worker, the first request of each
   EMAIL_BATCH_WINDOW_SECONDS window sends one task, which sends every email due; in-process
   (no Redis) the same task runs at once. Nothing depends on that message arriving: beat's
   sweep sends whatever has been due for EMAIL_SWEEP_AFTER_SECONDS.
2. Claim. A batch locks up to EMAIL_BATCH_SIZE due rows (SKIP LOCKED: two workers take
   different rows) and stamps a lease, `email_claimed_at`, for EMAIL_LEASE_SECONDS.
3. Send. One SMTP connection per batch. A temporary failure (4xx, a lost connection) stops
   the batch and releases the rest; a permanent one (5xx) is recorded on the row.
4. Mark. Each row is marked sent as soon as the server accepted its message, so a worker
   killed mid-batch re-sends at most the one in flight; the others' leases run out and the
   next batch sends them.
"""

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from ops.emails import send_templated
from ops.queue import enqueue, enqueue_once_per_window

from .models import Signature
from .tokens import Purpose, make_token

log = logging.getLogger(__name__)


# 1. Request ---------------------------------------------------------------------------------


def email_request_on_commit() -> None:
    """Ask for a batch once the caller's transaction commits (the caller has stamped
    `email_requested_at` on the signature)."""
    transaction.on_commit(schedule_email_batch)


def schedule_email_batch() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        enqueue(send_due_emails_task)  # in-process: the same batch path, now
        return
    enqueue_once_per_window(send_due_emails_task, window=settings.EMAIL_BATCH_WINDOW_SECONDS)


# 2. Claim -----------------------------------------------------------------------------------


def email_due(now: datetime) -> Q:
    """An email was requested, and no worker holds it (or its lease ran out)."""
    lease = timedelta(seconds=settings.EMAIL_LEASE_SECONDS)
    return Q(email_requested_at__isnull=False) & (
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - lease)
    )


@dataclass
class EmailBatch:
    claimed: int = 0
    sent: int = 0
    temporary_error: str = ""  # set when the mail server failed; the rest stay due
    more_due: bool = False  # stopped at its bound of emails or time with some still due


def signatures_email_batch(*, limit: int, requested_before: datetime | None = None) -> EmailBatch:
    """Claim up to `limit` due emails (oldest first) and send them over one connection."""
    now = timezone.now()
    due = Signature.objects.filter(email_due(now))
    if requested_before is not None:
        due = due.filter(email_requested_at__lt=requested_before)
    with transaction.atomic():
        ids = list(
            due.order_by("email_requested_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        Signature.objects.filter(pk__in=ids).update(email_claimed_at=now)
    signatures = (
        Signature.objects.select_related("letter", "profession")
        .filter(pk__in=ids)
        .order_by("email_requested_at", "pk")  # send in the order they were claimed
    )
    return _send_claimed(list(signatures), claimed_at=now)


def signatures_email_due(
    *,
    requested_before: datetime | None = None,
    most: int | None = None,
    seconds: float | None = None,
) -> EmailBatch:
    """Send due emails batch after batch until none is left or the mail server fails, or
    after `most` emails or `seconds` (then `more_due` says some may be left)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    run = EmailBatch()
    while True:
        size = settings.EMAIL_BATCH_SIZE
        if most is not None:
            size = min(size, most - run.claimed)
        batch = signatures_email_batch(limit=size, requested_before=requested_before)
        run.claimed, run.sent = run.claimed + batch.claimed, run.sent + batch.sent
        run.temporary_error = batch.temporary_error
        if batch.temporary_error or batch.claimed < size:
            return run
        if (most is not None and run.claimed >= most) or (
            deadline is not None and time.monotonic() >= deadline
        ):
            run.more_due = True
            return run


# 3. Send ------------------------------------------------------------------------------------


def signature_links(signature: Signature) -> dict[str, str]:
    def link(purpose: Purpose) -> str:
        token = make_token(
            signature_id=signature.pk, email_key=signature.email_key, purpose=purpose
        )
        path = reverse(f"public:{purpose}", kwargs={"slug": signature.letter.slug, "token": token})
        return settings.SITE_URL + path

    return {
        "confirm_url": link(Purpose.CONFIRM),
        "withdraw_url": link(Purpose.WITHDRAW),
        "erase_url": link(Purpose.ERASE),
    }


def _deliver(signature: Signature, *, connection) -> None:
    context = {
        "signature": signature,
        "letter_title": signature.letter.title(signature.language),
        "letter_url": settings.SITE_URL + signature.letter.get_absolute_url(),
        **signature_links(signature),
    }
    name = "confirm" if signature.state == Signature.State.PENDING else "already-signed"
    send_templated(
        name,
        to=signature.email,
        context=context,
        language=signature.language,
        connection=connection,
    )


def _is_permanent(exc: smtplib.SMTPException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return 500 <= getattr(exc, "smtp_code", 0) < 600


def _send_claimed(signatures: list[Signature], *, claimed_at: datetime) -> EmailBatch:
    batch = EmailBatch(claimed=len(signatures))
    with mail.get_connection() as connection:  # one SMTP session for the whole batch
        for index, signature in enumerate(signatures):
            if signature.state == Signature.State.REMOVED:
                _mark(signature, email_requested_at=None)
                continue
            try:
                _deliver(signature, connection=connection)
            except (
                smtplib.SMTPRecipientsRefused,
                smtplib.SMTPSenderRefused,
                smtplib.SMTPDataError,
            ) as exc:
                if not _is_permanent(exc):
                    return _stop(batch, signatures[index:], exc)
                _mark(
                    signature,
                    email_requested_at=None,
                    email_failed_at=timezone.now(),
                    email_failure=str(exc)[:300],
                )
                log.warning("signature %s: permanent email failure: %s", signature.pk, exc)
                continue
            except (smtplib.SMTPException, OSError) as exc:
                return _stop(batch, signatures[index:], exc)
            _mark_sent(signature, claimed_at=claimed_at)
            batch.sent += 1
    return batch


def _stop(batch: EmailBatch, unsent: list[Signature], exc: Exception) -> EmailBatch:
    """The mail server failed: release what is left of the batch for a later try."""
    Signature.objects.filter(pk__in=[s.pk for s in unsent]).update(email_claimed_at=None)
    batch.temporary_error = str(exc) or type(exc).__name__
    log.warning("email batch stopped, %s left due: %s", len(unsent), batch.temporary_error)
    return batch


# 4. Mark ------------------------------------------------------------------------------------


def _mark(signature: Signature, **fields) -> None:
    Signature.objects.filter(pk=signature.pk).update(email_claimed_at=None, **fields)


def _mark_sent(signature: Signature, *, claimed_at: datetime) -> None:
    # A request made after the claim (signing again meanwhile) stays due.
    _mark(
        signature,
        email_sent_at=timezone.now(),
        emails_sent=F("emails_sent") + 1,
        email_requested_at=Case(
            When(email_requested_at__lte=claimed_at, then=Value(None)),
            default=F("email_requested_at"),
        ),
    )


# Tasks --------------------------------------------------------------------------------------


@shared_task
def send_due_emails_task() -> int:
    """Send every email that is due, in batches, for up to EMAIL_BATCH_SECONDS; if more are
    still due then, go on in a fresh task (other tasks' batches take other rows)."""
    run = signatures_email_due(seconds=settings.EMAIL_BATCH_SECONDS)
    if run.more_due:
        enqueue(send_due_emails_task)
    return run.sent


@shared_task
def send_pending_confirmations_task() -> int:
    """Beat's sweep: emails due for more than EMAIL_SWEEP_AFTER_SECONDS (a lost task
    message, a dead broker, a mail server that refused for a while). Bounded like a batch
    task, well inside the task time limit, and continued in a fresh task."""
    older = timezone.now() - timedelta(seconds=settings.EMAIL_SWEEP_AFTER_SECONDS)
    run = signatures_email_due(requested_before=older, seconds=settings.EMAIL_BATCH_SECONDS)
    if run.sent:
        log.info("sweep: sent %s due emails", run.sent)
    if run.more_due:
        enqueue(send_pending_confirmations_task)
    return run.sent
