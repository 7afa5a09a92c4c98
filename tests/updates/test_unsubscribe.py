"""Unsubscribing (RFC 8058): a POST to the List-Unsubscribe link unsubscribes at once, with
no cookie and no CSRF token, as mail providers send it; a GET only shows a button; the
signature and the count stay as they were."""

import re

import pytest
from django.core import mail
from django.test import Client

from signatures.counting import letter_count, tally_fold
from signatures.models import Signature
from signatures.tokens import Purpose, make_token
from updates import sending

from ..factories import LetterFactory
from .conftest import consenting, write_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(letter, django_capture_on_commit_callbacks):
    """A signer who received an update, and the link its headers carry."""
    signer = consenting(letter, 1)[0]
    with django_capture_on_commit_callbacks(execute=True):
        sending.update_start(write_update(letter).pk)
    header = mail.outbox[0].message()["List-Unsubscribe"]
    return signer, re.fullmatch(r"<http://testserver(/.+)>", header).group(1)


def test_one_click_post_unsubscribes_without_cookie_or_token(received, letter):
    signer, path = received
    tally_fold(letter_id=letter.pk)
    before = letter_count(letter=letter).signatures
    provider = Client(enforce_csrf_checks=True)  # no session, no CSRF cookie
    response = provider.post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    signer.refresh_from_db()
    assert not signer.updates and signer.updates_changed_at is not None
    assert signer.state == Signature.State.CONFIRMED and signer.show_name
    tally_fold(letter_id=letter.pk)
    assert letter_count(letter=letter).signatures == before  # the count does not move


def test_get_shows_a_button_and_changes_nothing(received, client):
    signer, path = received
    page = client.get(path)
    assert page.status_code == 200
    assert 'name="action" value="unsubscribe"' in page.content.decode()
    signer.refresh_from_db()
    assert signer.updates


def test_the_visible_link_in_the_body_is_the_same_page(received):
    _signer, path = received
    assert f"http://testserver{path}" in mail.outbox[0].body


def test_an_unsubscribed_signer_gets_no_later_update(received, client, letter):
    _signer, path = received
    client.post(path)
    mail.outbox.clear()
    sending.update_start(write_update(letter).pk)
    sending.send_update_task(letter.updates.first().pk)
    assert mail.outbox == []


@pytest.mark.parametrize(
    "token",
    ["nonsense", "A" * 60, "", "%00"],
)
def test_bad_tokens_get_a_clear_page(client, letter, token):
    response = client.post(f"/letters/{letter.slug}/unsubscribe/{token}/")
    assert response.status_code in (400, 404)


def test_a_token_for_another_purpose_or_letter_opens_nothing(client, letter):
    signer = consenting(letter, 1)[0]
    withdraw = make_token(
        signature_id=signer.pk, email_key=signer.email_key, purpose=Purpose.WITHDRAW
    )
    assert client.post(f"/letters/{letter.slug}/unsubscribe/{withdraw}/").status_code == 400
    token = make_token(
        signature_id=signer.pk, email_key=signer.email_key, purpose=Purpose.UNSUBSCRIBE
    )
    other = LetterFactory(slug="another")
    assert client.post(f"/letters/{other.slug}/unsubscribe/{token}/").status_code == 400
    signer.refresh_from_db()
    assert signer.updates


def test_arabic_page(received, client):
    _signer, path = received
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl"' in page
