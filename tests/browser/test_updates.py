"""An owner writes an update in two languages, previews it and sends it; a signer gets it in
their language and unsubscribes with one button. Readable at 390 and 1,280 px, both ways."""

import re

import pytest
from django.test import Client

from ops.mailbox import list_messages
from petition.models import Letter, Organiser
from signatures.models import Signature

from ..factories import SignatureFactory
from ..organise.conftest import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def owner_session(site):
    letter = Letter.objects.get(slug="ai-training")
    owner = make_user("una")
    Organiser.objects.create(letter=letter, user=owner, role=Organiser.Role.OWNER)
    profession = letter.professions.first()
    SignatureFactory(
        letter=letter,
        profession=profession,
        updates=True,
        language="ar",
        email="reader@example.org",
        email_key="reader@example.org",
    )
    SignatureFactory(letter=letter, profession=profession, updates=False)
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies["sessionid"].value


def _context(browser, site, session, language, width):
    context = browser.new_context(
        locale=language,
        extra_http_headers={"Accept-Language": language},
        viewport={"width": width, "height": 900},
    )
    if session:
        context.add_cookies([{"name": "sessionid", "value": session, "url": site}])
    return context


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_an_owner_sends_an_update_and_a_signer_leaves_with_one_button(
    browser, site, owner_session, screenshot
):
    context = _context(browser, site, owner_session, "en", 1280)
    page = context.new_page()
    page.goto(f"{site}/organise/letters/ai-training/updates/")
    page.get_by_label("Subject (English)").fill("The consultation answered")
    page.get_by_label("Message (English, Markdown)").fill("The minister **replied** today.")
    page.get_by_label("Subject (Arabic)").fill("ردّت الاستشارة")
    page.get_by_label("Message (Arabic, Markdown)").fill("ردّ الوزير **اليوم**.")
    page.get_by_role("button", name="Save the draft and preview it").click()
    assert page.locator(".update-preview strong").first.inner_text() == "replied"
    page.get_by_role("button", name="Send now").click()
    page.get_by_role("button", name=re.compile(r"^Yes, send it to")).click()
    page.wait_for_selector(".messages")
    assert "Sending to 1 signer" in page.locator(".messages").inner_text()
    page.reload()
    assert "1 of 1 sent" in page.inner_text("main")
    context.close()

    [message] = [m for m in list_messages() if m.to == "reader@example.org"]
    assert message.subject == "ردّت الاستشارة"  # the signer's language
    path = re.search(r"https?://[^/\s]+(/letters/[^/]+/unsubscribe/[^/\s]+/)", message.text)
    reader = _context(browser, site, None, "ar", 390)
    page = reader.new_page()
    page.goto(site + path.group(1))
    _fits(page, 390)
    screenshot(page, "unsubscribe-ar-390")
    page.get_by_role("button", name="إلغاء الاشتراك").click()
    assert "أُلغي اشتراكك" in page.inner_text("h1")
    screenshot(page, "unsubscribed-ar-390")
    reader.close()
    signer = Signature.objects.get(email="reader@example.org")
    assert not signer.updates and signer.state == Signature.State.CONFIRMED


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_updates_pages_fit_the_window(
    browser, site, owner_session, screenshot, language, width
):
    client = Client()
    client.cookies["sessionid"] = owner_session
    client.post(
        "/organise/letters/ai-training/updates/",
        {"subject_en": "We were heard", "body_en": "The minister **replied**.\n\n- one\n- two"},
    )
    context = _context(browser, site, owner_session, language, width)
    page = context.new_page()
    page.goto(f"{site}/organise/letters/ai-training/updates/")
    _fits(page, width)
    screenshot(page, f"organise-updates-{language}-{width}")
    page.locator("table.queue a").first.click()
    _fits(page, width)
    screenshot(page, f"organise-update-{language}-{width}")
    context.close()
