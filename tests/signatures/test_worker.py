"""End to end with a real Celery worker process on Redis and PostgreSQL: the worker sends the
confirmation email and folds the count, exactly as in production."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from ops.mailbox import list_messages
from signatures.selectors import letter_count

from ..conftest import need
from ..factories import LetterFactory, ProfessionFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def wait_for(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def worker(settings, tmp_path):
    """A real `celery worker` subprocess sharing this test's database, Redis and mailbox."""
    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    need(bool(settings.REDIS_URL), "Redis (REDIS_URL)")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "MAILBOX_DIR": str(settings.MAILBOX_DIR),
        "SECRET_KEY": settings.SECRET_KEY,
        "SITE_URL": settings.SITE_URL,
        "EMAIL_HOST": "",
        "DEBUG": "1",
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
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
            "--purge",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: celery_app.control.ping(timeout=0.5), timeout=60, what="the worker")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        celery_app.conf.task_always_eager = True
        print((tmp_path / "worker.log").read_text()[-4000:])


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
