"""A letter in any language of LETTER_LANGUAGES: owners add one from the organisers' area
(no deploy), readers get it in theirs or else in the letter's first language, with
<html lang dir> following the text shown, and signers get their emails in the language they
signed in. The French walk is the contract's third-language test, end to end."""

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from petition.models import AuditEntry, Letter, LetterText, direction
from signatures.models import Signature

from ..conftest import links_in
from ..factories import LetterFactory, ProfessionFactory
from .form_data import text_data

pytestmark = pytest.mark.django_db

TITLE_FR = "Pour une juste rémunération des traducteurs"
BODY_FR = "Nous, soussignés, **demandons** une licence."


def _add_french(client, letter):
    languages = f"/organise/letters/{letter.slug}/languages/"
    added = client.post(languages, {"language": "fr"})
    assert added.status_code == 302 and added["Location"] == f"{languages}fr/"
    page = client.get(added["Location"]).content.decode()
    assert 'lang="fr"' in page and "Novelist" in page  # each profession, to name in French
    data = text_data(letter, "fr", title=TITLE_FR, body=BODY_FR)
    novelist = letter.professions.get(key="novelist")
    data[f"label_{novelist.pk}"] = "Romancier·ère"
    assert client.post(added["Location"], data).status_code == 302


def test_a_french_reader_signs_gets_french_email_and_confirms(
    cast, as_user, client, sign, sign_data, visit
):
    letter = cast["letter"]
    _add_french(as_user(cast["alice"]), letter)
    assert AuditEntry.objects.filter(letter=letter, detail="added the text in fr").exists()
    client.logout()

    page = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    body = page.content.decode()
    assert '<html lang="fr" dir="ltr">' in body
    assert TITLE_FR in body and "<strong>demandons</strong>" in body
    assert "Signer la lettre" in body and "Romancier·ère" in body
    # The switcher offers the letter's languages: English, Arabic, French; not Spanish.
    switcher = body[body.index('class="language-switcher"') :]
    switcher = switcher[: switcher.index("</nav>")]
    assert "?lang=fr" in switcher and "?lang=ar" in switcher and "?lang=es" not in switcher

    signed = sign(letter, sign_data, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert signed.status_code == 303
    assert Signature.objects.get().language == "fr"
    message = mail.outbox[-1]
    assert message.subject == f"Confirmez votre signature : {TITLE_FR}"
    confirmed = visit(links_in(message)["confirm"])
    assert confirmed.status_code == 200
    assert "Merci" in confirmed.content.decode()
    assert Signature.objects.get().state == Signature.State.CONFIRMED


def test_a_reader_whose_language_the_letter_lacks_gets_its_first_language(client):
    letter = LetterFactory(slug="arabic-first", language="ar", title_en="")
    ProfessionFactory(letter=letter)
    body = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="ar" dir="rtl">' in body and letter.title("ar") in body
    english = LetterFactory(slug="english-only", title_ar="")
    body = client.get(f"/letters/{english.slug}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="en" dir="ltr">' in body and english.title("en") in body
    # One language: no switcher to offer.
    assert 'class="language-switcher"' not in body


def test_a_spanish_letter_is_read_in_spanish(client):
    letter = LetterFactory(
        slug="carta", language="es", title_en="", title_ar="", texts={"es": ("Carta", "Texto.")}
    )
    body = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es" dir="ltr">' in body and "Carta" in body


def test_right_to_left_follows_the_language():
    assert [direction(code) for code in ("ar", "fa", "he", "ur", "en", "fr", "ar-eg")] == [
        "rtl",
        "rtl",
        "rtl",
        "rtl",
        "ltr",
        "ltr",
        "rtl",
    ]


def test_owners_make_another_language_the_first(cast, as_user, client):
    letter = cast["letter"]
    url = f"/organise/letters/{letter.slug}/languages/ar/"
    assert as_user(cast["alice"]).post(url, {"first": "1"}).status_code == 302
    assert Letter.objects.get(pk=letter.pk).language == "ar"
    client.logout()
    body = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="ar" dir="rtl">' in body


def test_owners_remove_a_language_but_never_the_first(cast, as_user, client):
    letter = cast["letter"]
    owner = as_user(cast["alice"])
    url = f"/organise/letters/{letter.slug}/languages/"
    assert owner.post(f"{url}ar/", {"remove": "1"}).status_code == 302
    assert owner.post(f"{url}en/", {"remove": "1"}).status_code == 302
    assert list(LetterText.objects.filter(letter=letter).values_list("language", flat=True)) == [
        "en"
    ]
    assert owner.get(f"{url}xx/").status_code == 404  # not one of LETTER_LANGUAGES
    assert owner.post(url, {"language": "en"}).status_code == 400  # it has it already
    assert owner.post(f"{url}fr/", {"title": "", "body": ""}).status_code == 400
    # Moderators do not edit the letter.
    assert as_user(cast["bob"]).get(f"{url}fr/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_keeps_todays_english_and_arabic_text():
    """petition.0008 on a letter as the site had it: its text and profession names move to
    the per-language rows, and an open letter is published (a closed one that was never
    published becomes a draft)."""
    executor = MigrationExecutor(connection)
    before = [("petition", "0007_identity")]
    after = [("petition", "0008_letter_texts_and_states")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldLetter, OldProfession = (
        old.get_model("petition", "Letter"),
        old.get_model("petition", "Profession"),
    )
    letter = OldLetter.objects.create(
        slug="old", title_en="Old title", body_en="Old **body**.", title_ar="عنوان", body_ar="نص"
    )
    OldProfession.objects.create(letter=letter, key="poet", label_en="Poet", label_ar="شاعر")
    OldLetter.objects.create(slug="unpublished", title_en="Draft", body_en=".", is_open=False)
    executor = MigrationExecutor(connection)  # reload the graph after the first migrate
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    NewLetter = new.get_model("petition", "Letter")
    texts = {
        (t.language, t.title, t.body)
        for t in new.get_model("petition", "LetterText").objects.filter(letter__slug="old")
    }
    assert texts == {("en", "Old title", "Old **body**."), ("ar", "عنوان", "نص")}
    migrated = NewLetter.objects.get(slug="old")
    assert (migrated.state, migrated.language) == ("published", "en")
    assert NewLetter.objects.get(slug="unpublished").state == "draft"
    assert migrated.private_key != NewLetter.objects.get(slug="unpublished").private_key
    labels = new.get_model("petition", "Profession").objects.get(key="poet").labels
    assert labels == {"en": "Poet", "ar": "شاعر"}
    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
