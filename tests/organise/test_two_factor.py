"""Two-factor authentication on every organiser page and action (organise/two_factor.py),
and a fresh code for the moves that hand over a letter or its signers."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver

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
    # allauth's page asks for the authenticator code; once typed, the kept request goes on.
    assert client.get(asked["Location"]).status_code == 200
    done = client.post(asked["Location"], {"code": _code(alice)})
    assert done.status_code == 302
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
        {"kind": "domain", "value": "gmail.com", "reason": "spam"},
    )
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")
    assert not Block.objects.exists()


def test_an_ip_block_needs_no_fresh_code_but_a_domain_block_does(cast, as_user):
    client = as_user(cast["bob"], fresh_code=False)
    url = f"/organise/letters/{cast['letter'].slug}/blocks/"
    assert client.post(url, {"kind": "network", "value": "203.0.113.0/24"}).status_code == 302
    assert Block.objects.filter(kind="network").exists()
    asked = client.post(url, {"kind": "domain", "value": "gmail.com"})
    assert asked["Location"].startswith("/accounts/2fa/reauthenticate/")
    assert not Block.objects.filter(kind="domain").exists()


def test_a_domain_block_is_emailed_to_the_owners(cast, as_user):
    as_user(cast["bob"]).post(
        f"/organise/letters/{cast['letter'].slug}/blocks/", {"kind": "domain", "value": "gmail.com"}
    )
    notices = [m for m in mail.outbox if m.to == [cast["alice"].email]]
    assert len(notices) == 1 and "gmail.com" in notices[0].body


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
