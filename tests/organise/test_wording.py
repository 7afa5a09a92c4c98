"""What organisers and readers are told, in each language: review notes translated, Arabic
numbers grouped as in English, dates that read right to left, the signer list's wording."""

from datetime import UTC, datetime

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import date
from django.utils import translation

from signatures.trust import review_note_text

from ..factories import SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("note", "arabic"),
    [
        ("matches Kate Winslet", "يطابق Kate Winslet"),
        ("resembles Kate Winslet (one letter apart)", "يشبه Kate Winslet (بفارق حرف واحد)"),
        (
            "resembles Kate Winslet (letters that look alike: rn/m)",
            "يشبه Kate Winslet (حروف متشابهة الشكل: rn/m)",
        ),
        ("something else", "something else"),
    ],
)
def test_review_notes_are_shown_in_the_organisers_language(note, arabic):
    with translation.override("ar"):
        assert review_note_text(note) == arabic
    with translation.override("en"):
        assert review_note_text(note) == note


def test_arabic_numbers_are_grouped_and_dates_read_right_to_left():
    moment = datetime(2026, 12, 6, 17, 5, tzinfo=UTC)
    with translation.override("ar"):
        assert intcomma(30000) == "30,000"
        assert date(moment, "DATETIME_FORMAT") == "6 ديسمبر 2026، 17:05"
    with translation.override("en"):
        assert intcomma(30000) == "30,000"


def test_the_signer_list_counts_organisations_as_signatures_and_says_who_is_listed(client, letter):
    actor = letter.professions.get(key="actor")
    SignatureFactory(letter=letter, profession=actor, role="Actor", name="Emma Stone")
    SignatureFactory(letter=letter, profession=actor, role="Stage director", name="Ivo Bell")
    SignatureFactory(
        letter=letter,
        signing_as="organisation",
        organisation="Writers' Guild",
        organisation_verified=True,
    )
    from signatures.counting import tally_recount

    tally_recount(letter_id=letter.pk)
    page = client.get(f"/letters/{letter.slug}/signatures/").content.decode()
    assert "3 signatures, including 1 organisation." in page
    assert "people who chose to be listed by name" in page
    assert "Actor · Actor" not in page and "Stage director · Actor" in page


def test_a_statement_can_be_previewed_before_it_is_saved(cast, as_user):
    letter = cast["letter"]
    client = as_user(cast["alice"])
    text = letter.texts.get(language="en")
    response = client.post(
        f"/organise/letters/{letter.slug}/languages/en/",
        {
            "title": text.title,
            "body": "We **refuse**.\n\n<script>alert(1)</script>",
            "preview": "1",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>refuse</strong>" in body and "<script>alert(1)" not in body
    assert "We **refuse**." in body  # the form, as typed
    text.refresh_from_db()
    assert "refuse" not in text.body  # nothing saved


def test_the_organisers_navigation_is_grouped_and_marks_the_current_page(cast, as_user):
    letter = cast["letter"]
    body = as_user(cast["alice"]).get(f"/organise/letters/{letter.slug}/audit/").content.decode()
    nav = body[body.index('<nav class="organise-nav"') : body.index("</nav>")]
    assert nav.count('<h2 class="organise-nav__title">') == 5
    assert 'audit/" aria-current="page">Audit log</a>' in nav


def test_a_role_that_repeats_the_profession_in_another_language_is_shown_once(client, letter):
    actor = letter.professions.get(key="actor")
    actor.labels = {"en": "Actor", "ar": "ممثّل/ة"}
    actor.save()
    SignatureFactory(letter=letter, profession=actor, role="Actor", name="Emma Stone")
    from signatures.counting import tally_recount

    tally_recount(letter_id=letter.pk)
    letter.texts.update_or_create(language="ar", defaults={"title": "رسالة", "body": "نص"})
    page = client.get(f"/letters/{letter.slug}/signatures/?lang=ar").content.decode()
    assert "Actor · ممثّل/ة" not in page and "Emma Stone" in page


def test_account_emails_greet_without_an_empty_site_name():
    from django.template.loader import render_to_string

    with translation.override("en"):
        body = render_to_string(
            "account/email/password_reset_key_message.txt",
            {"password_reset_url": "https://example.org/x", "current_site": None},
        )
    assert "Hello from !" not in body and "Thank you for using !" not in body
    assert "Undersigned" in body and "https://example.org/x" in body
