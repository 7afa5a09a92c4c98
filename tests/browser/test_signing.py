"""What a person does, in a real browser: open the letter, sign, open the email from the dev
mailbox, confirm, and watch the still-open letter page count them without a reload."""

import re

import pytest

from signatures.models import Signature

pytestmark = pytest.mark.browser


def read_confirm_link(page, site: str) -> str:
    page.goto(f"{site}/dev/mail/")
    page.get_by_role("link", name=re.compile("Confirm your signature|تأكيد")).first.click()
    link = page.locator("a[href*='/confirm/']").first
    return link.get_attribute("href")


def fill_and_sign(page, *, name: str, email: str) -> None:
    page.locator("#id_name").fill(name)
    page.locator("#id_email").fill(email)
    page.locator("#id_profession").select_option("illustrator")
    page.locator("#id_country").select_option("EG")
    page.locator("button[type=submit].button").click()


def current_total(page) -> str:
    return page.locator('[data-count="signatures"]').inner_text()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_sign_confirm_and_see_the_count_change_live(browser, site, screenshot, language):
    context = browser.new_context(locale=language, extra_http_headers={"Accept-Language": language})
    watcher = context.new_page()
    watcher.goto(f"{site}/letters/ai-training/")
    expected_dir = "rtl" if language == "ar" else "ltr"
    assert watcher.locator("html").get_attribute("dir") == expected_dir
    assert watcher.locator("html").get_attribute("lang") == language
    before = current_total(watcher)
    screenshot(watcher, f"letter-{language}")

    signer = context.new_page()
    signer.goto(f"{site}/letters/ai-training/")
    fill_and_sign(signer, name="Nour Haddad", email=f"nour-{language}@example.org")
    signer.wait_for_url(re.compile(r"/signed/$"))
    screenshot(signer, f"check-inbox-{language}")

    confirm = read_confirm_link(signer, site)
    signer.goto(confirm)
    screenshot(signer, f"confirmed-{language}")

    # The watcher's page was never reloaded: the live poll brings the new number.
    watcher.wait_for_function(
        "before => document.querySelector('[data-count=\"signatures\"]').textContent !== before",
        arg=before,
        timeout=10_000,
    )
    assert current_total(watcher) != before
    # The confirmed page is a moment to share: it shows the live count, them included.
    signer.wait_for_function(
        "t => document.querySelector('[data-count=\"signatures\"]').textContent === t",
        arg=current_total(watcher),
        timeout=10_000,
    )
    assert signer.get_by_role("heading", name=re.compile("Share|شارك")).is_visible()
    screenshot(signer, f"confirmed-shared-{language}")
    context.close()


def test_form_errors_are_announced_and_keep_the_input(browser, site, screenshot):
    page = browser.new_page()
    page.goto(f"{site}/letters/ai-training/")
    page.get_by_label("Full name").fill("Someone")
    page.locator("button[type=submit].button").click()
    page.wait_for_selector("#sign-errors")  # the answer to the POST, not the page before it
    alert = page.get_by_role("alert")
    assert alert.is_visible()
    assert page.get_by_label("Full name").input_value() == "Someone"
    screenshot(page, "letter-errors-en")
    page.close()


def test_keyboard_only_signing(browser, site):
    page = browser.new_page()
    page.goto(f"{site}/letters/ai-training/")
    page.locator("#id_name").focus()
    page.keyboard.type("Keyboard Person")
    page.keyboard.press("Tab")
    page.keyboard.type("keys@example.org")
    page.keyboard.press("Tab")  # past the email help text to the profession select
    assert page.evaluate("document.activeElement.id") == "id_profession"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator("#id_name").focus()
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_url(re.compile(r"/signed/$"))
    page.close()


def test_signer_list_page_searches(browser, site, screenshot):
    page = browser.new_page()
    page.goto(f"{site}/letters/ai-training/signatures/")
    page.get_by_label("Name").fill("منصور")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"[?&]q="))  # the results page, not the one before it
    assert page.locator(".signer-list li").count() == 1
    screenshot(page, "signatures-en")
    page.close()


def test_without_javascript_signing_takes_one_press(browser, site):
    """The shared page has no token; the browser's Sec-Fetch-Site stands in for it."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/letters/ai-training/")
    fill_and_sign(page, name="No Script", email="noscript@example.org")
    page.wait_for_url(re.compile(r"/signed/$"))
    assert Signature.objects.filter(email="noscript@example.org").exists()
    context.close()


@pytest.mark.parametrize(("language", "width"), [("en", 390), ("ar", 390), ("en", 1280)])
def test_a_failed_submit_opens_at_a_focused_error_summary(
    browser, site, screenshot, language, width
):
    context = browser.new_context(
        locale=language,
        extra_http_headers={"Accept-Language": language},
        viewport={"width": width, "height": 844},
    )
    page = context.new_page()
    page.goto(f"{site}/letters/ai-training/")
    page.locator("#id_name").fill("Nour Haddad")
    page.locator("#id_email").fill("bad@")
    page.locator("button[type=submit].button").click()
    page.wait_for_selector("#sign-errors")
    summary = page.locator("#sign-errors")
    assert page.evaluate("document.activeElement && document.activeElement.id") == "sign-errors"
    box = summary.bounding_box()
    assert box is not None and 0 <= box["y"] < 844, box  # in view, not 3,000 px below
    summary.get_by_role("link").first.click()  # each line leads to its field
    assert page.evaluate("document.activeElement.id").startswith("id_")
    screenshot(page, f"sign-errors-{language}-{width}")
    context.close()


def test_the_inbox_page_asks_less_often_and_not_while_hidden(browser, site, screenshot):
    """On launch day every signer has the check-your-inbox page open: it asks whether the
    email bounced at 5 s, 10 s, 20 s … then each minute, never while hidden, and once as its
    reader comes back; a bounce found then shows at once."""
    page = browser.new_page()
    page.clock.install()
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/signed/status" in r.url else None)
    page.goto(f"{site}/letters/ai-training/")
    fill_and_sign(page, name="Ines Duarte", email="ines@example.org")
    page.wait_for_url(re.compile(r"/signed/$"))

    def after(ms: int) -> int:
        page.clock.run_for(ms)
        page.wait_for_timeout(300)  # the answer to any request the timer sent
        return len(asked)

    assert after(4_000) == 0
    assert after(1_500) == 1  # at 5 s
    assert after(5_000) == 2  # 5 s later
    assert after(9_000) == 2  # the third waits 10 s
    assert after(1_500) == 3

    page.evaluate(
        "Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    assert after(180_000) == 3  # three minutes in the mail app: nothing asked

    Signature.objects.filter(email="ines@example.org").update(
        email_failed_at="2026-01-01T00:00:00Z", email_failure="550 no such user"
    )
    with page.expect_navigation():
        page.evaluate(
            "Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});"
            "document.dispatchEvent(new Event('visibilitychange'))"
        )
    assert len(asked) == 4
    assert page.get_by_role("alert").is_visible()
    assert "could not deliver" in page.get_by_role("heading", level=1).inner_text()
    screenshot(page, "check-inbox-bounced-en")
    page.close()
