"""Celery entry points. Each takes ids, re-reads rows, and is safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from ops.queue import enqueue, enqueue_once_per_window, retry_countdown

from . import services, tally

log = logging.getLogger(__name__)

# How long changes gather before one fold adds them all (part of the count's visible lag).
FOLD_WINDOW_SECONDS = 0.25
# How long email requests gather before one task sends them, and how it works through them.
EMAIL_BATCH_WINDOW_SECONDS = 0.25
EMAIL_BATCH_SIZE = 50
EMAIL_BATCH_SECONDS = 10


@shared_task(bind=True, acks_late=True, max_retries=8)
def send_signature_email_task(self, signature_id: int) -> bool:
    try:
        return services.signature_email_send(signature_id=signature_id)
    except services.TemporaryEmailError as exc:
        # After the last retry the sweep takes over: the email stays due.
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task
def send_due_emails_task() -> int:
    """Send every email that is due, in batches, for up to EMAIL_BATCH_SECONDS; if more are
    still due then, go on in a fresh task (other tasks' batches take other rows). After a
    mail server failure the sweep retries later."""
    run = services.signatures_email_due(batch_size=EMAIL_BATCH_SIZE, seconds=EMAIL_BATCH_SECONDS)
    if run.more_due:
        enqueue(send_due_emails_task)
    return run.sent


@shared_task
def send_pending_confirmations_task() -> int:
    """Beat's sweep: emails due for more than EMAIL_SWEEP_AFTER_SECONDS (a lost task
    message, a dead broker, a mail server that refused for a while)."""
    older = timezone.now() - timedelta(seconds=settings.EMAIL_SWEEP_AFTER_SECONDS)
    run = services.signatures_email_due(batch_size=EMAIL_BATCH_SIZE, requested_before=older)
    if run.sent:
        log.info("sweep: sent %s due emails", run.sent)
    return run.sent


def schedule_signature_email(signature_id: int) -> None:
    """Send this signature's email soon. With a worker, requests are gathered in windows
    of EMAIL_BATCH_WINDOW_SECONDS and one task sends them all (one task message and one
    SMTP session per batch, not per signature); in-process (no Redis) send it now."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        enqueue(send_signature_email_task, signature_id)
        return
    enqueue_once_per_window(send_due_emails_task, window=EMAIL_BATCH_WINDOW_SECONDS)


@shared_task
def tally_fold_task(letter_id: int) -> int:
    return tally.tally_fold(letter_id=letter_id)


@shared_task
def tally_fold_all_task() -> int:
    return sum(tally.tally_fold(letter_id=i) for i in tally.letters_with_pending_changes())


@shared_task
def tally_recount_all_task() -> int:
    from petition.models import Letter

    return sum(
        tally.tally_recount(letter_id=i) for i in Letter.objects.values_list("pk", flat=True)
    )


def schedule_tally_fold(letter_id: int) -> None:
    """Fold soon. With a worker, changes are gathered in windows of FOLD_WINDOW_SECONDS: the
    first change of a window schedules one fold at its end, which takes every change of the
    window. In-process (no Redis) fold at once. Beat's fold-all repairs a lost one."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        tally.tally_fold(letter_id=letter_id)
        return
    enqueue_once_per_window(tally_fold_task, letter_id, window=FOLD_WINDOW_SECONDS)
