"""A worker loses its database connection mid-batch, again and again, or is killed: every
signer still gets their email, and a re-sent email is the same message."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from ops.mailbox import list_messages
from signatures.models import Signature
from signatures.outbox import send_due_emails_task, send_pending_confirmations_task

from ..factories import LetterFactory, ProfessionFactory, SignatureFactory
from ..processes import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SLOW_WORKER = {
    "EMAIL_BACKEND": "tests.slow_mailbox.SlowMailboxBackend",
    "SLOW_MAILBOX_SECONDS": "0.1",
    "EMAIL_LEASE_SECONDS": "3",
    "EMAIL_SWEEP_AFTER_SECONDS": "0",
    "EMAIL_BATCH_SIZE": "10",
}


def _drop_other_connections() -> int:
    """What a database restart or a network cut does to the worker: its connection dies."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_connections_dropped_mid_batch_lose_nothing_and_change_no_message(background, tmp_path):
    letter = LetterFactory(slug="dropped")
    profession = ProfessionFactory(letter=letter, key="novelist")
    requested = timezone.now() - timedelta(minutes=1)
    signatures = SignatureFactory.create_batch(
        40,
        letter=letter,
        profession=profession,
        state=Signature.State.PENDING,
        confirmed_at=None,
        email_requested_at=requested,
    )
    common = ["--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    background("email", "worker", "-Q", "celery", "--pool", "solo", *common, **SLOW_WORKER)
    wait_for(lambda: celery_app.control.ping(timeout=0.5), timeout=60, what="the worker")
    send_due_emails_task.delay()
    dropped = 0
    for _ in range(6):  # cut the worker's connection while it sends
        time.sleep(0.7)
        dropped += _drop_other_connections()
    assert dropped >= 1

    def all_sent() -> bool:
        if Signature.objects.filter(email_requested_at__isnull=False).exists():
            send_pending_confirmations_task.delay()  # what beat does
            return False
        return True

    wait_for(all_sent, timeout=90, what="every email", every=1)
    assert background.processes["email"].poll() is None
    messages = list_messages(limit=500)
    by_address: dict[str, set[str]] = {}
    for message in messages:
        by_address.setdefault(message.to, set()).add(message.subject)
    assert sorted(by_address) == sorted(s.email for s in signatures)
    assert all(len(subjects) == 1 for subjects in by_address.values())  # the same message
    assert not any("already signed" in m.subject for m in messages)
    duplicates = len(messages) - len(by_address)
    print(f"{dropped} connections dropped; {duplicates} re-sent after a lost mark")
