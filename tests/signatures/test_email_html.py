"""The signer's email renders in common mail clients: table layout, CSS written into style
attributes (clients drop <style>), Confirm a real button and the other actions small, a
plain-text part that is plain text, and what will be published."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_confirmation_email_is_inlined_with_a_real_button(sign, letter, sign_data, language):
    sign(letter, sign_data, HTTP_ACCEPT_LANGUAGE=language)
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert "<style" not in html and 'role="presentation"' in html
    button = re.search(r'<a class="button"[^>]*href="[^"]+/confirm/[^"]+"[^>]*>', html).group(0)
    assert "background: #8a2c0d" in button and "padding: 14px 24px" in button
    small = html[html.index('class="small"') : html.index("</td>", html.index('class="small"'))]
    assert "/withdraw/" in small and "/erase/" in small and "font-size: 13px" in small
    assert "<" not in message.body  # the text part is text
    assert "Ada Lovelace" in message.body and "/confirm/" in message.body
    if language == "ar":
        assert 'dir="rtl"' in html


def test_an_organisations_email_shows_what_is_really_published(sign, letter, sign_data):
    sign(
        letter,
        {**sign_data, "signing_as": "organisation", "organisation": "Writers' Federation"},
    )
    body = mail.outbox[0].body
    assert "once the organisers have verified the organisation" in body
    assert "Organisation: Writers' Federation" in body
    assert "Name: Ada Lovelace" not in body  # the person is not what is listed
    assert "Your own name (Ada Lovelace) is not published" in body


def test_a_public_figure_is_told_the_name_is_checked_first(sign, letter, sign_data):
    sign(letter, {**sign_data, "public_figure": "on", "claim_link": "https://example.org/ada"})
    assert "once the organisers have checked your profile" in mail.outbox[0].body


def test_arabic_details_are_padded_on_the_right_side_and_links_take_the_site_colour(
    sign, letter, sign_data
):
    sign(letter, sign_data, HTTP_ACCEPT_LANGUAGE="ar")
    html = mail.outbox[0].alternatives[0][0]
    th = re.search(r'<th style="([^"]*)"', html).group(1)
    assert "padding: 4px 0 4px 12px" in th and "text-align: right" in th
    link = re.search(r'<a href="[^"]+/(unsubscribe|manage)/[^"]+" style="([^"]*)"', html)
    assert link is None or "color" in link.group(2)
    english = sign(letter, {**sign_data, "email": "ben@example.org"})
    assert english.status_code == 303
    th = re.search(r'<th style="([^"]*)"', mail.outbox[1].alternatives[0][0]).group(1)
    assert "padding: 4px 12px 4px 0" in th and "text-align: left" in th


def test_the_updates_link_says_what_it_does(sign, letter, sign_data):
    sign(letter, {**sign_data, "updates": "on"})
    assert ">Stop email updates</a>" in mail.outbox[0].alternatives[0][0]
