"""Every public page and every email is valid HTML by the Nu HTML Checker (vnu.jar, the W3C's
validator, from the `vnu-jar` npm package, on the distribution's Java): the pages in English
and Arabic, including their error and closed states, and each email's HTML part. One run of
the checker for all of them (the JVM starts once)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from petition.models import Letter
from signatures.counting import tally_recount

from .conftest import links_in, need
from .factories import SignatureFactory
from .layout import ROOT

pytestmark = pytest.mark.django_db

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# What emails keep on purpose: table attributes that Outlook's Word engine and older
# webmail still need for layout (HTML5 made them obsolete; mail clients did not follow).
EMAIL_ALLOWED = re.compile(
    r"The “(cellpadding|cellspacing|align|width|bgcolor|valign|border)” attribute on the "
    r"“(table|td|th)” element is obsolete"
)


def _pages(client: Client, letter: Letter, sign_data: dict) -> dict[str, str]:
    slug = letter.slug
    pages = {}
    for language in ("en", "ar"):
        for name, path in {
            "home": "/",
            "letters": "/letters/",
            "letter": f"/letters/{slug}/",
            "signatures": f"/letters/{slug}/signatures/",
            "organisations": f"/letters/{slug}/signatures/?kind=organisations",
            "verification": f"/letters/{slug}/verification/",
            "privacy": "/privacy/",
            "embed": f"/letters/{slug}/embed/",
            "embed-form": f"/letters/{slug}/embed/form/",
            "inbox": f"/letters/{slug}/signed/",
            "not-found": "/letters/no-such-letter/",
        }.items():
            response = Client().get(path, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code in (200, 404), (path, response.status_code)
            pages[f"{name}-{language}"] = response.content.decode()
        bad = {**sign_data, "email": "not an address"}
        errors = Client().post(f"/letters/{slug}/sign/", bad, HTTP_ACCEPT_LANGUAGE=language)
        pages[f"letter-errors-{language}"] = errors.content.decode()
        framed = Client().post(
            f"/letters/{slug}/embed/form/",
            sign_data | {"email": f"frame-{language}@example.org"},
            HTTP_ACCEPT_LANGUAGE=language,
            HTTP_SEC_FETCH_SITE="same-origin",
        )
        pages[f"embed-form-done-{language}"] = framed.content.decode()
    return pages


def _emails_and_link_pages(client: Client, letter, sign, sign_data) -> dict[str, str]:
    found = {}
    for language in ("en", "ar"):
        mail.outbox.clear()
        sign(letter, {**sign_data, "email": f"ada-{language}@example.org", "updates": "on"},
             HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip
        message = mail.outbox[-1]
        found[f"email-confirm-{language}"] = message.alternatives[0][0]
        links = links_in(message)
        for kind in ("confirm", "manage", "withdraw", "erase", "unsubscribe"):
            if kind in links:
                page = client.get(links[kind], HTTP_ACCEPT_LANGUAGE=language)
                found[f"{kind}-{language}"] = page.content.decode()
        mail.outbox.clear()
        sign(letter, {**sign_data, "email": f"ada-{language}@example.org"},
             HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip
        if mail.outbox:
            found[f"email-again-{language}"] = mail.outbox[-1].alternatives[0][0]
    return found


def _check(documents: dict[str, str], folder: Path) -> dict[str, list[str]]:
    files = []
    for name, html in documents.items():
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--stdout", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    problems: dict[str, list[str]] = {}
    for message in json.loads(result.stdout)["messages"]:
        if message.get("type") != "error" and message.get("subType") != "warning":
            continue
        name = Path(message.get("url", "")).stem
        if name.startswith("email-") and EMAIL_ALLOWED.search(message["message"]):
            continue
        line = f"{message.get('type')}/{message.get('subType', '')} l.{message.get('lastLine')}: "
        problems.setdefault(name, []).append(line + message["message"])
    return problems


def test_every_public_page_and_email_is_valid_html(
    client, letter, sign, sign_data, settings, tmp_path
):
    need(shutil.which("java") is not None, "Java (default-jre-headless), for the Nu checker")
    need(VNU.exists(), "vnu.jar (npm ci installs the vnu-jar package)")
    settings.SIGN_MIN_SECONDS = 0
    letter.texts.update_or_create(language="ar", defaults={"title": "رسالة", "body": "**نص**"})
    SignatureFactory(letter=letter, name="Kate Winslet", notable=True, notable_verified=True,
                     country="GB")  # fmt: skip
    SignatureFactory(letter=letter, signing_as="organisation", organisation="Writers' Guild",
                     organisation_verified=True)  # fmt: skip
    tally_recount(letter_id=letter.pk)
    documents = _pages(client, letter, sign_data)
    documents |= _emails_and_link_pages(client, letter, sign, sign_data)
    assert len(documents) >= 40
    # A canary: proof that the checker ran and reads these files (an empty report from a
    # checker that saw nothing would pass too).
    documents["canary"] = "<!doctype html><html lang=en><title>x</title><p><time datetime=x>x"
    problems = _check(documents, tmp_path)
    assert problems.pop("canary", None), "the Nu checker reported nothing on a broken page"
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)
