"""Helpers for tests that run real processes: waiting, the test database's URL for a
subprocess, pointing this process's Celery at a broker, and stopping what was started."""

import subprocess
import time

import pytest
from django.conf import settings

from config.celery import app as celery_app
from ops import queue


def reset_broker_backoff() -> None:
    """Forget this process's broker back-off and its windows (ops.queue keeps both per
    process), so one test's dead broker does not skip the next test's tasks."""
    queue._broker_down_until = 0.0
    queue._asked.clear()


def wait_for(predicate, *, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def database_url() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def use_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    celery_app._pool = None  # connection and producer pools are cached per broker
    celery_app.amqp._producer_pool = None
    reset_broker_backoff()


def stop(processes) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
