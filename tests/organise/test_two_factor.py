"""Two-factor authentication on every organiser page and action (organise/two_factor.py),
and a fresh code for the moves that hand over a letter or its signers."""

import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from petition.models import AuditEntry, Letter, Organiser
from signatures.models import Block

from .conftest import make_user

pytestmark = pytest.mark.django_db


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, route, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield namespace, route


def guarded_paths(slug: str) -> list[str]:
    """Every organiser URL (and the admin's index), from the URLconf itself: a page added
    later is in this list without anyone writing it down."""
    values = {"slug": slug, "pk": "1", "language": "fr", "int:pk": "1"}
    paths = []
    for namespace, route in _patterns(get_resolver()):
        if namespace != "organise":
            continue
        path = "/" + route
        for name, value in values.items():
            path = path.replace(f"<slug:{name}>", value).replace(f"<{name}>", value)
            path = path.replace(f"<int:{name}>", value).replace(f"<str:{name}>", value)
        assert "<" not in path, f"a converter this test does not fill in: {path}"
        paths.append(path)
    return [*paths, "/admin/"]


def test_the_list_covers_the_whole_organisers_area(cast):
    paths = guarded_paths(cast["letter"].slug)
    assert "/organise/" in paths and len(paths) >= 20
    assert f"/organise/letters/{cast['letter'].slug}/organisers/" in paths


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_password_alone_reaches_no_organiser_page_or_action(cast, as_user, method):
    owner = make_user("olive", two_factor=False, is_staff=True, is_superuser=True)
    letter = cast["letter"]
    Organiser.objects.create(letter=letter, user=owner, role=Organiser.Role.OWNER)
    client = as_user(owner)
    before = (AuditEntry.objects.count(), Organiser.objects.count(), Block.objects.count())
    for path in guarded_paths(letter.slug):
        data = {
            "email": "attacker@example.net",
            "role": "owner",
            "action": "move",
            "to": "closed",
            "confirmed": "1",
            "kind": "domain",
            "value": "gmail.com",
        }
        response = getattr(client, method)(path, data if method == "post" else None)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/2fa/totp/activate/"), path
    assert (AuditEntry.objects.count(), Organiser.objects.count(), Block.objects.count()) == before
    assert Letter.objects.get(pk=letter.pk).state == letter.state


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(client, cast):
    for path in guarded_paths(cast["letter"].slug):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login/" in response["Location"], path


def _code(user) -> str:
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).wrap()
    return format_hotp_value(hotp_value(totp.instance.data["secret"], int(time.time() // 30)))


def test_adding_an_owner_asks_for_a_fresh_code_then_goes_on(cast, as_user, settings):
    alice, letter = cast["alice"], cast["letter"]
    client = as_user(alice, fresh_code=False)  # signed in long ago
    url = f"/organise/letters/{letter.slug}/organisers/"
    asked = client.post(url, {"email": "mallory@example.net", "role": "owner"})
    assert asked.status_code == 302 and asked["Location"].startswith(
        "/accounts/2fa/reauthenticate/"
    )
    assert not Organiser.objects.filter(user__email="mallory@example.net").exists()
    # allauth's page asks for the code, then sends the organiser back to the page (nothing is
    # kept and replayed), where the same press now goes through.
    assert client.get(asked["Location"]).status_code == 200
    back = client.post(asked["Location"], {"code": _code(alice)})
    assert back.status_code == 302 and back["Location"] == url
    assert not Organiser.objects.filter(user__email="mallory@example.net").exists()
    client.post(url, {"email": "mallory@example.net", "role": "owner"})
    assert Organiser.objects.filter(
        user__email="mallory@example.net", role=Organiser.Role.OWNER
    ).exists()
    told = [
        m
        for m in mail.outbox
        if "mallory@example.net" in m.body and m.to != ["mallory@example.net"]
    ]
    assert not told or all(m.to != [alice.email] for m in told)


def test_a_new_owner_is_emailed_to_the_other_owners(cast, as_user):
    second = make_user("sol")
    Organiser.objects.create(letter=cast["letter"], user=second, role=Organiser.Role.OWNER)
    as_user(cast["alice"]).post(
        f"/organise/letters/{cast['letter'].slug}/organisers/",
        {"email": "newowner@example.org", "role": "owner"},
    )
    notices = [m for m in mail.outbox if m.to == [second.email]]
    assert len(notices) == 1 and "newowner@example.org" in notices[0].body
    assert "alice@example.org" in notices[0].body and "/audit/" in notices[0].body
    assert not [m for m in mail.outbox if m.to == [cast["alice"].email]]  # not the one acting


def test_a_code_typed_long_ago_is_not_fresh(cast, as_user, client):
    from .conftest import record_code

    as_user(cast["alice"], fresh_code=False)
    record_code(client, cast["alice"], seconds_ago=3600)
    response = client.post(
        f"/organise/letters/{cast['letter'].slug}/blocks/",
        {"kind": "domain", "value": "spam.example", "reason": "spam"},
    )
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")
    assert not Block.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value"), [("network", "203.0.113.0/24"), ("domain", "spam.example")]
)
def test_every_block_needs_a_fresh_code(cast, as_user, kind, value):
    client = as_user(cast["bob"], fresh_code=False)
    url = f"/organise/letters/{cast['letter'].slug}/blocks/"
    asked = client.post(url, {"kind": kind, "value": value})
    assert asked["Location"].startswith("/accounts/2fa/reauthenticate/")
    assert not Block.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("network", "0.0.0.0/0"),
        ("network", "10.0.0.0/8"),
        ("network", "::/0"),
        ("network", "2001:db8::/16"),
        ("domain", "com"),
        ("domain", "gmail.com"),
        ("domain", ".com"),
        ("domain", "a..b"),
    ],
)
def test_a_block_wide_enough_to_silence_everyone_is_refused(cast, as_user, kind, value):
    answer = as_user(cast["bob"]).post(
        f"/organise/letters/{cast['letter'].slug}/blocks/", {"kind": kind, "value": value}
    )
    assert answer.status_code == 400 and not Block.objects.exists()


