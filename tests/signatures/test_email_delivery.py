"""Nothing lost: the row is saved before any email, a dead broker delays mail but loses none,
temporary SMTP failures retry, permanent ones are recorded, and nothing is sent twice."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from config.celery import app as celery_app
from signatures import outbox
from signatures.models import Signature
from signatures.outbox import send_pending_confirmations_task

from ..factories import SignatureFactory
from ..processes import use_broker

pytestmark = pytest.mark.django_db


def due_signature(letter, **extra) -> Signature:
    fields = {
        "letter": letter,
        "profession": letter.professions.first(),
        "state": Signature.State.PENDING,
        "confirmed_at": None,
        "email_requested_at": timezone.now() - timedelta(minutes=5),
    }
    return SignatureFactory(**{**fields, **extra})


@pytest.fixture
def dead_broker(settings):
    """Celery really publishing, to a port where nothing listens."""
    saved = celery_app.conf.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    use_broker("redis://127.0.0.1:1/0")
    yield
    celery_app.conf.task_always_eager = True
    use_broker(saved)


def test_signing_while_the_broker_is_down_answers_normally_and_keeps_the_row(
    letter, sign, sign_data, dead_broker
):
    response = sign(letter, sign_data)
    assert response.status_code == 303
    signature = Signature.objects.get()
    assert signature.email_requested_at is not None
    assert signature.email_sent_at is None
    assert not mail.outbox


def test_sweep_sends_what_a_dead_broker_held_back_exactly_once(
    letter, sign, sign_data, dead_broker, settings
):
    sign(letter, sign_data)
    sign(letter, {**sign_data, "email": "second@example.org"})
    # The broker is back.
    celery_app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_SWEEP_AFTER_SECONDS = 0
    call_command("send_pending_confirmations")
    send_pending_confirmations_task.apply()
    call_command("send_pending_confirmations")
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "second@example.org"]
    assert all(s.email_requested_at is None for s in Signature.objects.all())


def test_beat_sweep_skips_emails_requested_moments_ago(letter):
    SignatureFactory(
        letter=letter,
        profession=letter.professions.first(),
        state=Signature.State.PENDING,
        email_requested_at=timezone.now(),
    )
    assert send_pending_confirmations_task.apply().get() == 0


def test_temporary_smtp_failure_keeps_the_email_due(letter, monkeypatch):
    signature = due_signature(letter)

    def unavailable(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("try later")

    monkeypatch.setattr(outbox, "send_templated", unavailable)
    assert outbox.signatures_email_batch(limit=10).temporary_error
    signature.refresh_from_db()
    assert signature.email_requested_at is not None
    assert signature.email_claimed_at is None
    assert signature.emails_sent == 0


def test_4xx_refusal_is_temporary(letter, monkeypatch):
    signature = due_signature(letter)

    def greylisted(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({signature.email: (451, b"greylisted")})

    monkeypatch.setattr(outbox, "send_templated", greylisted)
    assert "greylisted" in outbox.signatures_email_batch(limit=10).temporary_error
    signature.refresh_from_db()
    assert signature.email_requested_at is not None and signature.email_failed_at is None


def test_a_temporary_failure_is_sent_by_a_later_batch(letter, monkeypatch):
    signature = due_signature(letter)
    real = outbox.send_templated
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionRefusedError("smtp down")
        return real(*args, **kwargs)

    monkeypatch.setattr(outbox, "send_templated", flaky)
    for _ in range(3):  # the batch task, then the sweep, then the sweep again
        outbox.signatures_email_batch(limit=10)
    assert len(calls) == 3
    assert len(mail.outbox) == 1
    signature.refresh_from_db()
    assert signature.email_sent_at and signature.emails_sent == 1


def test_permanent_failure_is_recorded_and_not_retried(letter, monkeypatch):
    signature = due_signature(letter)

    def no_such_user(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({signature.email: (550, b"no such user")})

    monkeypatch.setattr(outbox, "send_templated", no_such_user)
    assert outbox.signatures_email_batch(limit=10).sent == 0
    signature.refresh_from_db()
    assert signature.email_failed_at is not None
    assert "no such user" in signature.email_failure
    assert signature.email_requested_at is None


def test_an_email_held_by_a_worker_is_not_sent_by_another(letter):
    due_signature(letter, email_claimed_at=timezone.now())
    assert outbox.signatures_email_batch(limit=10).claimed == 0
    assert not mail.outbox


def test_an_email_whose_worker_died_is_sent_after_the_lease(letter, settings):
    settings.EMAIL_LEASE_SECONDS = 60
    due_signature(letter, email_claimed_at=timezone.now() - timedelta(minutes=2))
    assert outbox.signatures_email_batch(limit=10).sent == 1
    assert len(mail.outbox) == 1


def test_sending_twice_sends_once(letter):
    due_signature(letter)
    assert outbox.signatures_email_batch(limit=10).sent == 1
    assert outbox.signatures_email_batch(limit=10).claimed == 0
    assert len(mail.outbox) == 1


def test_removed_signature_gets_no_email(letter):
    removed = due_signature(letter, state=Signature.State.REMOVED)
    assert outbox.signatures_email_batch(limit=10).sent == 0
    removed.refresh_from_db()
    assert removed.email_requested_at is None and not mail.outbox
