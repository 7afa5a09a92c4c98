"""Celery entry points. Each takes ids, re-reads rows, and is safe to run twice."""

import logging
import math
import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from ops.queue import enqueue, retry_countdown

from . import services, tally
from .selectors import signatures_due_email

log = logging.getLogger(__name__)

# How long changes gather before one fold adds them all (part of the count's visible lag).
FOLD_WINDOW_SECONDS = 0.5


@shared_task(bind=True, acks_late=True, max_retries=8)
def send_signature_email_task(self, signature_id: int) -> bool:
    try:
        return services.signature_email_send(signature_id=signature_id)
    except services.TemporaryEmailError as exc:
        # After the last retry the sweep takes over: the email stays due.
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task
def send_pending_confirmations_task() -> int:
    ids = signatures_due_email()
    for signature_id in ids:
        enqueue(send_signature_email_task, signature_id)
    if ids:
        log.info("sweep: re-sent %s due emails", len(ids))
    return len(ids)


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
    now = time.time()
    window = math.floor(now / FOLD_WINDOW_SECONDS)
    try:
        first = cache.add(f"tally-fold:{letter_id}:{window}", 1, timeout=5)
    except Exception:  # noqa: BLE001 - Redis down: beat's fold-all will do it
        log.warning("cache unavailable; fold of letter %s left to the sweep", letter_id)
        return
    if first:
        window_end = (window + 1) * FOLD_WINDOW_SECONDS
        enqueue(tally_fold_task, letter_id, countdown=window_end - now + 0.05)
