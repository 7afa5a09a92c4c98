"""No URL answers 5xx, whatever its parameters, body or charset: every public and organiser
route, found from the URL configuration itself (so a new route is covered the day it lands),
tried as a stranger and as the letter's owner with two-factor authentication."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from updates.models import Update

from .organise.conftest import make_user

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PARAMETERS = [
    "state",
    "before",
    "country",
    "profession",
    "notable",
    "q",
    "cursor",
    "key",
    "next",
    "page",
    "ids",
    "action",
    "all_matching",
    "reason",
    "send_at",
    "to",
    "subject_en",
    "body_en",
    "subject_ar",
    "body_ar",
    "public",
]
hostile = st.one_of(
    st.sampled_from(["", "ZZ", "abc", "-1", "0", "9" * 30, "bogus", "%ff", "\x00", "<x>", "1e9"]),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60),
)


def _routes(resolver=None, prefix="") -> list[str]:
    """Every route under / and /organise/ with its arguments filled in."""
    paths = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("admin/", "accounts/", "i18n/")):
                continue
            paths += _routes(entry, route)
        elif isinstance(entry, URLPattern):
            paths.append(route)
    filled = []
    for route in paths:
        route = route.replace("<slug:slug>", "ai-training").replace("<str:token>", "x" * 20)
        route = route.replace("<str:message_id>", "nope").replace("<int:pk>", "1")
        route = route.replace("<str:language>", "ar")
        filled.append("/" + route.lstrip("^/").rstrip("$"))
    return sorted(set(filled))


ROUTES = _routes()


def test_every_route_is_found():
    assert "/letters/ai-training/sign/" in ROUTES
    assert "/organise/letters/ai-training/" in ROUTES
    assert "/organise/letters/ai-training/export.csv" in ROUTES
    assert "/organise/letters/ai-training/updates/1/" in ROUTES


@pytest.fixture
def owner_client(letter):
    from petition.models import Organiser

    owner = make_user("olive")
    Organiser.objects.create(letter=letter, user=owner, role=Organiser.Role.OWNER)
    update = Update.objects.create(pk=1, letter=letter, created_by=owner)  # the routes' <int:pk>
    update.texts.create(language="en", subject="News", body="Some **news**.")
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    return client


@EXAMPLES
@given(
    path=st.sampled_from(ROUTES),
    params=st.dictionaries(st.sampled_from(PARAMETERS), hostile, max_size=4),
    method=st.sampled_from(["get", "post"]),
)
def test_no_route_answers_5xx_to_the_owner(owner_client, path, params, method):
    response = getattr(owner_client, method)(path, params)
    assert response.status_code < 500, (method, path, params)


@EXAMPLES
@given(
    path=st.sampled_from(ROUTES),
    params=st.dictionaries(st.sampled_from(PARAMETERS), hostile, max_size=4),
)
def test_no_route_answers_5xx_to_a_stranger(client, letter, path, params):
    assert client.get(path, params).status_code < 500, (path, params)


@pytest.mark.parametrize(
    "charset", ["utf-16", "utf-32", "utf-7", "no-such-charset", "utf-16le", "iso-8859-1"]
)
@pytest.mark.parametrize(
    "path", ["/letters/ai-training/sign/", "/accounts/login/", "/organise/letters/ai-training/"]
)
def test_a_body_in_an_unreadable_charset_is_a_400(letter, charset, path):
    client = Client(enforce_csrf_checks=True)  # as in production: CSRF reads the body too
    body = "name=Ada&email=ada%40example.org".encode("utf-16")
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    response = client.generic("POST", path, body, content_type=content_type)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
        (b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n\xff', "multipart/form-data"),
        (b"\xff\xfe=\x00", "application/x-www-form-urlencoded"),
    ],
)
def test_a_broken_body_that_fails_the_csrf_check_is_a_4xx(letter, body, content_type):
    client = Client(enforce_csrf_checks=True)
    response = client.generic("POST", "/letters/ai-training/sign/", body, content_type=content_type)
    assert 400 <= response.status_code < 500


def test_a_utf8_body_still_works(letter):
    for charset in ("utf-8", "UTF-8"):
        response = Client().post(
            "/letters/ai-training/sign/",
            data=b"name=Ada",
            content_type=f"application/x-www-form-urlencoded; charset={charset}",
        )
        assert response.status_code == 400  # the form's own errors, not the charset
        assert b"form-errors" in response.content
