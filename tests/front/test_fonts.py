"""The text faces are self-hosted: every file fonts.css names is in static/fonts/ with its
licence, and no page asks a third party for a font."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_every_font_file_named_exists_with_its_licence():
    css = (ROOT / "static" / "css" / "fonts.css").read_text()
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
    assert "/static/css/fonts.css" in english
    assert 'rel="preload" href="/static/fonts/source-serif-4-latin-400-normal.woff2"' in english
    assert 'rel="preload" href="/static/fonts/noto-naskh-arabic-arabic-400-normal.woff2"' in arabic
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
