import pytest

from signatures.models import Signature

from ..factories import SignatureFactory

pytestmark = pytest.mark.django_db


def test_list_page_shows_listed_signers_with_safe_links(client, letter):
    profession = letter.professions.get(key="actor")
    SignatureFactory(
        letter=letter,
        profession=profession,
        name="Listed One",
        role="Principal cellist",
        link="https://example.org/work",
        country="FR",
    )
    SignatureFactory(letter=letter, profession=profession, name="Private One", show_name=False)
    SignatureFactory(
        letter=letter, profession=profession, name="Pending One", state=Signature.State.PENDING
    )
    body = client.get(f"/letters/{letter.slug}/signatures/").content.decode()
    assert "Listed One" in body and "Principal cellist" in body and "France" in body
    assert 'href="https://example.org/work" rel="nofollow ugc noopener"' in body
    assert "Private One" not in body and "Pending One" not in body
    assert "@example.org" not in body


def test_list_page_escapes_names(client, letter):
    SignatureFactory(
        letter=letter, profession=letter.professions.first(), name="<script>alert(1)</script>"
    )
    body = client.get(f"/letters/{letter.slug}/signatures/").content.decode()
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;" in body


def test_list_page_searches_and_paginates(client, letter):
    profession = letter.professions.first()
    SignatureFactory.create_batch(60, letter=letter, profession=profession, name="Common Name")
    SignatureFactory(letter=letter, profession=profession, name="Rare Zoë")
    response = client.get(f"/letters/{letter.slug}/signatures/?q=zoe")
    assert "Rare Zoë" in response.content.decode()
    assert "Common Name" not in response.content.decode()
    first = client.get(f"/letters/{letter.slug}/signatures/").content.decode()
    assert 'rel="next"' in first


def test_list_page_bad_filter_answers_400_with_the_form(client, letter):
    response = client.get(f"/letters/{letter.slug}/signatures/?country=XX")
    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()


def test_letter_page_links_to_the_list_and_polls_the_count(client, letter):
    body = client.get(f"/letters/{letter.slug}/").content.decode()
    assert f'data-count-url="/api/letters/{letter.slug}/count"' in body
    assert f'href="/letters/{letter.slug}/signatures/"' in body
    assert "js/live.js" in body
