"""Answers' headers (contract, "Answers"): organiser and account pages are never stored by a
browser or proxy; every page says which powerful browser features it does not use; the
language cookie is HttpOnly, SameSite and, with DEBUG off, Secure."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/organise/", "/accounts/login/", "/accounts/password/reset/"])
def test_organiser_and_account_pages_are_never_stored(client, path):
    assert "no-store" in client.get(path)["Cache-Control"]


def test_an_organisers_queue_with_addresses_is_never_stored(cast, as_user):
    answer = as_user(cast["alice"]).get(f"/organise/letters/{cast['letter'].slug}/")
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("path", ["/", "/letters/ai-training/", "/letters/", "/privacy/"])
def test_public_pages_carry_a_permissions_policy(client, letter, path):
    policy = client.get(path)["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "browsing-topics=()" in policy


def test_the_language_cookie_is_httponly_and_same_site(client, db, settings):
    answer = client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    cookie = answer.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_with_debug_off_the_language_cookie_is_secure():
    import os
    import subprocess
    import sys

    from ..layout import ROOT

    code = "from django.conf import settings; print(settings.LANGUAGE_COOKIE_SECURE)"
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.org"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    answer = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert answer.stdout.strip() == "True", answer.stderr
