"""Rate limits, bot traps, disposable addresses and organisers' blocks."""

import time

import pytest
from django.core import mail, signing

from signatures.defences import started_token
from signatures.models import Block, Signature

from ..conftest import away_from_a_minute_edge

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    away_from_a_minute_edge()
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_SIGN_IP_BURST = "3/m"
    settings.RATELIMIT_SIGN_EMAIL = "2/h"
    return settings


def test_too_many_signatures_from_one_ip_answer_429_with_the_form_and_a_check(
    letter, sign, sign_data, limits
):
    answers = [
        sign(
            letter, {**sign_data, "email": f"p{i}@example.org"}, REMOTE_ADDR="198.51.100.7"
        ).status_code
        for i in range(5)
    ]
    assert answers == [303, 303, 303, 429, 429]
    response = sign(letter, {**sign_data, "email": "late@example.org"}, REMOTE_ADDR="198.51.100.7")
    body = response.content.decode()
    assert "data-human-check" in body and 'value="late@example.org"' in body  # kept
    assert response["Retry-After"]
    assert Signature.objects.count() == 3


def test_ip_limit_is_per_address(letter, sign, sign_data, limits):
    for i in range(3):
        sign(letter, {**sign_data, "email": f"p{i}@example.org"}, REMOTE_ADDR="198.51.100.7")
    other = sign(letter, {**sign_data, "email": "x@example.org"}, REMOTE_ADDR="198.51.100.8")
    assert other.status_code == 303


def test_resending_to_one_address_is_limited(letter, sign, sign_data, limits):
    answers = [sign(letter, sign_data, REMOTE_ADDR=f"198.51.100.{i}").status_code for i in range(4)]
    assert answers == [303, 303, 429, 429]
    assert len(mail.outbox) == 2


def test_per_letter_burst_limit(letter, sign, sign_data, limits):
    limits.RATELIMIT_SIGN_LETTER = "2/m"
    answers = [
        sign(
            letter, {**sign_data, "email": f"p{i}@example.org"}, REMOTE_ADDR=f"198.51.100.{i}"
        ).status_code
        for i in range(3)
    ]
    assert answers == [303, 303, 429]


def test_rate_limits_fail_open_when_the_cache_is_down(letter, sign, sign_data, limits, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "add", down)
    assert sign(letter, sign_data).status_code == 303
    assert Signature.objects.count() == 1


def test_throttled_signer_behind_a_trusted_proxy_is_judged_by_the_forwarded_address(
    letter, sign, sign_data, limits
):
    limits.TRUSTED_PROXY_COUNT = 1
    for i in range(3):
        sign(
            letter, {**sign_data, "email": f"p{i}@example.org"}, HTTP_X_FORWARDED_FOR="203.0.113.1"
        )
    other = sign(
        letter, {**sign_data, "email": "q@example.org"}, HTTP_X_FORWARDED_FOR="203.0.113.2"
    )
    assert other.status_code == 303


@pytest.mark.parametrize(
    ("trap", "reason"),
    [
        ({"website": "http://spam.example"}, "honeypot filled"),
        ({"started": "12345"}, "forged form timestamp"),
        ({"started": ""}, "no form timestamp"),
    ],
)
def test_a_suspected_submission_is_kept_flagged_and_emailed(letter, sign, sign_data, trap, reason):
    """Never silently discarded: confirming from the inbox is the challenge."""
    response = sign(letter, {**sign_data, **trap})
    assert response.status_code == 303
    assert response["Location"] == f"/letters/{letter.slug}/signed/"
    signature = Signature.objects.get()
    assert signature.suspicion == reason
    assert signature.state == Signature.State.PENDING
    assert [m.to for m in mail.outbox] == [[sign_data["email"]]]


def test_a_person_who_autofills_and_signs_at_once_still_gets_the_email(
    letter, sign, sign_data, settings
):
    settings.SIGN_MIN_SECONDS = 3
    response = sign(letter, {**sign_data, "started": started_token()})
    assert response.status_code == 303
    assert Signature.objects.get().suspicion == "form filled too fast"
    assert len(mail.outbox) == 1


def test_form_filled_at_human_speed_is_not_suspected(letter, sign, sign_data, settings):
    settings.SIGN_MIN_SECONDS = 3
    token = signing.dumps([int(time.time()) - 10, "ab"], salt="undersigned.sign-form.started")
    assert sign(letter, {**sign_data, "started": token}).status_code == 303
    assert Signature.objects.get().suspicion == ""


def test_a_form_timestamp_expires_and_differs_per_render(
    letter, sign, sign_data, settings, monkeypatch
):
    assert started_token() != started_token()
    settings.SIGN_FORM_MAX_AGE_SECONDS = 60
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 120)
    old = started_token()
    monkeypatch.setattr(time, "time", real)
    sign(letter, {**sign_data, "started": old})
    assert Signature.objects.get().suspicion == "stale form timestamp"


def test_csrf_endpoint_hands_out_a_fresh_form_timestamp(client):
    first = client.get("/csrf/").json()["started"]
    second = client.get("/csrf/").json()["started"]
    assert first and second and first != second


def test_rendered_form_carries_the_traps(letter, client):
    body = client.get(f"/letters/{letter.slug}/").content.decode()
    assert 'name="website"' in body and 'tabindex="-1"' in body
    assert 'name="started"' in body


def test_disposable_address_gets_a_clear_form_error(letter, sign, sign_data):
    response = sign(letter, {**sign_data, "email": "someone@mailinator.com"})
    assert response.status_code == 400
    assert "disposable" in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value", "email", "ip"),
    [
        ("domain", "spam.example", "bot@spam.example", "192.0.2.1"),
        ("domain", "spam.example", "bot@mail.spam.example", "192.0.2.1"),
        ("network", "203.0.113.0/24", "real@example.org", "203.0.113.77"),
    ],
)
def test_blocked_signature_is_accepted_on_screen_and_set_aside(
    letter, sign, sign_data, kind, value, email, ip
):
    Block.objects.create(letter=letter, kind=kind, value=value)
    response = sign(letter, {**sign_data, "email": email}, REMOTE_ADDR=ip)
    assert response.status_code == 303
    signature = Signature.objects.get()
    assert signature.state == Signature.State.REMOVED
    assert value in signature.removed_reason
    assert not mail.outbox


def test_global_block_applies_to_every_letter(letter, sign, sign_data):
    Block.objects.create(letter=None, kind="domain", value="spam.example")
    sign(letter, {**sign_data, "email": "a@spam.example"})
    assert Signature.objects.get().state == Signature.State.REMOVED


def test_block_values_are_validated():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Block(kind="network", value="not-an-ip").clean()
    block = Block(kind="network", value="203.0.113.9/24")
    block.clean()
    assert block.value == "203.0.113.0/24"


def test_ipv6_addresses_are_limited_by_their_64():
    from signatures.defences import client_network

    assert client_network("2001:db8:1:2::1") == client_network("2001:db8:1:2:ffff::9")
    assert client_network("2001:db8:1:2::1") != client_network("2001:db8:1:3::1")
    assert client_network("203.0.113.7") == "203.0.113.7"
    assert client_network("::ffff:203.0.113.7") == "203.0.113.7"
    assert client_network("not an address") == "not an address"


def test_one_ipv6_64_shares_one_allowance(letter, sign, sign_data, limits):
    answers = [
        sign(
            letter,
            {**sign_data, "email": f"v{i}@example.org"},
            REMOTE_ADDR=f"2001:db8:7:7::{i + 1}",
        ).status_code
        for i in range(4)
    ]
    assert answers == [303, 303, 303, 429]  # four addresses of one /64: one subscriber
