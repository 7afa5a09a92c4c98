"""The organisers' pages in a real browser: readable at 390 and 1,280 px in both directions,
never wider than the window, and a bulk action confirmed before it acts."""

import pytest
from django.test import Client

from petition.models import Letter, Organiser
from signatures.models import Signature

from ..factories import SignatureFactory
from ..organise.conftest import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def organiser_session(site):
    letter = Letter.objects.get(slug="ai-training")
    owner = make_user("olga")
    Organiser.objects.create(letter=letter, user=owner, role=Organiser.Role.OWNER)
    for i in range(12):
        SignatureFactory(
            letter=letter,
            profession=letter.professions.first(),
            name=f"Signer {i} Al-Khatib",
            email=f"a.rather.long.address.{i}@some-organisation.example.org",
            role="Principal cellist, City Orchestra",
            link="https://example.org/portfolio/work",
            country="VA",
        )
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies["sessionid"].value


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [390, 1280])
def test_organiser_pages_fit_the_window(
    browser, site, organiser_session, screenshot, language, width
):
    context = browser.new_context(
        locale=language,
        extra_http_headers={"Accept-Language": language},
        viewport={"width": width, "height": 900},
    )
    context.add_cookies([{"name": "sessionid", "value": organiser_session, "url": site}])
    page = context.new_page()
    for name, path in [
        ("queue", "/organise/letters/ai-training/"),
        ("audit", "/organise/letters/ai-training/audit/"),
        ("dashboard", "/organise/"),
    ]:
        page.goto(site + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        screenshot(page, f"organise-{name}-{language}-{width}")
    context.close()


def test_removing_every_match_asks_first_then_acts(browser, site, organiser_session):
    context = browser.new_context(viewport={"width": 390, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": organiser_session, "url": site}])
    page = context.new_page()
    page.goto(f"{site}/organise/letters/ai-training/?country=VA")
    page.locator("#id_action").select_option("remove")
    page.locator("#id_reason").fill("bots from one network")
    page.locator("#id_all_matching").check()
    page.get_by_role("button", name="Apply").click()
    dialog = page.get_by_role("alertdialog")
    assert "12 signatures match" in dialog.inner_text()
    assert Signature.objects.filter(state="removed").count() == 0
    dialog.get_by_role("button", name="Remove 12 signatures").click()
    page.wait_for_selector(".messages")
    assert "12 signatures changed" in page.locator(".messages").inner_text()
    assert Signature.objects.filter(state="removed").count() == 12
    # The way back is in the message itself.
    page.locator(".messages").get_by_role("link", name="Undo").click()
    page.get_by_role("button", name="Yes, undo it for 12 signatures").click()
    page.wait_for_selector(".messages")
    assert Signature.objects.filter(state="removed").count() == 0
    context.close()
