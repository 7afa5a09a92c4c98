"""A partner's page on another site puts the sign form in an iframe; the browser blocks
third-party cookies, as browsers do now. A reader signs inside the frame, confirms from
their inbox, and the frame's count moves. At 390 and 1,280 px, English and Arabic."""

import http.server
import threading

import pytest

from signatures.models import Signature

from .test_signing import read_confirm_link

pytestmark = pytest.mark.browser


class PartnerSite(http.server.ThreadingHTTPServer):
    page = b""


class PartnerPage(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.server.page)

    def log_message(self, *args):
        pass


@pytest.fixture
def partner(site):
    """A page on a site of its own (127.0.0.1, where the letter's site is localhost: another
    site to the browser, so its cookies there are third-party), holding the snippet."""
    from petition.models import Letter
    from petition.snippets import form_snippet

    letter = Letter.objects.get(slug="ai-training")
    server = PartnerSite(("127.0.0.1", 0), PartnerPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def page_with(**snippet_args) -> str:
        server.page = (
            "<!doctype html><html lang=en><title>Authors' Federation</title>"
            "<body><h1>Our members sign</h1>"
            f"{form_snippet(letter, **snippet_args)}</body></html>"
        ).encode()
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield page_with
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("language", "width"), [("en", 390), ("ar", 1280), ("en", 1280), ("ar", 390)]
)
def test_a_reader_signs_in_a_partners_frame_with_third_party_cookies_blocked(
    browser, site, partner, screenshot, language, width
):
    assert "localhost" in site
    context = browser.new_context(
        locale=language,
        extra_http_headers={"Accept-Language": language},
        viewport={"width": width, "height": 900},
    )
    page = context.new_page()
    # Third-party cookies blocked, as Chrome's "Block third-party cookies" setting does.
    client = context.new_cdp_session(page)
    client.send("Network.enable")
    client.send(
        "Network.setCookieControls",
        {
            "enableThirdPartyCookieRestriction": True,
            "disableThirdPartyCookieMetadata": False,
            "disableThirdPartyCookieHeuristics": True,
        },
    )
    page.goto(partner(ref="authors-fed", language=language))
    frame_element = page.wait_for_selector("iframe")
    frame = frame_element.content_frame()
    frame.wait_for_selector("form.sign-form")
    # The frame has told the page its height: no scroll bar inside it.
    page.wait_for_function(
        "() => { const f = document.querySelector('iframe');"
        " return f.style.height && f.style.height !== '900px'; }"
    )
    before = frame.locator('[data-count="signatures"]').inner_text()
    assert frame.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    screenshot(page, f"embed-form-{language}-{width}")

    email = f"partner-{language}-{width}@example.org"
    frame.locator("#id_name").fill("")  # an error first: it comes back inside the frame
    frame.locator("#id_email").fill(email)
    frame.locator("form.sign-form button[type=submit]").click()
    frame.wait_for_selector("#sign-errors")
    assert frame.locator("#id_email").input_value() == email
    frame.locator("#id_name").fill("Salma Partner")
    frame.locator("#id_profession").select_option("illustrator")
    frame.locator("form.sign-form button[type=submit]").click()
    frame.wait_for_selector(".embed-form__done")
    assert "p••" in frame.locator(".embed-form__done").inner_text()
    screenshot(page, f"embed-form-done-{language}-{width}")
    # Nothing was stored for the letter's site: its cookies were third-party and blocked.
    assert [c for c in context.cookies() if c["domain"] == "localhost"] == []

    signature = Signature.objects.get(email=email)
    assert signature.source == "authors-fed" and signature.language == language
    assert not signature.suspicion  # the bot traps passed without a cookie
    reader = context.new_page()
    reader.goto(read_confirm_link(reader, site))
    # The partner's page was never reloaded: the frame's live count moves.
    frame.wait_for_function(
        "before => document.querySelector('[data-count=\"signatures\"]').textContent !== before",
        arg=before,
        timeout=15_000,
    )
    context.close()
