"""axe-core (from npm) in Debian's Chromium: no serious or critical violation on the pages
signers and the public see, in English and in Arabic."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from signatures.models import Signature
from signatures.tokens import Purpose, make_token

from ..conftest import need
from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {
    "letter": "/letters/ai-training/",
    "signatures": "/letters/ai-training/signatures/",
    "check-inbox": "/letters/ai-training/signed/",
    "letter-errors": None,  # the letter page after a failed submission
    "embed": "/letters/ai-training/embed/",
    "privacy": "/privacy/",
    "verification": "/letters/ai-training/verification/",
    "organisations": "/letters/ai-training/signatures/?kind=organisations",
    "manage": "manage",  # a signer's own pages, opened from their links (below)
    "unsubscribe": "unsubscribe",
}


@pytest.fixture(scope="module")
def axe_source():
    need(AXE.exists(), "axe-core (npm ci)")
    return AXE.read_text()


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations(browser, site, axe_source, screenshot, language, name):
    # The site's CSP forbids inline scripts; axe is injected as one, so only this check bypasses it.
    context = browser.new_context(
        locale=language, extra_http_headers={"Accept-Language": language}, bypass_csp=True
    )
    page = context.new_page()
    if PAGES[name] in ("manage", "unsubscribe"):
        page.goto(site + _signer_link(PAGES[name]))
    elif PAGES[name]:
        page.goto(site + PAGES[name])
    else:
        page.goto(site + "/letters/ai-training/")
        page.locator("#id_email").fill("not-an-email")
        page.locator("button[type=submit].button").click()
        page.wait_for_selector("#sign-errors")  # the page with the errors, not the one before
    page.add_script_tag(content=axe_source)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    screenshot(page, f"{name}-{language}")
    summary = {v["id"]: v["impact"] for v in results["violations"]}
    (ARTIFACTS / f"axe-{name}-{language}.json").write_text(json.dumps(summary, indent=1))
    context.close()
    assert not serious, serious


def _signer_link(purpose: str) -> str:
    signature = Signature.objects.filter(letter__slug="ai-training").first()
    token = make_token(
        signature_id=signature.pk, email_key=signature.email_key, purpose=Purpose(purpose)
    )
    return reverse(f"front:{purpose}", kwargs={"slug": "ai-training", "token": token})
