"""The page everyone gets: first visits share one cacheable page with no token and no
cookie; anyone with a cookie gets a private page; a token arrives when it is needed."""

import re

import pytest
from django.test import Client

from signatures.models import Signature

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


def tokens(response) -> list[str]:
    return TOKEN.findall(response.content.decode())


@pytest.mark.parametrize("path", ["/", "/letters/ai-training/"])
def test_a_first_visit_gets_the_shared_page(letter, path):
    response = Client().get(path)
    assert response.status_code == 200
    assert not response.cookies  # nothing personal: an edge cache may give it to everyone
    assert tokens(response) and set(tokens(response)) == {""}
    assert 'data-csrf-url="/csrf/"' in response.content.decode()
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=0", "s-maxage=1"} <= cache_control
    assert "Cookie" not in response.get("Vary", "")
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("cookie", ["csrftoken", "sessionid", "django_language", "messages"])
def test_anyone_with_a_cookie_gets_a_private_page(letter, cookie):
    client = Client()
    client.cookies[cookie] = "A" * 32 if cookie == "csrftoken" else "en"
    response = client.get(f"/letters/{letter.slug}/")
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert all(tokens(response))  # real tokens in every form


def test_the_token_endpoint_sets_the_cookie_and_is_never_cached(client, db):
    response = client.get("/csrf/")
    assert response.status_code == 200
    assert len(response.json()["token"]) == 64
    assert "csrftoken" in response.cookies
    assert "no-cache" in response["Cache-Control"]


def test_signing_with_a_token_fetched_for_a_shared_page(letter, sign_data):
    client = Client(enforce_csrf_checks=True)
    assert set(tokens(client.get(f"/letters/{letter.slug}/"))) == {""}
    token = client.get("/csrf/").json()["token"]  # what static/js/csrf.js does
    data = {**sign_data, "csrfmiddlewaretoken": token}
    assert client.post(f"/letters/{letter.slug}/sign/", data).status_code == 303
    assert Signature.objects.get().email == "ada@example.org"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_SEC_FETCH_SITE": "none"},
    ],
)
def test_without_javascript_a_browser_signs_in_one_press(letter, sign_data, headers):
    """The shared page carries no token; the browser's word that the POST comes from this
    site stands in for it (front/deferred_csrf.py)."""
    client = Client(enforce_csrf_checks=True)
    client.get(f"/letters/{letter.slug}/")
    data = {**sign_data, "csrfmiddlewaretoken": ""}
    response = client.post(f"/letters/{letter.slug}/sign/", data, **headers)
    assert response.status_code == 303
    assert Signature.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://testserver"},
    ],
)
def test_a_cross_site_sign_post_is_refused_and_signs_nothing(letter, sign_data, headers):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/letters/{letter.slug}/sign/", sign_data, **headers)
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_a_client_that_says_nothing_of_its_origin_needs_the_token_and_comes_back_once(
    letter, sign_data
):
    client = Client(enforce_csrf_checks=True)
    client.get(f"/letters/{letter.slug}/")  # the shared page: empty token, no cookie
    first = client.post(f"/letters/{letter.slug}/sign/", {**sign_data, "csrfmiddlewaretoken": ""})
    assert first.status_code == 403
    body = first.content.decode()
    assert "One more step" in body
    assert 'value="Ada Lovelace"' in body and 'value="ada@example.org"' in body
    assert "csrftoken" in first.cookies and "private" in first["Cache-Control"]
    assert not Signature.objects.exists()
    (token,) = set(tokens(first))
    second = client.post(
        f"/letters/{letter.slug}/sign/", {**sign_data, "csrfmiddlewaretoken": token}
    )
    assert second.status_code == 303
    assert Signature.objects.count() == 1


def test_a_forged_post_elsewhere_gets_the_plain_csrf_page(db):
    response = Client(enforce_csrf_checks=True).post("/i18n/setlang/", {"language": "ar"})
    assert response.status_code == 403
    assert "Please try again" in response.content.decode()


def test_a_forged_post_to_a_closed_letter_signs_nothing(letter, sign_data):
    letter.state = "closed"
    letter.save()
    response = Client(enforce_csrf_checks=True).post(f"/letters/{letter.slug}/sign/", sign_data)
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_the_shared_page_is_gzipped_and_no_page_with_a_secret_is(client, letter):
    shared = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_ENCODING="gzip")
    assert shared["Content-Encoding"] == "gzip" and "Accept-Encoding" in shared["Vary"]
    import gzip

    html = gzip.decompress(shared.content).decode()
    assert 'name="csrfmiddlewaretoken" value=""' in html  # no secret in it
    client.cookies["csrftoken"] = "x" * 32
    own = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in own  # a page of its own carries a token: never gzipped
    framed = client.get(f"/letters/{letter.slug}/embed/form/", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in framed  # this client has a cookie now
