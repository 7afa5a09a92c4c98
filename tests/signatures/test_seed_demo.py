import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from petition.models import Letter, Profession
from signatures.counting import letter_count
from signatures.models import Signature

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_seed_demo_creates_the_featured_letter_in_both_languages():
    call_command("seed_demo")
    letter = Letter.objects.get(slug="ai-training")
    assert letter.featured
    assert letter.languages() == ["en", "ar", "fr"]
    assert letter.title("ar") and letter.text("ar").body and letter.title("fr")
    assert letter.state == Letter.State.PUBLISHED
    assert Profession.objects.filter(letter=letter).count() >= 12


def test_seed_demo_twice_duplicates_nothing():
    call_command("seed_demo")
    counts = (Letter.objects.count(), Profession.objects.count(), Signature.objects.count())
    call_command("seed_demo")
    assert (Letter.objects.count(), Profession.objects.count(), Signature.objects.count()) == counts


def test_seed_demo_signers_are_notable_and_counted():
    call_command("seed_demo")
    letter = Letter.objects.get(slug="ai-training")
    count = letter_count(letter=letter)
    assert count.signatures == count.notable == Signature.objects.filter(letter=letter).count() >= 5


def test_demo_letter_page_renders_in_arabic_right_to_left(client):
    call_command("seed_demo")
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar")
    body = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert Letter.objects.get().title("ar") in body


def test_statement_markdown_is_sanitised(client, letter):
    text = letter.texts.get(language="en")
    text.body = "Hello <script>alert(1)</script> [x](javascript:alert(2)) **bold**"
    text.save()
    body = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "<script>alert(1)" not in body
    assert "javascript:" not in body
    assert "<strong>bold</strong>" in body


def test_restarting_keeps_an_organisers_edits_a_closed_letter_and_a_removed_signer():
    """`make run`, the stack and compose run seed_demo at every start."""
    call_command("seed_demo")
    letter = Letter.objects.get(slug="ai-training")
    letter.texts.filter(language="en").update(title="Our own title", body="Our own statement.")
    letter.state = "closed"
    letter.save()
    impostor = Signature.objects.filter(letter=letter).first()
    impostor.state = Signature.State.REMOVED
    impostor.save()
    Profession.objects.filter(letter=letter, key="dancer").delete()

    call_command("seed_demo")

    letter = Letter.objects.get(slug="ai-training")
    impostor.refresh_from_db()
    assert (letter.title("en"), letter.text("en").body, letter.may_sign()) == (
        "Our own title",
        "Our own statement.",
        False,
    )
    assert impostor.state == Signature.State.REMOVED
    assert not Profession.objects.filter(letter=letter, key="dancer").exists()


def test_migrate_works_in_a_fresh_clone_without_the_var_folder(tmp_path):
    """Settings make the folder their defaults point into (no Makefile needed)."""
    var = tmp_path / "fresh-clone" / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (var / "db.sqlite3").is_file()
