"""A campaign from nothing, in a real browser: an owner creates a letter, writes it in a
second language, makes it private and shares the private link; two founding signers (one
reading French) sign and confirm through it while strangers get a 404; the owner publishes
it, and a stranger sees the count of 2 and signs. Screenshots in tests/artifacts/."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from petition.models import Letter
from signatures.models import Signature

from ..organise.conftest import make_user, record_code

pytestmark = pytest.mark.browser

SLUG = "translators-fair-pay"


def _signed_in(browser, site, user, **options):
    """A browser context with this user's session, as if they had just typed their code
    (signing in itself is launch day's test; typing a fresh code, test_two_factor's)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    record_code(client, user)
    context = browser.new_context(**options)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}]
    )
    return context


def _confirm_link(page, site: str, email: str) -> str:
    page.goto(f"{site}/dev/mail/")
    row = page.locator("tr", has_text=email).first
    row.locator("a").click()
    return page.locator("a[href*='/confirm/']").first.get_attribute("href")


def _sign(page, *, name: str, email: str) -> None:
    page.locator("#id_name").fill(name)
    page.locator("#id_email").fill(email)
    page.locator("#id_profession").select_option("translator")
    page.locator("#id_country").select_option("FR")
    page.locator("form.sign-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/signed/"))


def _fits(page, width, what):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, what


@pytest.mark.parametrize("width", [390, 1280])
def test_a_campaign_from_nothing_to_launch(browser, site, screenshot, width):
    owner = make_user(f"cora{width}")
    owner.user_permissions.add(Permission.objects.get(codename="add_letter"))
    slug = f"{SLUG}-{width}"
    viewport = {"width": width, "height": 900}
    en = {"locale": "en", "extra_http_headers": {"Accept-Language": "en"}, "viewport": viewport}
    fr = {"locale": "fr", "extra_http_headers": {"Accept-Language": "fr"}, "viewport": viewport}
    organiser_context = _signed_in(browser, site, owner, **en)
    organiser = organiser_context.new_page()

    # Create it, in English.
    organiser.goto(f"{site}/organise/letters/new/")
    organiser.locator("#id_slug").fill(slug)
    organiser.locator("#id_language").select_option("en")
    organiser.locator("#id_title").fill("Fair pay for translators")
    organiser.locator("#id_body").fill("We, the undersigned, **ask** for a licence.")
    organiser.locator("#id_organiser_name").fill("Translators' Guild")
    organiser.locator("#id_more_professions").fill("Subtitler")
    _fits(organiser, width, "the new letter's form")
    screenshot(organiser, f"campaign-new-letter-{width}")
    organiser.get_by_role("button", name="Preview the statement").click()
    assert organiser.locator(".statement-preview strong").inner_text() == "ask"
    assert organiser.locator("#id_title").input_value() == "Fair pay for translators"
    screenshot(organiser, f"campaign-new-letter-preview-{width}")
    organiser.get_by_role("button", name="Create the letter").click()
    organiser.wait_for_url(re.compile(rf"/organise/letters/{slug}/publishing/$"))
    assert Letter.objects.get(slug=slug).state == "draft"

    # Add French.
    organiser.goto(f"{site}/organise/letters/{slug}/languages/")
    organiser.locator("#id_language").select_option("fr")
    organiser.locator("main form button[type=submit]").click()
    organiser.wait_for_url(re.compile(r"/languages/fr/$"))
    organiser.locator("#id_title").fill("Pour une juste rémunération des traducteurs")
    organiser.locator("#id_body").fill("Nous, soussignés, **demandons** une licence.")
    _fits(organiser, width, "a language's page")
    screenshot(organiser, f"campaign-language-fr-{width}")
    organiser.locator("main form.stacked button[type=submit]").first.click()
    organiser.wait_for_url(re.compile(r"/languages/$"))
    assert Letter.objects.get(slug=slug).languages() == ["en", "fr"]

    # Make it private and take the private link.
    organiser.goto(f"{site}/organise/letters/{slug}/publishing/")
    organiser.get_by_role("button", name="Make it private (founding signers)").click()
    organiser.wait_for_selector(".messages")
    private_link = organiser.locator("#private-link").input_value()
    assert "?key=" in private_link
    _fits(organiser, width, "publishing")
    screenshot(organiser, f"campaign-publishing-private-{width}")

    # A stranger finds nothing.
    stranger_context = browser.new_context(**en)
    stranger = stranger_context.new_page()
    assert stranger.goto(f"{site}/letters/{slug}/").status == 404

    # Two founding signers, through the link only; one reads French.
    for options, name, email in (
        (en, "Ada Founder", f"ada-{width}@example.org"),
        (fr, "Fleur Fondatrice", f"fleur-{width}@example.org"),
    ):
        page = browser.new_context(**options).new_page()
        page.goto(private_link)
        assert page.locator(".state-notice--private").is_visible()
        assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex"
        if options is fr:
            assert page.locator("html").get_attribute("lang") == "fr"
            assert "traducteurs" in page.locator("h1").inner_text()
            screenshot(page, f"campaign-private-letter-fr-{width}")
        _sign(page, name=name, email=email)
        page.goto(_confirm_link(page, site, email))
        assert page.locator("h1").count() == 1
        page.context.close()
    assert Signature.objects.filter(letter__slug=slug, state="confirmed").count() == 2

    # Launch.
    organiser.get_by_role("button", name="Publish it now").click()
    organiser.wait_for_selector("#confirm-move-heading")  # everyone will see it: asked first
    screenshot(organiser, f"campaign-confirm-publish-{width}")
    organiser.get_by_role("button", name="Yes, publish it now").click()
    organiser.wait_for_selector(".messages")
    assert Letter.objects.get(slug=slug).state == "published"

    # The stranger now sees it with its two founders, and signs.
    stranger.goto(f"{site}/letters/{slug}/")
    stranger.wait_for_function(
        "document.querySelector('[data-count=\"signatures\"]').textContent.trim() === '2'",
        timeout=10_000,
    )
    assert stranger.locator('meta[name="robots"]').count() == 0
    _fits(stranger, width, "the launched letter")
    screenshot(stranger, f"campaign-launched-{width}")
    _sign(stranger, name="Sam Stranger", email=f"sam-{width}@example.org")
    stranger.goto(_confirm_link(stranger, site, f"sam-{width}@example.org"))
    assert Signature.objects.filter(letter__slug=slug, state="confirmed").count() == 3
    names = stranger.goto(f"{site}/api/letters/{slug}/signatures").json()["results"]
    assert {n["name"] for n in names} == {"Ada Founder", "Fleur Fondatrice", "Sam Stranger"}
    # Closed before the live server stops: an open page would go on polling it.
    organiser_context.close()
    stranger_context.close()
