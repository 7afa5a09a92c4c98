import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

pytestmark = pytest.mark.django_db


def test_embed_widget_may_be_framed_by_other_sites(client, letter):
    response = client.get(f"/letters/{letter.slug}/embed/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    body = response.content.decode()
    assert 'data-count="signatures"' in body and "js/live.js" in body
    assert f'href="http://testserver/letters/{letter.slug}/"' in body


def test_every_other_page_refuses_to_be_framed(client, letter):
    for path in (f"/letters/{letter.slug}/", f"/letters/{letter.slug}/signatures/", "/privacy/"):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_pages_forbid_inline_scripts(client, letter):
    csp = client.get(f"/letters/{letter.slug}/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_letter_page_has_open_graph_and_twitter_cards(client, letter):
    body = client.get(f"/letters/{letter.slug}/").content.decode()
    assert f'<meta property="og:title" content="{letter.title("en")}">' in body
    assert (
        f'<meta property="og:image" content="http://testserver/letters/{letter.slug}/share-en.png">'
        in body
    )
    assert '<meta name="twitter:card" content="summary_large_image">' in body
    assert 'property="og:description" content="We, the undersigned, object."' in body


def test_letter_page_offers_share_links_without_third_party_scripts(client, letter):
    body = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "mailto:?subject=" in body
    assert "https://bsky.app/intent/compose?" in body and "https://x.com/intent/post?" in body
    assert "data-copy=" in body
    scripts = [line for line in body.splitlines() if "<script" in line]
    assert all('src="/static/' in line for line in scripts)


def test_embed_snippet_is_shown_to_organisers(client, letter, django_user_model):
    user = django_user_model.objects.create_user("staff", "staff@example.org", "pw", is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    body = client.get(f"/organise/letters/{letter.slug}/").content.decode()
    assert f"&lt;iframe src=&quot;http://testserver/letters/{letter.slug}/embed/&quot;" in body


def test_arabic_share_card_uses_the_arabic_title(client, letter):
    body = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert f'<meta property="og:title" content="{letter.title("ar")}">' in body
    assert '<meta property="og:locale" content="ar_AR">' in body
