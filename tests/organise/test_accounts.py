import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail

from petition.models import Organiser

from .conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-123"


def test_sign_in_with_email_and_password(client, cast):
    make_user("erin", two_factor=False)
    response = client.post("/accounts/login/", {"login": "erin@example.org", "password": PASSWORD})
    assert response.status_code == 302
    # Signed in, but a password alone opens no organiser page: on to two-factor set-up.
    dashboard = client.get("/organise/")
    assert dashboard.status_code == 302
    assert dashboard["Location"].startswith("/accounts/2fa/totp/activate/")


def test_sign_in_behind_the_stacks_proxy(client, cast, settings):
    """Behind nginx, gunicorn listens on a unix socket: no REMOTE_ADDR, the address is in
    X-Forwarded-For (TRUSTED_PROXY_COUNT=1, as bin/stack sets). allauth answered 403."""
    settings.TRUSTED_PROXY_COUNT = 1
    make_user("ines", two_factor=False)
    response = client.post(
        "/accounts/login/",
        {"login": "ines@example.org", "password": PASSWORD},
        REMOTE_ADDR="",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert response.status_code == 302


def test_mfa_enabled_sign_in_requires_the_code(client, cast):
    import time

    dave = make_user("dave", two_factor=False)
    secret = generate_totp_secret()
    TOTP.activate(dave, secret)
    response = client.post("/accounts/login/", {"login": "dave@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/organise/").status_code == 302  # not signed in yet
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and client.get("/organise/").status_code == 302
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert client.get("/organise/").status_code == 200


def test_open_sign_up_is_off_by_default(client, db):
    response = client.get("/accounts/signup/")
    assert "closed" in response.content.decode().lower()


def test_owner_invites_a_new_organiser_who_sets_a_password(
    cast, as_user, client, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    owner = as_user(cast["alice"])
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(
            f"/organise/letters/{cast['letter'].slug}/organisers/",
            {"email": "dana@example.org", "role": "moderator"},
        )
    assert response.status_code == 302
    dana = get_user_model().objects.get(email="dana@example.org")
    assert Organiser.objects.filter(user=dana, letter=cast["letter"], role="moderator").exists()
    message = mail.outbox[-1]
    assert message.to == ["dana@example.org"]
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", message.body).group(1)
    client.logout()
    opened = client.get(link)  # allauth moves the key into the session, then redirects
    assert opened.status_code == 302
    new_password = "dana-new-password-456"
    done = client.post(opened["Location"], {"password1": new_password, "password2": new_password})
    assert done.status_code == 302
    next_step = client.get(done["Location"]).content.decode()
    assert "Your password is set" in next_step and 'href="/accounts/login/"' in next_step
    signed_in = client.post(
        "/accounts/login/", {"login": "dana@example.org", "password": new_password}
    )
    assert signed_in.status_code == 302
    # Their first stop with signer data is setting up two-factor authentication.
    queue = client.get(f"/organise/letters/{cast['letter'].slug}/")
    assert queue.status_code == 302 and queue["Location"].startswith("/accounts/2fa/totp/activate/")


def test_password_reset_mail_goes_through_the_outbox(visit, cast, settings):
    visit("/accounts/password/reset/", "post", {"email": "alice@example.org"})
    assert mail.outbox and mail.outbox[-1].to == ["alice@example.org"]


def test_add_organiser_command(db, letter, capsys):
    from django.core.management import call_command

    call_command("add_organiser", letter.slug, "erin@example.org", "--role", "owner")
    assert Organiser.objects.get(user__email="erin@example.org").role == "owner"
    assert "erin@example.org" in capsys.readouterr().out


def test_unverified_staff_user_can_still_reach_admin_only_after_sign_in(client, db):
    user = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/").status_code == 200


def test_admin_sign_in_goes_through_allauth_so_mfa_applies(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    make_user("plain", two_factor=False)
    client.post("/accounts/login/", {"login": "plain@example.org", "password": PASSWORD})
    assert client.get("/admin/login/").status_code == 403  # signed in, but not staff


def test_the_sign_in_page_offers_no_sign_up_while_sign_up_is_closed(client, db, settings):
    assert "sign up" not in client.get("/accounts/login/").content.decode().lower()
    settings.ACCOUNT_SIGNUP_OPEN = True
    assert "sign up" in client.get("/accounts/login/").content.decode().lower()


def test_cancel_on_the_two_factor_step_does_not_look_like_the_main_action(client, cast):
    dave = make_user("dave", two_factor=False)
    TOTP.activate(dave, generate_totp_secret())
    client.post("/accounts/login/", {"login": "dave@example.org", "password": PASSWORD})
    body = client.get("/accounts/2fa/authenticate/").content.decode()
    buttons = [line for line in body.splitlines() if 'class="button' in line]
    assert any("button--quiet" in line for line in buttons)  # Cancel
    assert any(line.strip().endswith('class="button">') for line in buttons)  # Sign in


def test_an_organiser_without_two_factor_goes_from_the_password_to_setting_it_up(client, letter):
    user = make_user("fresh", two_factor=False)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get(response["Location"])
    assert page.status_code == 200  # no second password asked for right after signing in
    assert 'id="authenticator_secret"' in page.content.decode()


def test_an_organiser_with_two_factor_signs_in_as_usual(client, letter):
    user = make_user("usual")
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"  # the code, then the letters
