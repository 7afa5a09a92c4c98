"""A person behind a busy shared address (a phone carrier, an event's Wi-Fi), in a real
browser: over the per-address limit, the form comes back with what they typed, the browser
solves the check by itself, and one press signs. At 390 and 1,280 px, English and Arabic."""

import re

import pytest

from signatures.models import Signature

from ..conftest import away_from_a_minute_edge

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("language", "width"), [("en", 390), ("ar", 1280)])
def test_over_the_limit_a_person_gets_through_the_check(
    browser, site, settings, screenshot, language, width
):
    away_from_a_minute_edge()
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_SIGN_IP_BURST = "1/m"
    context = browser.new_context(
        locale=language,
        extra_http_headers={"Accept-Language": language},
        viewport={"width": width, "height": 900},
    )
    page = context.new_page()
    for n, (name, email) in enumerate(
        [
            ("First Neighbour", f"first-{width}@example.org"),
            ("Nadia Second", f"second-{width}@example.org"),
        ]
    ):
        page.goto(f"{site}/letters/ai-training/")
        page.locator("#id_name").fill(name)
        page.locator("#id_email").fill(email)
        page.locator("#id_profession").select_option("illustrator")
        page.locator("form.sign-form button[type=submit]").click()
        if n == 0:
            page.wait_for_url(re.compile(r"/signed/"))
    # The second person at the same address: the form again, kept, and a check.
    page.wait_for_selector("[data-human-check]")
    assert page.locator("#id_name").input_value() == "Nadia Second"
    assert page.locator("#id_email").input_value() == f"second-{width}@example.org"
    done = page.locator("[data-human-check-status]")
    page.wait_for_function(
        "!document.querySelector('form.sign-form button[type=submit]').disabled", timeout=20_000
    )
    assert done.get_attribute("data-done") == done.inner_text()
    screenshot(page, f"human-check-{language}-{width}")
    page.locator("form.sign-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/signed/"))
    assert Signature.objects.filter(email=f"second-{width}@example.org").exists()
    context.close()
