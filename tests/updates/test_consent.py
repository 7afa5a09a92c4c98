"""Consent at signing: the `updates` checkbox, unticked unless ticked, worded per letter,
stored with when it was given, and changed by the signer's own links."""

import re

import pytest
from django.core import mail

from signatures.models import Signature

from ..conftest import links_in

pytestmark = pytest.mark.django_db


def test_the_checkbox_is_there_unticked_with_the_default_wording(client, letter):
    page = client.get(f"/letters/{letter.slug}/").content.decode()
    box = re.search(r'<input type="checkbox" name="updates"[^>]*>', page).group(0)
    assert "checked" not in box
    assert "Email me updates about this letter" in page


def test_owners_word_it_per_language(client, letter):
    letter.updates_wording = {"en": "Tell me what happens next.", "ar": "أخبروني بما يجري."}
    letter.save()
    assert "Tell me what happens next." in client.get(f"/letters/{letter.slug}/").content.decode()
    arabic = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "أخبروني بما يجري." in arabic


def test_ticking_it_is_stored_with_when(sign, letter, sign_data):
    sign(letter, {**sign_data, "updates": "on"})
    signature = Signature.objects.get()
    assert signature.updates and signature.updates_changed_at is not None
    assert "You asked for email updates" in mail.outbox[0].body


def test_leaving_it_unticked_gives_no_consent(sign, letter, sign_data):
    sign(letter, sign_data)
    signature = Signature.objects.get()
    assert not signature.updates and signature.updates_changed_at is None
    assert "You asked for no email updates" in mail.outbox[0].body


def test_signing_again_before_confirming_takes_the_newest_choice(sign, letter, sign_data):
    sign(letter, {**sign_data, "updates": "on"})
    sign(letter, sign_data)
    assert not Signature.objects.get().updates


def test_signing_again_after_confirming_changes_no_consent(sign, client, letter, sign_data):
    """Whoever types a confirmed signer's address cannot subscribe them; the "already
    signed" email offers the signer the link to do it themselves."""
    sign(letter, sign_data)
    client.get(links_in(mail.outbox[0])["confirm"])
    sign(letter, {**sign_data, "updates": "on"})
    assert not Signature.objects.get().updates
    assert "/unsubscribe/" in mail.outbox[-1].body


def test_the_email_link_starts_and_stops_updates(sign, client, letter, sign_data):
    sign(letter, sign_data)
    link = re.search(r"http://testserver(/letters/[^/]+/unsubscribe/[^/\s]+/)", mail.outbox[0].body)
    page = client.get(link.group(1))
    assert "Send me updates about this letter" in page.content.decode()
    client.post(link.group(1), {"action": "subscribe"})
    assert Signature.objects.get().updates
    client.post(link.group(1))
    assert not Signature.objects.get().updates


def test_a_link_confirms_only_the_consent_its_email_showed(sign, client, letter, sign_data):
    """A stranger who signs again with someone's address and ticks (or unticks) `updates`
    cannot have the owner's older link confirm a choice that email never showed."""
    sign(letter, sign_data)  # "You asked for no email updates"
    first = links_in(mail.outbox[0])["confirm"]
    sign(letter, {**sign_data, "updates": "on"})  # the stranger
    assert client.get(first).status_code == 409
    signature = Signature.objects.get()
    assert signature.state == Signature.State.PENDING
    client.get(links_in(mail.outbox[-1])["confirm"])  # the newer email says "you asked for"
    signature.refresh_from_db()
    assert signature.state == Signature.State.CONFIRMED and signature.updates
