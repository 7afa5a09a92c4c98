import os
import re
import time

import pytest
from django.core.cache import cache

from config.celery import app as celery_app
from petition.selectors import forget_letters
from signatures.defences import forget_blocks
from signatures.trust import forget_protected_names

from .factories import LetterFactory, ProfessionFactory
from .processes import reset_broker_backoff
from .smtp_server import SMTPServer

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def need(available: bool, what: str) -> None:
    """Skip when a service is missing locally; fail when CI (REQUIRE_SERVICES=1) promised it."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but not available")
    pytest.skip(f"{what} not available")


def away_from_a_minute_edge() -> None:
    """Rate limits count in fixed windows (a minute, an hour): a test that sends a few
    requests must not straddle a minute's end, where the count starts again (one did)."""
    while time.time() % 60 > 50:
        time.sleep(0.5)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MAILBOX_DIR = tmp_path / "mail"
    settings.VAR_DIR = tmp_path  # files the site writes (open data) stay with the test
    settings.SITE_URL = "http://testserver"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.RATELIMIT_ENABLE = False  # tests/signatures/test_defences.py turns it on
    celery_app.conf.task_always_eager = True
    cache.clear()
    forget_letters()
    forget_blocks()
    forget_protected_names()
    reset_broker_backoff()
    yield
    cache.clear()


@pytest.fixture
def letter(db):
    letter = LetterFactory(slug="ai-training", featured=True)
    for order, key in enumerate(["illustrator", "actor", "composer", "novelist"]):
        ProfessionFactory(letter=letter, key=key, labels={"en": key.title()}, order=order)
    return letter


@pytest.fixture
def sign_data():
    return {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "profession": "novelist",
        "role": "Novelist",
        "country": "GB",
        "link": "https://example.org/ada",
        "show_name": "on",
    }


@pytest.fixture
def sign(client, django_capture_on_commit_callbacks):
    """POST the sign form as a browser would, running on-commit work (emails, folds)."""

    def _sign(letter, data, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/letters/{letter.slug}/sign/", data, **extra)

    return _sign


LINK = re.compile(
    r"http://testserver(/letters/[^/]+/(confirm|withdraw|erase|manage|unsubscribe)/[^/\s]+/)"
)


def links_in(message) -> dict[str, str]:
    """{'confirm': path, 'withdraw': path} from an email's text body."""
    return {kind: path for path, kind in LINK.findall(message.body)}


@pytest.fixture
def visit(client, django_capture_on_commit_callbacks):
    """GET or POST a path, running on-commit work as a real request would."""

    def _visit(path, method="get", data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return getattr(client, method)(path, data or {})

    return _visit


@pytest.fixture
def smtp_server(settings):
    """Email really sent over SMTP to a server in this process (tests/smtp_server.py)."""
    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
