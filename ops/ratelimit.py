"""Fixed-window rate limits, every counter of one request in one Redis round trip (a Lua
script, so the check and the counting are one atomic step).

Rates read as django-ratelimit's did: "5/m", "50/h", "100/10m". django-ratelimit (used here
before) spends two round trips per limit; the sign form checks four limits on every
attempt, so that was eight round trips and most of the form's Redis time (README, "What we
tried"). Without Redis (the embedded defaults) the Django cache counts instead.
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
    """Count a hit against each limit in order, stopping at the first one now over its rate;
    its name, or None. Limits after a broken one are not counted: put the ones shared by
    everyone (a letter-wide ceiling) last, so a refused client never spends others' share.

    A store outage lets the request through (people must be able to sign); it is logged."""
    active = [(limit, *parse_rate(limit.rate)) for limit in limits if limit.rate]
    if not active or not settings.RATELIMIT_ENABLE:
        return None
    now = int(time.time())
    windows = []
    for limit, allowed, seconds in active:
        who = hashlib.blake2b(limit.who.encode(), digest_size=12).hexdigest()
        windows.append((f"rl:{limit.name}:{who}:{now // seconds}", allowed, seconds))
    try:
        broken = _count_until_exceeded(windows)
    except Exception as exc:  # noqa: BLE001 - a cache outage must not stop people signing
        log.warning("rate-limit store unavailable; limits not enforced: %s", exc)
        return None
    return active[broken][0].name if broken is not None else None


# One round trip: INCR each window in order, stop at the first over its allowance.
_COUNT_UNTIL_EXCEEDED = """
for i, key in ipairs(KEYS) do
  local hits = redis.call('INCR', key)
  if hits == 1 then redis.call('EXPIRE', key, ARGV[2 * i]) end
  if hits > tonumber(ARGV[2 * i - 1]) then return i end
end
return 0
"""


def _count_until_exceeded(windows: list[tuple[str, int, int]]) -> int | None:
    """The index of the first window over its allowance (counting stops there), or None."""
    if hasattr(cache, "script"):  # Redis (ops.cache.ReusingRedisCache)
        keys = [cache.make_key(key) for key, _allowed, _seconds in windows]
        args = [value for _key, allowed, seconds in windows for value in (allowed, seconds + 1)]
        broken = cache.script(_COUNT_UNTIL_EXCEEDED)(keys=keys, args=args)
        return broken - 1 if broken else None
    for index, (key, allowed, seconds) in enumerate(windows):
        cache.add(key, 0, timeout=seconds + 1)
        if cache.incr(key) > allowed:
            return index
    return None
