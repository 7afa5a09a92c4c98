"""End to end with a real Celery worker process on Redis and PostgreSQL: the worker sends the
confirmation email and folds the count, exactly as in production."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app as celery_app
from ops.mailbox import list_messages
from signatures.counting import letter_count

from ..conftest import need
from ..factories import LetterFactory, ProfessionFactory
from ..processes import database_url, stop, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def start_worker(settings, tmp_path):
    """Start real `celery worker` subprocesses sharing this test's database, Redis and
    mailbox; all are stopped at the end."""
    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    need(bool(settings.REDIS_URL), "Redis (REDIS_URL)")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    processes = []

    def _start(**extra_env) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "MAILBOX_DIR": str(settings.MAILBOX_DIR),
            "SECRET_KEY": settings.SECRET_KEY,
            "SITE_URL": settings.SITE_URL,
            "EMAIL_HOST": "",
            "DEBUG": "1",
            **extra_env,
        }
        log = open(tmp_path / f"worker-{len(processes)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--queues=celery,counts",
                *(["--purge"] if not processes else []),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append((process, log))
        wait_for(lambda: celery_app.control.ping(timeout=0.5), timeout=60, what="the worker")
        return process

    yield _start
    stop([process for process, _log in processes])
    for _process, log in processes:
        log.close()
    celery_app.conf.task_always_eager = True


@pytest.fixture
def worker(start_worker):
    return start_worker()


def test_real_worker_sends_the_email_and_the_confirmation_counts(worker, client, sign_data):
    letter = LetterFactory(slug="worker-letter")
    ProfessionFactory(letter=letter, key="novelist")

    response = client.post(f"/letters/{letter.slug}/sign/", sign_data)
    assert response.status_code == 303

    messages = wait_for(list_messages, timeout=30, what="the confirmation email")
    assert len(messages) == 1
    assert messages[0].to == "ada@example.org"
    confirm = next(w for w in messages[0].text.split() if "/confirm/" in w)

    assert client.get(confirm.removeprefix("http://testserver")).status_code == 200
    wait_for(lambda: letter_count(letter=letter).signatures == 1, timeout=15, what="the count")
    time.sleep(1)
    assert len(list_messages()) == 1


def test_killed_worker_loses_no_email_and_sends_none_twice(start_worker, settings):
    from datetime import timedelta

    from django.utils import timezone

    from signatures.models import Signature
    from signatures.outbox import send_due_emails_task, send_pending_confirmations_task

    from ..factories import SignatureFactory

    letter = LetterFactory()
    profession = ProfessionFactory(letter=letter)
    requested = timezone.now() - timedelta(minutes=1)
    signatures = [
        SignatureFactory(
            letter=letter,
            profession=profession,
            state=Signature.State.PENDING,
            confirmed_at=None,
            email_requested_at=requested,
        )
        for _ in range(30)
    ]
    slow = {
        "EMAIL_BACKEND": "tests.slow_mailbox.SlowMailboxBackend",
        "SLOW_MAILBOX_SECONDS": "0.25",
        "EMAIL_LEASE_SECONDS": "3",
        "EMAIL_SWEEP_AFTER_SECONDS": "0",
    }
    first = start_worker(**slow)
    send_due_emails_task.delay()
    wait_for(lambda: len(list_messages(limit=100)) >= 5, timeout=30, what="a few emails")
    first.kill()  # SIGKILL mid-batch: no chance to finish or re-queue anything
    first.wait(timeout=10)
    delivered_before_restart = len(list_messages(limit=100))
    assert delivered_before_restart < 30

    start_worker(**slow)

    def all_sent() -> bool:
        if Signature.objects.filter(email_requested_at__isnull=False).exists():
            send_pending_confirmations_task.delay()  # what beat does every minute
            return False
        return True

    wait_for(all_sent, timeout=90, what="every confirmation")
    recipients = [m.to for m in list_messages(limit=100)]
    assert sorted(recipients) == sorted(s.email for s in signatures)


def test_a_real_worker_sends_nothing_to_a_suppressed_address(worker, client, sign_data):
    from petition.models import Suppression
    from signatures.models import Signature

    letter = LetterFactory(slug="worker-suppressed")
    ProfessionFactory(letter=letter, key="novelist")
    Suppression.objects.create(
        email_key="ada@example.org",
        reason="bounced",
        provider="Postmark",
        event_at="2026-12-06T10:00Z",
    )
    client.post(f"/letters/{letter.slug}/sign/", sign_data)
    client.post(f"/letters/{letter.slug}/sign/", {**sign_data, "email": "bo@example.org"})
    messages = wait_for(list_messages, timeout=30, what="the other signer's email")
    wait_for(
        lambda: not Signature.objects.filter(email_requested_at__isnull=False).exists(),
        timeout=30,
        what="both decided",
    )
    assert [m.to for m in list_messages()] == ["bo@example.org"] == [m.to for m in messages]
    assert Signature.objects.get(email="ada@example.org").email_failure == "suppressed"
