"""The text faces are self-hosted: every file site.css names is in static/fonts/ with its
licence, no page asks a third party for a font, and the Arabic core face covers every letter
of the interface's Arabic (bin/subset_fonts.py)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_every_font_file_named_exists_with_its_licence():
    css = (ROOT / "static" / "css" / "site.css").read_text()
    names = re.findall(r"url\(\.\./fonts/([^)]+)\)", css)
    assert len(names) >= 10
    for name in names:
        assert (ROOT / "static" / "fonts" / name).is_file(), name
    licences = {p.name for p in (ROOT / "static" / "fonts").glob("OFL-*.txt")}
    assert licences == {"OFL-noto-naskh-arabic.txt", "OFL-source-serif-4.txt"}
    assert "http" not in css


@pytest.mark.django_db
def test_pages_load_the_self_hosted_faces_and_preload_the_one_they_need(client, letter):
    english = client.get(f"/letters/{letter.slug}/").content.decode()
    arabic = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "/static/css/site.css" in english and "fonts.css" not in english  # one stylesheet
    for weight in (400, 700):
        latin = f"/static/fonts/source-serif-4-latin-{weight}-normal.woff2"
        core = f"/static/fonts/noto-naskh-arabic-core-{weight}-normal.woff2"
        assert f'rel="preload" href="{latin}"' in english
        assert f'rel="preload" href="{core}"' in arabic
    assert "noto-naskh-arabic-arabic-400" not in arabic  # the full face is not preloaded
    assert "fonts.googleapis" not in english + arabic


@pytest.mark.django_db
def test_the_sign_form_tells_browsers_what_to_fill_in(client, letter):
    page = client.get(f"/letters/{letter.slug}/").content.decode()
    for name, hint in [
        ("name", "name"),
        ("email", "email"),
        ("role", "organization-title"),
        ("country", "country"),
        ("link", "url"),
        ("organisation", "organization"),
    ]:
        tag = page[page.index(f'name="{name}"') - 200 : page.index(f'name="{name}"') + 200]
        assert f'autocomplete="{hint}"' in tag, name
    assert '<link rel="apple-touch-icon"' in page


def test_the_arabic_core_face_has_every_letter_of_the_interfaces_arabic():
    """A letter missing from the core would be drawn from the full face (a second download)
    or, joined to its neighbours, in two faces at once."""
    from fontTools.ttLib import TTFont

    catalogue = (ROOT / "locale" / "ar" / "LC_MESSAGES" / "django.po").read_text()
    arabic = {ch for ch in catalogue if 0x0600 <= ord(ch) <= 0x06FF or 0xFB50 <= ord(ch)}
    assert len(arabic) > 30
    for weight in (400, 700):
        face = TTFont(ROOT / "static" / "fonts" / f"noto-naskh-arabic-core-{weight}-normal.woff2")
        covered = set(face.getBestCmap())
        assert {ch for ch in arabic if ord(ch) not in covered} == set()
