"""Launch day in a real browser, as a new organiser: first sign-in, two-factor set up when the
queue asks for it, then filter, tick, remove with a reason, confirm a bulk remove, undo it
from the audit log, and read the dashboard. At 390 and 1,280 px, in English and Arabic;
every organiser page checked with axe-core; screenshots in tests/artifacts/."""

import json
import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from petition.models import AuditEntry, Letter, Organiser
from signatures.counting import tally_recount
from signatures.models import Signature

from ..conftest import need
from ..factories import SignatureFactory
from ..organise.conftest import make_user
from .conftest import ARTIFACTS
from .test_accessibility import AXE

pytestmark = pytest.mark.browser

PASSWORD = "a-long-password-123"


def _crowd(letter, n=12, country="VA"):
    for i in range(n):
        SignatureFactory(
            letter=letter,
            profession=letter.professions.first(),
            name=f"Bot {i} {country}",
            email=f"bot{i}.{country.lower()}@some-network.example.org",
            country=country,
            source="ewc" if i % 2 else "",
        )


@pytest.fixture
def letter(site):
    letter = Letter.objects.get(slug="ai-training")
    _crowd(letter)
    _crowd(letter, n=3, country="GB")
    tally_recount(letter_id=letter.pk)
    return letter


def _new_organiser(letter, name: str):
    """An owner invited and with a password, but no two-factor yet: a first sign-in."""
    user = get_user_model().objects.create_user(
        username=name, email=f"{name}@example.org", password=PASSWORD
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Organiser.objects.create(letter=letter, user=user, role=Organiser.Role.OWNER)
    return user


def _totp_now(secret: str) -> str:
    """The code of this 30-second step, never in its last seconds (the code would change
    between typing and checking, and one CI run failed so)."""
    while time.time() % 30 > 25:
        time.sleep(0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _fits(page, width, what):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, what


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [390, 1280])
def test_launch_day_from_first_sign_in(browser, site, letter, screenshot, language, width):
    user = _new_organiser(letter, f"nadia{language}{width}")
    context = browser.new_context(
        locale=language,
        extra_http_headers={"Accept-Language": language},
        viewport={"width": width, "height": 900},
    )
    page = context.new_page()
    shot = f"{language}-{width}"

    # First sign-in: straight on to two-factor set-up, then back to the letters.
    page.goto(f"{site}/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    _fits(page, width, "two-factor set-up")
    screenshot(page, f"launch-2fa-setup-{shot}")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(_totp_now(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/accounts/2fa/"))
    _fits(page, width, "recovery codes")
    screenshot(page, f"launch-recovery-codes-{shot}")
    page.locator(".continue a").click()
    page.wait_for_url(re.compile(r"/organise/$"))
    page.goto(f"{site}/organise/letters/{letter.slug}/")

    # Filter, tick two with the keyboard, remove them with a reason.
    page.locator("#id_country").select_option("VA")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"country=VA"))
    _fits(page, width, "queue")
    screenshot(page, f"launch-queue-{shot}")
    boxes = page.locator('input[name="ids"]')
    assert boxes.count() == 12
    for i in (0, 1):
        boxes.nth(i).focus()
        page.keyboard.press("Space")
    page.locator("#id_action").select_option("remove")
    page.locator("#id_reason").fill("one network, one minute")
    page.locator("form.moderation button[type=submit]").click()
    page.wait_for_selector(".messages")
    assert Signature.objects.filter(state="removed").count() == 2

    # Every match: the page asks first, then acts.
    page.locator("#id_action").select_option("remove")
    page.locator("#id_reason").fill("bots")
    page.locator("#id_all_matching").check()
    page.locator("form.moderation button[type=submit]").click()
    dialog = page.get_by_role("alertdialog")
    dialog.wait_for()
    assert Signature.objects.filter(state="removed").count() == 2
    _fits(page, width, "bulk confirmation")
    screenshot(page, f"launch-confirm-bulk-{shot}")
    dialog.locator("button[type=submit]").click()
    page.wait_for_selector(".messages")
    assert Signature.objects.filter(state="removed").count() == 12

    # Undo the bulk remove from the audit log.
    page.goto(f"{site}/organise/letters/{letter.slug}/audit/")
    _fits(page, width, "audit")
    screenshot(page, f"launch-audit-{shot}")
    bulk = AuditEntry.objects.filter(action="remove", changed=10).get()
    page.locator(f'a[href$="/audit/{bulk.pk}/undo/"]').click()
    page.wait_for_url(re.compile(r"/undo/$"))
    _fits(page, width, "undo")
    screenshot(page, f"launch-undo-{shot}")
    page.get_by_role("alertdialog").locator("button[type=submit]").click()
    page.wait_for_selector(".messages")
    assert Signature.objects.filter(state="removed").count() == 2
    assert AuditEntry.objects.filter(undoes=bulk, actor=user).exists()

    # The dashboard.
    page.goto(f"{site}/organise/letters/{letter.slug}/overview/")
    _fits(page, width, "dashboard")
    assert page.locator("svg rect").count() >= 48 + 1  # 48 hours; the days since it was made
    screenshot(page, f"launch-dashboard-{shot}")
    context.close()


ORGANISER_PAGES = {
    "dashboard": "/organise/",
    "overview": "/organise/letters/ai-training/overview/",
    "queue": "/organise/letters/ai-training/?country=VA",
    "audit": "/organise/letters/ai-training/audit/",
    "undo": None,  # the undo page of an audit entry
    "sources": "/organise/letters/ai-training/sources/",
    "updates": "/organise/letters/ai-training/updates/",
    "settings": "/organise/letters/ai-training/settings/",
    "organisers": "/organise/letters/ai-training/organisers/",
    "blocks": "/organise/letters/ai-training/blocks/",
    "publishing": "/organise/letters/ai-training/publishing/",
    "languages": "/organise/letters/ai-training/languages/",
    "language": "/organise/letters/ai-training/languages/fr/",
    "new-language": "/organise/letters/ai-training/languages/es/",
    "new-letter": "/organise/letters/new/?from=ai-training",
    "two-factor": "/accounts/2fa/",
}
SHOWN = ("publishing", "languages", "language", "new-letter")  # also saved as screenshots


@pytest.fixture(scope="module")
def axe_source():
    return AXE.read_text() if AXE.exists() else None


@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_serious_accessibility_violations_on_organiser_pages(
    browser, site, letter, axe_source, language
):
    need(axe_source is not None, "axe-core (npm ci)")
    owner = make_user(f"axe{language}")
    owner.user_permissions.add(Permission.objects.get(codename="add_letter"))
    Organiser.objects.create(letter=letter, user=owner, role=Organiser.Role.OWNER)
    client = Client()
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    entry = AuditEntry.objects.create(
        letter=letter,
        action="mark_notable",
        changed=1,
        signature_ids=[Signature.objects.filter(letter=letter).first().pk],
    )
    context = browser.new_context(
        locale=language, extra_http_headers={"Accept-Language": language}, bypass_csp=True
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}]
    )
    page = context.new_page()
    found = {}
    for name, path in ORGANISER_PAGES.items():
        page.goto(site + (path or f"/organise/letters/ai-training/audit/{entry.pk}/undo/"))
        page.add_script_tag(content=axe_source)
        results = page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations']})"
        )
        found[name] = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if name in SHOWN:
            for width in (390, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                _fits(page, width, name)
                page.screenshot(
                    path=str(ARTIFACTS / f"organise-{name}-{language}-{width}.png"), full_page=True
                )
    (ARTIFACTS / f"axe-organise-{language}.json").write_text(json.dumps(found, indent=1))
    context.close()
    assert not any(found.values()), found
