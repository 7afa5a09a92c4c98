import pytest
from django.core.management import call_command

from petition.models import Letter, Profession
from signatures.models import Signature
from signatures.selectors import letter_count

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_featured_letter_in_both_languages():
    call_command("seed_demo")
    letter = Letter.objects.get(slug="ai-training")
    assert letter.featured
    assert letter.title_ar and letter.body_ar
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
    assert Letter.objects.get().title_ar in body


def test_statement_markdown_is_sanitised(client, letter):
    letter.body_en = "Hello <script>alert(1)</script> [x](javascript:alert(2)) **bold**"
    letter.save()
    body = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "<script>alert(1)" not in body
    assert "javascript:" not in body
    assert "<strong>bold</strong>" in body
