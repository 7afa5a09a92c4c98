"""Handing work to Celery without ever failing the request that asked for it."""

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

# After a failed publish the broker is skipped for BROKER_BACKOFF_SECONDS: each attempt
# costs a connection timeout, and every task sent through here has a sweep that redoes it.
_broker_down_until = 0.0


def enqueue(task, *args, countdown: float | None = None) -> bool:
    """Send a task now; if the broker is down, log it and return False.

    Every task sent this way has a periodic sweep that redoes its work, so a lost message
    delays that work but loses nothing."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    try:
        # retry=False: one attempt, not Celery's default of three with back-off (measured:
        # 0.6 s against a refused port, 25 s against a hung one; now 0.0 s and 5 s).
        task.apply_async(args=args, countdown=countdown, retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure, kombu raises many kinds
        _broker_down_until = time.monotonic() + settings.BROKER_BACKOFF_SECONDS
        log.warning("broker down: %s%r left to its sweep: %s", task.name, args, exc)
        return False
    return True


def retry_countdown(retries: int) -> int:
    """Exponential backoff for retried tasks: 30 s, 1 min, 2 min … capped at an hour."""
    return min(3600, 30 * 2**retries)


def enqueue_once_per_window(task, *args, window: float) -> bool:
    """Send `task(*args)` at most once per `window` seconds, to run when the window ends.

    The first caller of a window sends it (a Redis SETNX decides who is first); every later
    caller of the same window rides along, so a burst of N requests costs one task. Each
    process asks Redis once per window at most, so a burst costs no round trips either.
    Returns whether this call sent it. For tasks that take all pending work, not one item."""
    now = time.time()
    number = math.floor(now / window)
    key = f"window:{task.name}:{':'.join(map(str, args))}:{window}"
    if _asked.get(key) == number:
        return False
    _asked[key] = number
    try:
        first = cache.add(f"{key}:{number}", 1, timeout=max(5, math.ceil(window * 4)))
    except Exception:  # noqa: BLE001 - Redis down: the task's periodic sweep does the work
        log.warning("cache unavailable; %s%r left to its sweep", task.name, args)
        return False
    if not first:
        return False
    return enqueue(task, *args, countdown=(number + 1) * window - now + 0.02)


# The last window each key was asked about in this process (one entry per task and args).
_asked: dict[str, int] = {}
