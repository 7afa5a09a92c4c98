"""Names people can trust, in a browser: an organiser verifies an organisation and accepts a
held name from the queue, reorders the notable wall, and the letter page shows the result.
At 390 and 1,280 px, in English and Arabic; screenshots in tests/artifacts/."""

import pytest
from django.core.cache import cache
from django.test import Client

from petition.models import Letter, Organiser
from signatures.counting import tally_recount
from signatures.models import Signature

from ..factories import SignatureFactory
from ..organise.conftest import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(site):
    letter = Letter.objects.get(slug="ai-training")
    profession = letter.professions.first()
    owner = make_user("vera")
    Organiser.objects.create(letter=letter, user=owner, role=Organiser.Role.OWNER)
    SignatureFactory(
        letter=letter,
        profession=profession,
        signing_as="organisation",
        organisation="Federation of Screenwriters",
        name="Ines Duarte",
        link="https://screenwriters.example",
    )
    SignatureFactory(
        letter=letter,
        profession=profession,
        name="Mara Ellison",
        held=True,
        review_note="matches Mara Ellison",
        email="second-mara@example.net",
        email_key="second-mara@example.net",
    )
    stars = [
        SignatureFactory(
            letter=letter, profession=profession, name=name, notable=True, notable_verified=True
        )
        for name in ("Ama Owusu", "Björn Ek", "Chen Li")
    ]
    tally_recount(letter_id=letter.pk)
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    return {"letter": letter, "session": client.cookies["sessionid"].value, "stars": stars}


def _context(browser, site, language, width, session=None):
    context = browser.new_context(
        locale=language,
        extra_http_headers={"Accept-Language": language},
        viewport={"width": width, "height": 900},
    )
    if session:
        context.add_cookies([{"name": "sessionid", "value": session, "url": site}])
    return context


def _act(page, review: str, action: str) -> None:
    page.goto(f"{page.url.split('/organise/')[0]}/organise/letters/ai-training/?review={review}")
    page.locator('input[name="ids"]').first.check()
    page.locator("#id_action").select_option(action)
    page.locator("form.moderation button[type=submit]").click()
    page.wait_for_selector(".messages")


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("ar", 390)])
def test_an_organiser_verifies_accepts_and_reorders(
    browser, site, scene, screenshot, language, width
):
    context = _context(browser, site, language, width, scene["session"])
    page = context.new_page()
    page.goto(f"{site}/organise/letters/ai-training/?review=held")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"trust-queue-held-{language}-{width}")
    _act(page, "unverified-organisations", "verify_organisation")
    _act(page, "held", "accept_hold")
    assert Signature.objects.get(organisation="Federation of Screenwriters").organisation_verified
    assert not Signature.objects.filter(held=True).exists()

    page.goto(f"{site}/organise/letters/ai-training/wall/")
    stars = scene["stars"]
    page.locator(f"#id_position_{stars[2].pk}").fill("1")
    page.locator(f"#id_position_{stars[0].pk}").fill("2")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"trust-wall-{language}-{width}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".messages")
    context.close()

    cache.clear()
    public = _context(browser, site, language, width)
    page = public.new_page()
    page.goto(f"{site}/letters/ai-training/")
    wall = page.locator(".wall li strong").all_inner_texts()
    assert wall[:2] == ["Chen Li", "Ama Owusu"]  # placed first; the others follow
    assert "Björn Ek" in wall[2:]
    assert page.locator(".organisations a").inner_text() == "Federation of Screenwriters"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"trust-letter-{language}-{width}")
    public.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_signing_for_an_organisation_in_the_browser(browser, site, screenshot, language):
    context = _context(browser, site, language, 390)
    page = context.new_page()
    page.goto(f"{site}/letters/ai-training/")
    page.locator('input[name="signing_as"][value="organisation"]').check()
    page.locator("#id_organisation").fill("Union of Voice Actors")
    page.locator("#id_name").fill("Kai Brenner")
    page.locator("#id_email").fill(f"kai-{language}@union.example")
    page.locator("#id_profession").select_option(index=1)
    screenshot(page, f"sign-organisation-{language}-390")
    page.locator(".sign-form button[type=submit]").click()
    page.wait_for_url("**/signed/")
    signature = Signature.objects.get(email=f"kai-{language}@union.example")
    assert signature.is_organisation and signature.organisation == "Union of Voice Actors"
    context.close()
