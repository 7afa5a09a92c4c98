"""English and Arabic are complete: every UI string has an Arabic translation, compiled."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "ar" / "LC_MESSAGES" / "django.po"


def entries(text: str):
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        if any(line.startswith("msgid ") for line in lines):
            yield lines


def test_every_arabic_message_is_translated_and_not_fuzzy():
    untranslated = []
    for lines in entries(PO.read_text(encoding="utf-8")):
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
