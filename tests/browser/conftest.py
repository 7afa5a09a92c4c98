import os
import shutil
from pathlib import Path

import pytest

from ..conftest import need

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="session")
def browser():
    need(Path(CHROMIUM).exists() or bool(shutil.which("chromium")), "Chromium (/usr/bin/chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
    # test body are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch(sync_api)
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _launch(sync_api):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--headless",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, settings, transactional_db, browser):
    """The demo letter on a live server, emails in the dev mailbox. Every browser context a
    test left open is closed before the server stops (an open letter page polls the count,
    and on SQLite a request arriving during teardown raised in the server's threads)."""
    from django.core.management import call_command

    settings.SITE_URL = live_server.url
    settings.EMAIL_BACKEND = "ops.mailbox.MailboxBackend"
    settings.DEV_MAILBOX_ENABLED = True
    settings.SIGN_MIN_SECONDS = 0  # Playwright types faster than a person
    call_command("seed_demo", verbosity=0)
    yield live_server.url
    for context in browser.contexts:
        context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def _shot(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return _shot
