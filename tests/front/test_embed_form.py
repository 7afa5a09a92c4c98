"""The sign form for partner sites' iframes (front/embed_form.py): framed anywhere, signing
with no cookie at all, every answer inside the frame."""

import pytest
from django.core import mail

from petition.models import Letter
from signatures.models import Signature

from ..conftest import away_from_a_minute_edge, links_in

pytestmark = pytest.mark.django_db

CROSS_SITE_FRAME = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_SEC_FETCH_DEST": "iframe"}


@pytest.fixture
def post_form(client, django_capture_on_commit_callbacks):
    """POST the embedded form as a browser in a third-party frame does: no cookie."""

    def _post(letter, data, query=""):
        client.cookies.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/letters/{letter.slug}/embed/form/{query}", data, **CROSS_SITE_FRAME
            )
        client.cookies.clear()
        return response

    return _post


def _frameable(response) -> bool:
    return (
        "X-Frame-Options" not in response
        and "frame-ancestors *" in response["Content-Security-Policy"]
    )


def test_the_form_may_be_framed_by_any_site_and_sets_no_cookie(client, letter):
    response = client.get(f"/letters/{letter.slug}/embed/form/")
    assert response.status_code == 200 and _frameable(response)
    assert not response.cookies
    body = response.content.decode()
    assert f'action="/letters/{letter.slug}/embed/form/"' in body
    assert 'name="started"' in body and 'name="website"' in body  # the bot traps, in the form
    assert "embed_height.js" in body


def test_the_letter_page_still_refuses_to_be_framed(client, letter):
    response = client.get(f"/letters/{letter.slug}/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_signing_in_the_frame_needs_no_cookie_and_answers_in_the_frame(
    client, letter, sign_data, post_form, settings
):
    settings.SIGN_MIN_SECONDS = 0
    page = client.get(f"/letters/{letter.slug}/embed/form/?ref=authors-fed").content.decode()
    started = page.split('name="started" value="', 1)[1].split('"', 1)[0]
    assert 'name="ref" value="authors-fed"' in page
    response = post_form(letter, {**sign_data, "started": started, "ref": "authors-fed"})
    assert response.status_code == 200 and _frameable(response)
    assert "private" in response["Cache-Control"] and not response.cookies
    body = response.content.decode()
    assert "Check your inbox" in body and "a••@example.org" in body
    assert "ada@example.org" not in body
    signature = Signature.objects.get()
    assert signature.source == "authors-fed" and signature.suspicion == ""
    # The email is the letter page's own; confirming counts it.
    client.get(links_in(mail.outbox[0])["confirm"])
    signature.refresh_from_db()
    assert signature.state == Signature.State.CONFIRMED


def test_the_bot_traps_work_in_the_frame(letter, sign_data, post_form):
    post_form(letter, {**sign_data, "website": "spam.example"})
    assert Signature.objects.get().suspicion == "honeypot filled"


def test_a_form_with_mistakes_comes_back_in_the_frame(letter, sign_data, post_form):
    response = post_form(letter, {**sign_data, "email": "not an email"})
    body = response.content.decode()
    assert response.status_code == 400 and _frameable(response)
    assert "There is a problem" in body and 'value="Ada Lovelace"' in body
    assert not Signature.objects.exists()


def test_the_frame_keeps_its_language(client, letter, sign_data, post_form):
    page = client.get(f"/letters/{letter.slug}/embed/form/?lang=ar").content.decode()
    assert 'lang="ar" dir="rtl"' in page
    assert f'action="/letters/{letter.slug}/embed/form/?lang=ar"' in page
    response = post_form(letter, sign_data, query="?lang=ar")
    assert 'lang="ar"' in response.content.decode()
    assert Signature.objects.get().language == "ar"


def test_a_closed_letter_says_so_in_the_frame(client, letter, sign_data, post_form):
    Letter.objects.filter(pk=letter.pk).update(state=Letter.State.CLOSED)
    page = client.get(f"/letters/{letter.slug}/embed/form/").content.decode()
    assert "no longer accepts signatures" in page and "<form" not in page
    response = post_form(letter, sign_data)
    assert response.status_code == 403 and _frameable(response)
    assert not Signature.objects.exists()


def test_a_cross_site_post_is_refused(client, letter, sign_data):
    client.post(f"/letters/{letter.slug}/embed/form/", sign_data, HTTP_SEC_FETCH_SITE="cross-site")
    assert not Signature.objects.exists()


def test_an_unpublished_letter_is_not_found(client, letter):
    Letter.objects.filter(pk=letter.pk).update(state=Letter.State.DRAFT)
    assert client.get(f"/letters/{letter.slug}/embed/form/").status_code == 404


def test_over_the_address_limit_the_frame_offers_the_human_check(
    letter, sign_data, post_form, settings
):
    away_from_a_minute_edge()
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_SIGN_IP_BURST = "1/m"
    post_form(letter, sign_data)
    response = post_form(letter, {**sign_data, "email": "ben@example.org"})
    body = response.content.decode()
    assert response.status_code == 429 and _frameable(response)
    assert "data-human-check" in body and 'value="ben@example.org"' in body


def test_the_share_area_and_the_sources_page_give_the_snippet(client, letter, cast, as_user):
    body = client.get(f"/letters/{letter.slug}/").content.decode()
    assert f"http://testserver/letters/{letter.slug}/embed/form/" in body
    letter.sources.create(key="pub", label="Publishers")
    as_user(cast["alice"])
    page = client.get(f"/organise/letters/{letter.slug}/sources/").content.decode()
    assert f"/letters/{letter.slug}/embed/form/?ref=pub" in page
    assert "e.data.undersigned" in page  # the height listener


def test_the_arabic_pages_snippet_is_the_arabic_form(client, letter):
    body = client.get(f"/letters/{letter.slug}/?lang=ar").content.decode()
    assert f"/letters/{letter.slug}/embed/form/?lang=ar" in body
