"""Owners write an update, preview it, send themselves a test, send or schedule it and watch
it go; each step audited. Moderators, strangers and anyone without two-factor get nowhere."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from petition.models import AuditEntry
from updates.models import Update

from ..factories import SignatureFactory
from .conftest import make_user
from .form_data import text_data

pytestmark = pytest.mark.django_db

DRAFT = {
    "subject_en": "We were heard",
    "body_en": "The minister **replied**. <script>alert(1)</script>",
    "subject_ar": "",
    "body_ar": "",
    "public": "on",
}


def _draft(client, letter, data=DRAFT):
    response = client.post(f"/organise/letters/{letter.slug}/updates/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Update.objects.get(letter=letter)


def test_only_owners_with_two_factor_reach_the_updates_pages(cast, as_user, client):
    letter = cast["letter"]
    path = f"/organise/letters/{letter.slug}/updates/"
    assert as_user(cast["bob"]).get(path).status_code == 404  # a moderator
    assert as_user(cast["charlie"]).get(path).status_code == 404  # another letter's owner
    no_mfa = make_user("dora", two_factor=False, is_staff=True)
    assert as_user(no_mfa).get(path).status_code == 302  # sent to set up two-factor first
    client.logout()
    assert client.get(path).status_code == 302  # to sign in
    assert as_user(cast["alice"]).get(path).status_code == 200


def test_write_preview_test_and_send(cast, as_user):
    letter = cast["letter"]
    consenting = SignatureFactory.create_batch(3, letter=letter, updates=True)
    SignatureFactory(letter=letter, updates=False)
    alice = as_user(cast["alice"])
    listing = alice.get(f"/organise/letters/{letter.slug}/updates/").content.decode()
    assert "3 signers today" in listing
    update = _draft(alice, letter)
    path = f"/organise/letters/{letter.slug}/updates/{update.pk}/"
    page = alice.get(path).content.decode()
    assert "<strong>replied</strong>" in page and "<script>alert" not in page  # preview
    alice.post(path, {"action": "test", "to": "someone-else@example.org"})  # ignored
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]  # only to themselves
    assert mail.outbox[0].subject == "[Test] We were heard"
    test_headers = mail.outbox[0].message()
    assert test_headers["Message-ID"] and "List-Unsubscribe" not in test_headers
    mail.outbox.clear()
    asked = alice.post(path, {"action": "send"})  # one press only asks, with the number
    assert asked.status_code == 200 and mail.outbox == []
    assert "Send this update to 3 signers now?" in asked.content.decode()
    response = alice.post(path, {"action": "send", "confirmed": "1"})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in consenting)
    page = alice.get(path).content.decode()
    assert "3 of 3 sent" in page and "Send now" not in page  # sent: no second send
    assert alice.post(path, {"action": "send"}).status_code == 200
    assert len(mail.outbox) == 3
    actions = list(AuditEntry.objects.filter(letter=letter).values_list("action", "changed"))
    assert ("update_test", 0) in actions and ("update_send", 3) in actions


def test_schedule_and_cancel(cast, as_user):
    letter = cast["letter"]
    alice = as_user(cast["alice"])
    update = _draft(alice, letter)
    path = f"/organise/letters/{letter.slug}/updates/{update.pk}/"
    past = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = alice.post(path, {"action": "schedule", "send_at": past})
    assert (
        response.status_code == 400 and "Choose a time in the future" in response.content.decode()
    )
    soon = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert alice.post(path, {"action": "schedule", "send_at": soon}).status_code == 302
    update.refresh_from_db()
    assert update.state == Update.State.SCHEDULED and update.send_at > timezone.now()
    assert alice.post(path, {"action": "cancel"}).status_code == 302
    update.refresh_from_db()
    assert update.state == Update.State.DRAFT and update.send_at is None
    assert AuditEntry.objects.filter(action="update_schedule").exists()
    assert AuditEntry.objects.filter(action="update_cancel").exists()


def test_a_draft_can_be_edited_and_a_second_language_needs_both_parts(cast, as_user):
    letter = cast["letter"]
    alice = as_user(cast["alice"])
    update = _draft(alice, letter)
    path = f"/organise/letters/{letter.slug}/updates/{update.pk}/"
    half = {**DRAFT, "action": "edit", "subject_ar": "سُمِعنا"}
    response = alice.post(path, half)
    assert response.status_code == 400
    assert "or neither" in response.content.decode()
    both = {**half, "body_ar": "ردّ **الوزير**."}
    assert alice.post(path, both).status_code == 302
    assert sorted(update.texts.values_list("language", flat=True)) == ["ar", "en"]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"subject_en": "x" * 500, "body_en": "y"},
        {"subject_en": "", "body_en": "only a body"},
    ],
)
def test_bad_drafts_answer_400_with_the_form(cast, as_user, data):
    letter = cast["letter"]
    response = as_user(cast["alice"]).post(f"/organise/letters/{letter.slug}/updates/", data)
    assert response.status_code == 400
    assert Update.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [
        {"action": "nonsense"},
        {"action": "schedule", "send_at": "tomorrow-ish"},
        {"action": "schedule"},
    ],
)
def test_bad_actions_answer_400(cast, as_user, data):
    letter = cast["letter"]
    alice = as_user(cast["alice"])
    update = _draft(alice, letter)
    path = f"/organise/letters/{letter.slug}/updates/{update.pk}/"
    assert alice.post(path, data).status_code == 400


def test_another_letters_update_is_404(cast, as_user):
    alice, charlie = as_user(cast["alice"]), None
    update = _draft(alice, cast["letter"])
    charlie = as_user(cast["charlie"])
    other = cast["other"]
    path = f"/organise/letters/{other.slug}/updates/{update.pk}/"
    assert charlie.get(path).status_code == 404


def test_a_public_update_shows_on_the_letter_page_once_sent(cast, as_user, client):
    letter = cast["letter"]
    SignatureFactory(letter=letter, updates=True)
    alice = as_user(cast["alice"])
    update = _draft(alice, letter)
    assert "We were heard" not in client.get(f"/letters/{letter.slug}/").content.decode()
    alice.post(
        f"/organise/letters/{letter.slug}/updates/{update.pk}/",
        {"action": "send", "confirmed": "1"},
    )
    client.logout()
    cache.clear()  # the page's fragments are cached for LETTER_FRAGMENT_CACHE_SECONDS
    page = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "We were heard" in page and "<strong>replied</strong>" in page


def test_a_private_update_does_not(cast, as_user, client):
    letter = cast["letter"]
    alice = as_user(cast["alice"])
    update = _draft(alice, letter, {**DRAFT, "public": ""})
    alice.post(
        f"/organise/letters/{letter.slug}/updates/{update.pk}/",
        {"action": "send", "confirmed": "1"},
    )
    client.logout()
    assert "We were heard" not in client.get(f"/letters/{letter.slug}/").content.decode()


def test_owners_word_the_consent_in_each_language(cast, as_user, client):
    letter = cast["letter"]
    alice = as_user(cast["alice"])
    page = alice.get(f"/organise/letters/{letter.slug}/languages/ar/").content.decode()
    assert 'name="updates_wording"' in page
    data = text_data(letter, "ar", updates_wording="أرسلوا إليّ أخبار الرسالة")
    assert alice.post(f"/organise/letters/{letter.slug}/languages/ar/", data).status_code == 302
    client.logout()
    arabic = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "أرسلوا إليّ أخبار الرسالة" in arabic
