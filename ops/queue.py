"""Handing work to Celery without ever failing the request that asked for it."""

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def enqueue(task, *args, countdown: float | None = None) -> bool:
    """Send a task now; if the broker is down, log it and return False.

    Every task sent this way has a periodic sweep that redoes its work, so a lost message
    delays that work but loses nothing."""
    try:
        task.apply_async(args=args, countdown=countdown)
    except Exception:  # noqa: BLE001 - any broker failure, kombu raises many kinds
        log.warning(
            "broker unavailable: %s%r deferred to its sweep", task.name, args, exc_info=True
        )
        return False
    return True


def enqueue_on_commit(task, *args, countdown: float | None = None) -> None:
    transaction.on_commit(lambda: enqueue(task, *args, countdown=countdown))
