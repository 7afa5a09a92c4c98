"""Fixed-window rate limits, every counter of one request in one Redis round trip.

Rates read as django-ratelimit's did: "5/m", "50/h", "100/10m". django-ratelimit (used here
before) spends two round trips per limit; the sign form checks four limits on every
attempt, so that was eight round trips and most of the form's Redis time (README, "what
was tried"). Without Redis (the embedded defaults) the Django cache counts instead.
"""

import hashlib
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Limit:
    name: str  # what is limited, e.g. "sign-ip-burst"
    who: str  # whom it is counted against, e.g. an address; hashed before it is stored
    rate: str  # "N/period"; empty means no limit


def parse_rate(rate: str) -> tuple[int, int]:
    """(allowed hits, window seconds) for "5/m", "100/10m" …; ValueError for anything else."""
    match = _RATE.match(rate or "")
    if not match:
        raise ValueError(f"not a rate: {rate!r} (expected e.g. 5/m, 50/h, 100/10m)")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNIT_SECONDS[unit]


def first_exceeded(limits: list[Limit]) -> str | None:
    """Count one hit against every limit; the name of the first one now over its rate.

    A store outage lets the request through (people must be able to sign); it is logged."""
    active = [(limit, *parse_rate(limit.rate)) for limit in limits if limit.rate]
    if not active or not settings.RATELIMIT_ENABLE:
        return None
    now = int(time.time())
    windows = []
    for limit, _allowed, seconds in active:
        who = hashlib.blake2b(limit.who.encode(), digest_size=12).hexdigest()
        windows.append((f"rl:{limit.name}:{who}:{now // seconds}", seconds))
    try:
        hits = _count(windows)
    except Exception:  # noqa: BLE001 - a cache outage must not stop people signing
        log.warning("rate-limit store unavailable; limits not enforced", exc_info=True)
        return None
    for (limit, allowed, _seconds), count in zip(active, hits, strict=True):
        if count > allowed:
            return limit.name
    return None


def _count(windows: list[tuple[str, int]]) -> list[int]:
    if hasattr(cache, "pipeline"):  # Redis (ops.cache.ReusingRedisCache)
        pipe = cache.pipeline()
        for key, seconds in windows:
            pipe.incr(cache.make_key(key))
            pipe.expire(cache.make_key(key), seconds + 1)
        return pipe.execute()[::2]
    counts = []
    for key, seconds in windows:
        cache.add(key, 0, timeout=seconds + 1)
        counts.append(cache.incr(key))
    return counts
