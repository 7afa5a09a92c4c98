"""Emails go out in batches: one task and one mail connection for many signatures."""

import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from ops import queue
from signatures import outbox
from signatures.models import Signature

from .test_email_delivery import due_signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def connections(monkeypatch):
    opened = []
    real = mail.get_connection

    def counting(*args, **kwargs):
        opened.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(outbox.mail, "get_connection", counting)
    return opened


def test_a_batch_sends_every_due_email_over_one_connection(letter, connections):
    due = [due_signature(letter) for _ in range(5)]
    due_signature(letter, email_requested_at=None)  # nothing requested
    batch = outbox.signatures_email_batch(limit=10)
    assert (batch.claimed, batch.sent, batch.temporary_error) == (5, 5, "")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in due)
    assert len(connections) == 1
    for signature in Signature.objects.filter(pk__in=[s.pk for s in due]):
        assert signature.emails_sent == 1 and signature.email_sent_at
        assert signature.email_requested_at is None and signature.email_claimed_at is None
    assert outbox.signatures_email_batch(limit=10).claimed == 0


def test_a_batch_takes_the_oldest_first_and_at_most_its_limit(letter):
    signatures = [due_signature(letter) for _ in range(3)]
    assert outbox.signatures_email_batch(limit=2).sent == 2
    assert [m.to[0] for m in mail.outbox] == [s.email for s in signatures[:2]]


def test_signing_again_while_the_batch_sends_stays_due(letter, monkeypatch):
    signature = due_signature(letter)
    real = outbox.send_templated

    def and_meanwhile(*args, **kwargs):
        real(*args, **kwargs)
        Signature.objects.filter(pk=signature.pk).update(email_requested_at=timezone.now())

    monkeypatch.setattr(outbox, "send_templated", and_meanwhile)
    assert outbox.signatures_email_batch(limit=10).sent == 1
    signature.refresh_from_db()
    assert signature.email_requested_at is not None  # the newer request gets its own email


def test_a_mail_server_failure_stops_the_batch_and_leaves_the_rest_due(letter, monkeypatch):
    signatures = [due_signature(letter) for _ in range(4)]
    real = outbox.send_templated

    def fails_on_third(*args, **kwargs):
        if len(mail.outbox) == 2:
            raise smtplib.SMTPServerDisconnected("gone")
        real(*args, **kwargs)

    monkeypatch.setattr(outbox, "send_templated", fails_on_third)
    batch = outbox.signatures_email_batch(limit=10)
    assert (batch.sent, batch.temporary_error) == (2, "gone")
    rows = {s.pk: s for s in Signature.objects.all()}
    assert [rows[s.pk].emails_sent for s in signatures] == [1, 1, 0, 0]
    assert all(rows[s.pk].email_claimed_at is None for s in signatures)  # free to retry now
    monkeypatch.setattr(outbox, "send_templated", real)
    assert outbox.signatures_email_batch(limit=10).sent == 2


def test_a_permanent_refusal_in_a_batch_is_recorded_and_the_batch_goes_on(letter, monkeypatch):
    bad, good = due_signature(letter), due_signature(letter)
    real = outbox.send_templated

    def refuses_bad(name, *, to, **kwargs):
        if to == bad.email:
            raise smtplib.SMTPRecipientsRefused({to: (550, b"no such user")})
        real(name, to=to, **kwargs)

    monkeypatch.setattr(outbox, "send_templated", refuses_bad)
    assert outbox.signatures_email_batch(limit=10).sent == 1
    bad.refresh_from_db()
    assert bad.email_failed_at and bad.email_requested_at is None
    assert [m.to[0] for m in mail.outbox] == [good.email]


def test_removed_signatures_in_a_batch_get_nothing(letter):
    removed = due_signature(letter, state=Signature.State.REMOVED)
    assert outbox.signatures_email_batch(limit=10).sent == 0
    removed.refresh_from_db()
    assert removed.email_requested_at is None and not mail.outbox


def test_the_task_works_through_more_than_one_batch(letter, settings):
    settings.EMAIL_BATCH_SIZE = 2
    for _ in range(5):
        due_signature(letter)
    assert outbox.send_due_emails_task.apply().get() == 5
    assert len(mail.outbox) == 5


def test_with_a_worker_a_burst_of_signatures_sends_one_task_per_window(
    letter, sign, sign_data, settings, monkeypatch
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(queue, "enqueue", lambda task, *args, **kw: sent.append(task.name))
    settings.EMAIL_BATCH_WINDOW_SECONDS = 3600  # all in one window
    for i in range(5):
        assert sign(letter, {**sign_data, "email": f"p{i}@example.org"}).status_code == 303
    assert sent == ["signatures.outbox.send_due_emails_task"]
    assert Signature.objects.filter(email_requested_at__isnull=False).count() == 5
    assert outbox.send_due_emails_task.apply().get() == 5


def test_a_run_of_batches_stops_at_its_bound_and_says_more_are_due(letter, settings):
    settings.EMAIL_BATCH_SIZE = 2
    for _ in range(5):
        due_signature(letter)
    run = outbox.signatures_email_due(most=3)
    assert (run.claimed, run.sent, run.more_due) == (3, 3, True)
    rest = outbox.signatures_email_due()
    assert (rest.sent, rest.more_due) == (2, False)
    assert len(mail.outbox) == 5
