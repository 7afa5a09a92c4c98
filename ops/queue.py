"""Handing work to Celery without ever failing the request that asked for it."""

import logging
import time

from django.db import transaction

log = logging.getLogger(__name__)

# After a failed publish, skip the broker for this long: each attempt costs a connection
# timeout, and every task sent through here has a sweep that redoes its work anyway.
BROKER_BACKOFF_SECONDS = 5.0
_broker_down_until = 0.0


def enqueue(task, *args, countdown: float | None = None) -> bool:
    """Send a task now; if the broker is down, log it and return False.

    Every task sent this way has a periodic sweep that redoes its work, so a lost message
    delays that work but loses nothing."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    try:
        task.apply_async(args=args, countdown=countdown)
    except Exception:  # noqa: BLE001 - any broker failure, kombu raises many kinds
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        log.warning("broker down: %s%r left to its sweep", task.name, args, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *args, countdown: float | None = None) -> None:
    transaction.on_commit(lambda: enqueue(task, *args, countdown=countdown))


def reset_broker_backoff() -> None:
    global _broker_down_until
    _broker_down_until = 0.0


def retry_countdown(retries: int) -> int:
    """Exponential backoff for retried tasks: 30 s, 1 min, 2 min … capped at an hour."""
    return min(3600, 30 * 2**retries)