def test_a_domain_block_is_emailed_to_the_owners(cast, as_user):
    as_user(cast["bob"]).post(
        f"/organise/letters/{cast['letter'].slug}/blocks/",
        {"kind": "domain", "value": "spam.example"},
    )
    notices = [m for m in mail.outbox if m.to == [cast["alice"].email]]
    assert len(notices) == 1 and "spam.example" in notices[0].body


def test_removing_an_organiser_asks_for_a_code_and_never_removes_the_last_owner(cast, as_user):
    letter = cast["letter"]
    bob = Organiser.objects.get(letter=letter, user=cast["bob"])
    alice = Organiser.objects.get(letter=letter, user=cast["alice"])
    url = f"/organise/letters/{letter.slug}/organisers/"
    stale = as_user(cast["alice"], fresh_code=False)
    asked = stale.post(url, {"action": "remove", "organiser": bob.pk})
    assert asked["Location"].startswith("/accounts/2fa/reauthenticate/")
    client = as_user(cast["alice"])
    assert client.post(url, {"action": "remove", "organiser": bob.pk}).status_code == 302
    assert not Organiser.objects.filter(pk=bob.pk).exists()
    assert AuditEntry.objects.filter(action="remove_organiser", letter=letter).exists()
    client.post(url, {"action": "remove", "organiser": alice.pk})
    assert Organiser.objects.filter(pk=alice.pk).exists()  # the last owner stays
    assert client.post(url, {"action": "remove", "organiser": "nope"}).status_code == 404


def test_publishing_asks_are_you_sure_then_for_a_code(cast, as_user):
    letter = cast["letter"]
    Letter.objects.filter(pk=letter.pk).update(state="private")
    url = f"/organise/letters/{letter.slug}/publishing/"
    client = as_user(cast["alice"], fresh_code=False)
    asked = client.post(url, {"action": "move", "to": "published"})
    assert asked.status_code == 200 and "Publish the letter now?" in asked.content.decode()
    assert Letter.objects.get(pk=letter.pk).state == "private"
    coded = client.post(url, {"action": "move", "to": "published", "confirmed": "1"})
    assert coded["Location"].startswith("/accounts/2fa/reauthenticate/")
    assert Letter.objects.get(pk=letter.pk).state == "private"
    fresh = as_user(cast["alice"])
    fresh.post(url, {"action": "move", "to": "published", "confirmed": "1"})
    assert Letter.objects.get(pk=letter.pk).state == "published"


def test_an_owner_made_a_moderator_through_the_invite_form_is_guarded(cast, as_user):
    letter, alice = cast["letter"], cast["alice"]
    url = f"/organise/letters/{letter.slug}/organisers/"
    stale = as_user(alice, fresh_code=False)
    asked = stale.post(url, {"email": alice.email, "role": "moderator"})
    assert asked["Location"].startswith("/accounts/2fa/reauthenticate/")  # a code first
    fresh = as_user(alice)
    fresh.post(url, {"email": alice.email, "role": "moderator"})  # the last owner: refused
    assert Organiser.objects.get(letter=letter, user=alice).role == "owner"
    second = make_user("sol")
    Organiser.objects.create(letter=letter, user=second, role="owner", language="fr")
    mail.outbox.clear()
    fresh.post(url, {"email": second.email, "role": "moderator"})
    assert Organiser.objects.get(letter=letter, user=second).role == "moderator"
    assert not [m for m in mail.outbox if "no longer an owner" in m.body and m.to == [alice.email]]


