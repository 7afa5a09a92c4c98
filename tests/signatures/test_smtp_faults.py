"""Email against a real SMTP server in the test process that accepts, defers or refuses:
nothing is lost, nothing is sent twice, and one provider's incident buries nobody."""

import pytest

from signatures import outbox
from signatures.models import Signature

from .test_email_delivery import due_signature

pytestmark = pytest.mark.django_db


def _due(letter, *addresses):
    return [due_signature(letter, email=a, email_key=a) for a in addresses]


def test_a_deferring_server_keeps_every_email_due_and_later_sends_each_once(letter, smtp_server):
    _due(letter, "a@one.example", "b@two.example", "c@three.example")
    smtp_server.handler.replies = {d: "451 4.3.0 try later" for d in ("one.example",)}
    batch = outbox.signatures_email_batch(limit=10)
    assert batch.temporary_error and batch.sent == 0
    assert Signature.objects.filter(email_requested_at__isnull=False).count() == 3
    smtp_server.handler.replies = {}
    assert outbox.signatures_email_due().sent == 3
    assert sorted(smtp_server.handler.recipients()) == [
        "a@one.example",
        "b@two.example",
        "c@three.example",
    ]


def test_a_refused_address_is_recorded_and_the_rest_are_sent(letter, smtp_server):
    _due(letter, "gone@old.example", "here@new.example")
    smtp_server.handler.replies = {"old.example": "550 5.1.1 no such user"}
    assert outbox.signatures_email_batch(limit=10).sent == 1
    gone = Signature.objects.get(email="gone@old.example")
    assert gone.email_failed_at and "no such user" in gone.email_failure
    assert gone.email_requested_at is None
    assert smtp_server.handler.recipients() == ["here@new.example"]


def test_a_burst_of_refusals_from_one_provider_pauses_it_instead_of_burying_them(
    letter, smtp_server, settings, caplog
):
    settings.EMAIL_PERMANENT_BURST = 3
    settings.EMAIL_INCIDENT_PAUSE_SECONDS = 60
    big = [f"p{i}@bigmail.example" for i in range(5)]
    _due(letter, *big, "ok@small.example")
    smtp_server.handler.replies = {"bigmail.example": "550 5.7.1 service unavailable"}
    outbox.signatures_email_batch(limit=10)
    assert smtp_server.handler.recipients() == ["ok@small.example"]
    waiting = Signature.objects.filter(email__endswith="@bigmail.example")
    assert waiting.filter(email_requested_at__isnull=False).count() == 5
    assert not waiting.filter(email_failed_at__isnull=False).exists()
    assert "provider incident" in caplog.text
    # The pause holds for every batch: nobody asks that provider again meanwhile.
    _due(letter, "fresh@bigmail.example")
    outbox.signatures_email_due()
    assert smtp_server.handler.recipients() == ["ok@small.example"]
    assert not Signature.objects.filter(email_failed_at__isnull=False).exists()


def test_after_the_pause_every_held_email_is_sent_once(letter, smtp_server, settings):
    settings.EMAIL_PERMANENT_BURST = 3
    settings.EMAIL_INCIDENT_PAUSE_SECONDS = 0  # the pause is over at once
    big = [f"p{i}@bigmail.example" for i in range(5)]
    _due(letter, *big)
    smtp_server.handler.replies = {"bigmail.example": "550 5.7.1 service unavailable"}
    outbox.signatures_email_batch(limit=10)
    smtp_server.handler.replies = {}  # the provider recovers
    outbox.signatures_email_due()
    assert sorted(smtp_server.handler.recipients()) == sorted(big)


def test_an_email_held_back_by_too_many_incidents_is_refused_for_good(
    letter, smtp_server, settings
):
    settings.EMAIL_PERMANENT_BURST = 2
    settings.EMAIL_INCIDENT_PAUSE_SECONDS = 0
    settings.EMAIL_INCIDENT_RETRIES = 1
    _due(letter, "x@bigmail.example", "y@bigmail.example")
    smtp_server.handler.replies = {"bigmail.example": "550 5.1.1 no such user"}
    outbox.signatures_email_batch(limit=10)
    assert Signature.objects.filter(email_requested_at__isnull=False).count() == 2
    outbox.signatures_email_batch(limit=10)
    assert not Signature.objects.filter(email_requested_at__isnull=False).exists()
    assert Signature.objects.filter(email_failed_at__isnull=False).count() == 2


def test_a_delivery_in_between_breaks_the_run(letter, smtp_server, settings):
    settings.EMAIL_PERMANENT_BURST = 2
    _due(letter, "x@bigmail.example", "real@bigmail.example", "y@bigmail.example")
    smtp_server.handler.replies = {
        "x@bigmail.example": "550 5.1.1 no such user",
        "y@bigmail.example": "550 5.1.1 no such user",
    }
    outbox.signatures_email_batch(limit=10)
    assert smtp_server.handler.recipients() == ["real@bigmail.example"]
    # Two typos around a delivered address: bad addresses, recorded for good.
    assert Signature.objects.filter(email_failed_at__isnull=False).count() == 2
    assert not Signature.objects.filter(email_requested_at__isnull=False).exists()
