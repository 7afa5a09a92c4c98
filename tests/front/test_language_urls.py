"""A URL per language (contract, "Reach"): every public page of a letter answers in
`?lang=<code>` whatever the browser says, lists its alternates for search engines, and the
language switcher links to them."""

import re

import pytest
from django.test import Client

from petition.models import LetterText

pytestmark = pytest.mark.django_db

PAGES = ["/letters/{slug}/", "/letters/{slug}/signatures/", "/letters/{slug}/verification/"]


@pytest.fixture
def trilingual(letter):
    LetterText.objects.create(letter=letter, language="fr", title="Lettre", body="Nous.")
    return letter


def _links(body: str, rel: str) -> dict[str, str]:
    found = re.findall(rf'<link rel="{rel}" hreflang="([^"]+)" href="([^"]+)"', body)
    return dict(found)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("language", ["en", "ar", "fr"])
def test_each_language_has_its_own_url_with_no_cookie_and_no_accept_language(
    trilingual, page, language
):
    path = page.format(slug=trilingual.slug)
    answer = Client().get(f"{path}?lang={language}")  # a fresh browser: nothing to go by
    body = answer.content.decode()
    assert answer.status_code == 200
    assert f'<html lang="{language}"' in body
    assert f'<link rel="canonical" href="http://testserver{path}?lang={language}">' in body
    alternates = _links(body, "alternate")
    assert set(alternates) == {"en", "ar", "fr", "x-default"}
    assert alternates["x-default"] == f"http://testserver{path}"
    for code, url in alternates.items():
        if code == "x-default":
            continue
        other = Client().get(url.removeprefix("http://testserver"))
        assert other.status_code == 200 and f'<html lang="{code}"' in other.content.decode()


def test_a_language_the_letter_lacks_falls_back_as_before(client, trilingual):
    body = client.get(f"/letters/{trilingual.slug}/?lang=de", HTTP_ACCEPT_LANGUAGE="ar").content
    assert b'<html lang="ar"' in body


def test_the_switcher_links_to_each_language_instead_of_posting_a_cookie(client, trilingual):
    body = client.get(f"/letters/{trilingual.slug}/?lang=fr").content.decode()
    switcher = body[body.index('class="language-switcher"') :]
    switcher = switcher[: switcher.index("</nav>")]
    assert f'href="http://testserver/letters/{trilingual.slug}/?lang=ar"' in switcher
    assert 'aria-current="true">Français' in switcher or "aria-current" in switcher
    assert "set_language" not in switcher and "<form" not in switcher


def test_signing_from_a_language_url_stays_in_that_language(trilingual, sign, sign_data):
    from django.core import mail

    answer = sign(trilingual, sign_data, **{"QUERY_STRING": "lang=fr"})
    assert answer.status_code == 303 and answer["Location"].endswith("?lang=fr")
    assert mail.outbox[-1].subject.startswith("Confirmez")


def test_the_shared_page_is_kept_per_language_by_the_edge(client, trilingual):
    """nginx keys its page cache on the URI with its arguments (bin/nginx.conf.template)."""
    from ..layout import ROOT

    nginx = (ROOT / "bin" / "nginx.conf.template").read_text()
    assert "proxy_cache_key $uri$is_args$args|$http_accept_language|$gzip_ok;" in nginx
    english = client.get(f"/letters/{trilingual.slug}/?lang=en")
    assert "public" in english["Cache-Control"]  # still shared, one copy a language
