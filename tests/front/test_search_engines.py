"""What search engines are given: /robots.txt, /sitemap.xml of the letters, and /letters/,
an index of them with their counts."""

import re

import pytest

from signatures.counting import tally_recount

from ..factories import LetterFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_robots_txt_keeps_crawlers_off_private_and_token_pages(client, letter):
    response = client.get("/robots.txt")
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    for path in ("/organise/", "/accounts/", "/api/", "/letters/*/confirm/", "/letters/*/manage/"):
        assert f"Disallow: {path}" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_the_sitemap_lists_every_letter_in_each_of_its_languages(client, letter):
    other = LetterFactory(slug="second-letter")
    body = client.get("/sitemap.xml").content.decode()
    for language in letter.languages():
        assert f"/letters/{letter.slug}/?lang={language}</loc>" in body
    assert f"/letters/{other.slug}/?lang={other.language}</loc>" in body
    assert "<lastmod>" in body


def test_the_index_lists_letters_with_their_counts(client, letter):
    SignatureFactory.create_batch(3, letter=letter)
    tally_recount(letter_id=letter.pk)
    LetterFactory(slug="quiet-letter", title_en="A quiet letter")
    page = client.get("/letters/").content.decode()
    assert letter.title("en") in page and "A quiet letter" in page
    assert page.index(letter.title("en")) < page.index("A quiet letter")  # featured first
    assert "3 <span data-count-phrase" in page
    arabic = client.get("/letters/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert letter.title("ar") in arabic


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/letters/",
        "/letters/{slug}/",
        "/letters/{slug}/signatures/",
        "/letters/{slug}/verification/",
        "/privacy/",
    ],
)
def test_every_public_page_has_one_meta_description(client, letter, path):
    body = client.get(path.format(slug=letter.slug)).content.decode()
    found = re.findall(r'<meta name="description" content="([^"]+)">', body)
    assert len(found) == 1 and len(found[0]) > 20
