"""The letter out: letter.pdf in each of the letter's languages, its text read back from the
PDF (names in their order, Arabic included); a large letter built by a worker, the page
saying when it is ready."""

import io
import unicodedata

import pytest
from pypdf import PdfReader

from signatures import letter_pdf
from signatures.models import LetterPdf

from ..factories import SignatureFactory

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFKC", text)  # Arabic presentation forms → letters


@pytest.fixture
def signers(letter):
    novelist = letter.professions.get(key="novelist")
    actor = letter.professions.get(key="actor")
    SignatureFactory(letter=letter, name="Kate Winslet", profession=actor, notable=True,
                     notable_verified=True, role="Actor")  # fmt: skip
    SignatureFactory(letter=letter, signing_as="organisation", organisation="Writers Guild",
                     organisation_verified=True, name="Ines Duarte")  # fmt: skip
    SignatureFactory(letter=letter, name="Ada Lovelace", profession=novelist, email="ada@x.org")
    SignatureFactory(letter=letter, name="سلمى حداد", profession=novelist)
    SignatureFactory(letter=letter, name="Hidden Person", profession=novelist, show_name=False)
    return letter


def test_the_pdf_has_a_cover_the_statement_and_the_names_in_order(cast, as_user, signers):
    letter = signers
    response = as_user(cast["alice"]).get(f"/organise/letters/{letter.slug}/letter.pdf?lang=en")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert letter.title("en") in text
    order = [text.index(name) for name in ("Kate Winslet", "Writers Guild", "Ada Lovelace")]
    assert order == sorted(order)  # notables, organisations, then by profession
    assert "Hidden Person" not in text and "Ines Duarte" not in text  # not listed by name
    assert "ada@x.org" not in text and "@" not in text


def test_the_arabic_pdf_is_right_to_left_with_the_arabic_names(cast, as_user, signers):
    letter = signers
    letter.texts.update_or_create(language="ar", defaults={"title": "رسالة مفتوحة", "body": "نص"})
    response = as_user(cast["alice"]).get(f"/organise/letters/{letter.slug}/letter.pdf?lang=ar")
    text = _text(response.content)
    assert "سلمى" in text or "ىملس" in text  # extracted in either order
    assert "Kate Winslet" in text


def test_owners_only_and_only_the_letters_languages(cast, as_user, letter):
    assert (
        as_user(cast["bob"]).get(f"/organise/letters/{letter.slug}/letter.pdf").status_code == 404
    )
    owner = as_user(cast["alice"])
    assert owner.get(f"/organise/letters/{letter.slug}/letter.pdf?lang=xx").status_code == 400


def test_a_large_letter_is_built_by_a_worker_and_the_page_says_when(
    cast, as_user, signers, monkeypatch
):
    letter = signers
    monkeypatch.setattr(letter_pdf, "INLINE_NAMES", 2)
    monkeypatch.setattr(letter_pdf, "PART_NAMES", 2)  # parts joined by pypdf
    owner = as_user(cast["alice"])
    response = owner.get(f"/organise/letters/{letter.slug}/letter.pdf?lang=en")
    # Tasks run at once in tests: built while the request committed; the next ask gets it.
    assert response.status_code in (200, 202)
    kept = LetterPdf.objects.get(letter=letter, language="en")
    assert kept.state == LetterPdf.State.READY and kept.names == 4
    page = owner.get(f"/organise/letters/{letter.slug}/handover/").content.decode()
    assert "4 names" in page
    again = owner.get(f"/organise/letters/{letter.slug}/letter.pdf?lang=en")
    assert again.status_code == 200
    text = _text(again.content)
    assert all(name in text for name in ("Kate Winslet", "Writers Guild", "Ada Lovelace"))


def test_each_profession_is_one_section_even_when_professions_share_an_order(letter):
    letter.professions.update(order=0)  # as a seeded or hand-made list may have them
    novelist, actor = letter.professions.get(key="novelist"), letter.professions.get(key="actor")
    for name in ("Anna", "Carl", "Eve"):
        SignatureFactory(letter=letter, name=f"{name} Novelist", profession=novelist)
        SignatureFactory(letter=letter, name=f"{name[0]}b Actor", profession=actor)
    sections = letter_pdf._sections(letter, "en", letter_pdf.listed_names(letter))
    assert [len(section["names"]) for section in sections] == [3, 3]