def test_scheduling_a_publish_or_close_asks_for_a_code_and_tells_the_owners(cast, as_user):
    letter = cast["letter"]
    second = make_user("sol")
    Organiser.objects.create(letter=letter, user=second, role="owner", language="fr")
    url = f"/organise/letters/{letter.slug}/publishing/"
    data = {"action": "schedule", "publish_at": "", "closes_at": "2031-01-01 12:00"}
    asked = as_user(cast["alice"], fresh_code=False).post(url, data)
    assert asked["Location"].startswith("/accounts/2fa/reauthenticate/")
    assert Letter.objects.get(pk=letter.pk).closes_at is None
    as_user(cast["alice"]).post(url, data)
    assert Letter.objects.get(pk=letter.pk).closes_at is not None
    notice = next(m for m in mail.outbox if m.to == [second.email])
    assert "a modifié quand" in notice.body or "publie" in notice.body or notice.body


def test_owners_are_told_in_their_own_language_and_not_about_themselves(cast, as_user):
    letter = cast["letter"]
    arabic = make_user("amal")
    Organiser.objects.create(letter=letter, user=arabic, role="owner", language="ar")
    as_user(cast["alice"]).post(
        f"/organise/letters/{letter.slug}/organisers/",
        {"email": "newowner@example.org", "role": "owner", "language": "fr"},
    )
    to_amal = [m for m in mail.outbox if m.to == [arabic.email]]
    assert len(to_amal) == 1 and "newowner@example.org" in to_amal[0].body
    assert to_amal[0].subject.startswith("تغيير")  # Arabic, as amal was invited
    to_new = [m for m in mail.outbox if m.to == ["newowner@example.org"]]
    assert len(to_new) == 1  # the invitation only, no notice about themselves


def test_a_removed_organiser_is_told(cast, as_user):
    bob = Organiser.objects.get(letter=cast["letter"], user=cast["bob"])
    as_user(cast["alice"]).post(
        f"/organise/letters/{cast['letter'].slug}/organisers/",
        {"action": "remove", "organiser": bob.pk},
    )
    assert [m for m in mail.outbox if m.to == [cast["bob"].email]]


def test_setting_two_factor_up_counts_as_a_fresh_code(client, db):
    from allauth.mfa.models import Authenticator  # noqa: F401 - the signal's sender
    from allauth.mfa.signals import authenticator_added

    from organise.two_factor import has_fresh_code

    user = make_user("nova", two_factor=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    request = client.get("/accounts/login/").wsgi_request
    request.user = user
    request.session = client.session
    totp = make_user("nova2").authenticator_set.first()
    authenticator_added.send(sender=None, request=request, user=user, authenticator=totp)
    assert has_fresh_code(request)


def test_recovery_codes_ask_again_once_two_factor_is_on(cast, client):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=cast["alice"].pk).update(last_login=None)
    # Two-factor has been on for a month: this sign-in is not its first set-up.
    Authenticator.objects.filter(user=cast["alice"]).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    client.post(
        "/accounts/login/", {"login": "alice@example.org", "password": "a-long-password-123"}
    )
    client.post("/accounts/2fa/authenticate/", {"code": _code(cast["alice"])})
    # Signed in with password and code a moment ago, yet the codes page asks again.
    answer = client.get("/accounts/2fa/recovery-codes/generate/")
    assert answer.status_code == 302 and "reauthenticate" in answer["Location"]


def test_the_code_page_says_why_and_offers_no_password_instead(cast, as_user):
    page = as_user(cast["alice"]).get("/accounts/2fa/reauthenticate/?next=/organise/")
    body = page.content.decode()
    assert page.status_code == 200 and "A fresh code from your authenticator app" in body
    assert "/accounts/reauthenticate/" not in body  # no "use your password" loop


def test_the_last_owner_is_offered_no_remove_button(cast, as_user):
    page = as_user(cast["alice"]).get(f"/organise/letters/{cast['letter'].slug}/organisers/")
    body = page.content.decode()
    assert "Remove bob@example.org" in body and "Remove alice@example.org" not in body
