"""ops/ratelimit.py: rates, windows, one round trip, and failing open."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from ops import ratelimit
from ops.ratelimit import Limit, first_exceeded, parse_rate

from ..conftest import away_from_a_minute_edge, need


@pytest.fixture(autouse=True)
def _enabled(settings):
    away_from_a_minute_edge()
    settings.RATELIMIT_ENABLE = True


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("5/m", (5, 60)), ("50/h", (50, 3600)), ("100/10m", (100, 600)), (" 2 / d ", (2, 86400))],
)
def test_rates_read_like_django_ratelimit(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["5", "m/5", "5/w", "-1/m", "five/m"])
def test_a_malformed_rate_is_a_clear_error(rate):
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate(rate)


def test_the_first_limit_over_its_rate_is_named():
    limits = [Limit("wide", "x", "10/m"), Limit("narrow", "x", "2/m")]
    assert [first_exceeded(limits) for _ in range(4)] == [None, None, "narrow", "narrow"]


def test_counters_are_per_name_and_per_who():
    assert first_exceeded([Limit("a", "one", "1/m")]) is None
    assert first_exceeded([Limit("a", "two", "1/m")]) is None
    assert first_exceeded([Limit("b", "one", "1/m")]) is None
    assert first_exceeded([Limit("a", "one", "1/m")]) == "a"


def test_an_empty_rate_or_disabled_limits_never_refuse(settings):
    assert all(first_exceeded([Limit("a", "x", "")]) is None for _ in range(5))
    settings.RATELIMIT_ENABLE = False
    assert all(first_exceeded([Limit("b", "x", "1/m")]) is None for _ in range(5))


def test_a_store_outage_lets_people_through(monkeypatch, caplog):
    def down(_windows):
        raise ConnectionError("redis is away")

    monkeypatch.setattr(ratelimit, "_count_until_exceeded", down)
    assert first_exceeded([Limit("a", "x", "1/m")] * 3) is None
    assert "limits not enforced" in caplog.text


def test_with_redis_every_limit_is_counted_in_one_round_trip(monkeypatch):
    need(bool(django_settings.REDIS_URL), "Redis (REDIS_URL)")
    calls = []
    real = cache.script

    def counting(lua):
        script = real(lua)
        return lambda **kwargs: calls.append(1) or script(**kwargs)

    monkeypatch.setattr(cache, "script", counting)
    limits = [Limit(f"l{i}", "who@example.org", "5/m") for i in range(4)]
    assert first_exceeded(limits) is None
    assert len(calls) == 1
    # The address is not stored in clear in Redis.
    client = cache._cache.get_client()
    assert client.keys("*who@example.org*") == []
    assert len(client.keys("*rl:l0:*")) == 1


def test_a_refused_client_does_not_spend_the_shared_allowance():
    """320 junk POSTs from one address must not lock out a signer from another."""
    for _ in range(320):
        first_exceeded([Limit("ip", "junk", "5/m"), Limit("letter", "one", "50/m")])
    assert first_exceeded([Limit("ip", "real", "5/m"), Limit("letter", "one", "50/m")]) is None
