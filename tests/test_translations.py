"""The interface is complete in English, Arabic and French: every UI string has a
translation in each catalogue, none fuzzy, and the catalogues are compiled."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = ["ar", "fr"]


def entries(text: str):
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        if any(line.startswith("msgid ") for line in lines):
            yield lines


@pytest.mark.parametrize("language", CATALOGUES)
def test_every_message_is_translated_and_not_fuzzy(language):
    po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    untranslated = []
    for lines in entries(po.read_text(encoding="utf-8")):
        if 'msgid ""' in lines and "Project-Id-Version" in "".join(lines):
            continue  # the header
        if any(line.startswith("#, fuzzy") for line in lines):
            untranslated.append(lines)
        for index, line in enumerate(lines):
            if line.startswith("msgstr") and line.endswith('""'):
                if index + 1 >= len(lines) or not lines[index + 1].startswith('"'):
                    untranslated.append(lines)
    assert not untranslated


@pytest.mark.django_db
def test_arabic_letter_page_uses_the_arabic_catalog(client, letter):
    body = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "وقّع الرسالة" in body
    assert "Sign the letter" not in body


@pytest.mark.django_db
def test_language_switcher_choice_sticks(client, letter):
    response = client.post("/i18n/setlang/", {"language": "ar", "next": f"/letters/{letter.slug}/"})
    assert response.status_code == 302
    body = client.get(f"/letters/{letter.slug}/").content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en" dir="ltr">' in client.get(f"/letters/{letter.slug}/").content.decode()


@pytest.mark.django_db
def test_arabic_emails_and_pages_for_every_public_template(client, letter):
    for path in (
        f"/letters/{letter.slug}/signatures/",
        f"/letters/{letter.slug}/signed/",
        "/privacy/",
    ):
        body = client.get(path, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
        assert 'dir="rtl"' in body


@pytest.mark.django_db
def test_french_pages_use_the_french_catalogue(client, letter):
    body = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr" dir="ltr">' in body
    assert "Confidentialité" in body
