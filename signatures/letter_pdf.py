"""The letter handed over: `letter.pdf` in one of the letter's languages, print-ready, with a
cover (title, count, date, organiser), the statement, then the counted, listed names in
columns (verified notables first, then verified organisations, then everyone by profession),
right to left where the language is.

WeasyPrint renders it (HTML and CSS to PDF through Pango and HarfBuzz, so Arabic is shaped
and ordered as in a browser, in the site's own faces): the organisers' statement is already
HTML, and the page's typography is CSS the site shares; ReportLab would need its own layout
and a separate shaping step. Laying out names costs about 2 ms each and memory grows with the
document, so names are laid out in parts of PART_NAMES and pypdf joins the parts: memory
stays that of one part. A letter of more than INLINE_NAMES names is built by a worker and
kept (LetterPdf), and the organisers' page says when it is ready.
"""

import io
import logging
from datetime import timedelta
from itertools import islice

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from pypdf import PdfWriter
from weasyprint import HTML

from ops.queue import enqueue
from petition.models import Letter

from .counting import letter_count
from .models import LetterPdf, Signature

log = logging.getLogger(__name__)

INLINE_NAMES = 2_000  # built in the request below this; by a worker above
PART_NAMES = 5_000


def listed_names(letter: Letter):
    """(heading key, name, detail) in the PDF's order: verified notables, verified
    organisations, then everyone else by profession and name. Never an email."""
    listed = Signature.objects.listed().filter(letter=letter).select_related("profession")
    for signer in (
        listed.filter(notable_verified=True)
        .order_by("wall_position", "name", "id")
        .iterator(chunk_size=2000)
    ):
        yield "notables", signer.name, signer.role or signer.profession.label()
    organisations = (
        Signature.objects.organisations().filter(letter=letter).order_by("organisation", "id")
    )
    for signer in organisations.iterator(chunk_size=2000):
        yield "organisations", signer.organisation, ""
    others = listed.filter(notable_verified=False).order_by(
        "profession__order", "profession_id", "name", "id"
    )  # profession_id too: professions may share an order, and each must be one section
    for signer in others.iterator(chunk_size=2000):
        yield signer.profession_id, signer.name, signer.role


def names_count(letter: Letter) -> int:
    return (
        Signature.objects.listed().filter(letter=letter).count()
        + Signature.objects.organisations().filter(letter=letter).count()
    )


def _sections(letter: Letter, language: str, rows) -> list[dict]:
    """Consecutive rows under one heading, each heading once."""
    professions = {p.pk: p.label(language) for p in letter.professions.all()}
    headings = {
        "notables": translation.gettext("Notable signers"),
        "organisations": translation.gettext("Organisations"),
    }
    sections: list[dict] = []
    for key, name, detail in rows:
        if not sections or sections[-1]["key"] != key:
            sections.append(
                {"key": key, "heading": headings.get(key) or professions.get(key, ""), "names": []}
            )
        sections[-1]["names"].append({"name": name, "detail": detail})
    return sections


def render_pdf(letter: Letter, language: str) -> tuple[bytes, int]:
    """The PDF and how many names it holds."""
    with translation.override(language):
        rows = listed_names(letter)
        context = {
            "letter": letter,
            "language": language,
            "rtl": translation.get_language_bidi(),
            "title": letter.title(language),
            "body_html": letter.body_html(language),
            "count": letter_count(letter=letter).signatures,
            "date": timezone.now(),
            "fonts": settings.BASE_DIR / "static" / "fonts",
        }
        writer, names, first = PdfWriter(), 0, True
        while True:
            part = list(islice(rows, PART_NAMES))
            if not part and not first:
                break
            html = render_to_string(
                "pdf/letter.html",
                {**context, "cover": first, "sections": _sections(letter, language, part)},
            )
            writer.append(
                io.BytesIO(HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())
            )
            names += len(part)
            first = False
            if len(part) < PART_NAMES:
                break
        writer.add_metadata({"/Title": context["title"], "/Creator": "Undersigned"})
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue(), names


def letter_pdf(letter: Letter, language: str) -> LetterPdf | bytes:
    """The PDF itself for a small letter; for a large one, its LetterPdf (ready, or being
    built: a build is asked for when none is ready or the ready one is out of date)."""
    if names_count(letter) <= INLINE_NAMES:
        return render_pdf(letter, language)[0]
    kept = LetterPdf.objects.filter(letter=letter, language=language).defer("pdf").first()
    fresh = kept and kept.state == LetterPdf.State.READY and kept.built_at >= letter.updated_at
    if fresh or (kept and kept.state == LetterPdf.State.BUILDING):
        return kept
    return rebuild(letter, language)


def rebuild(letter: Letter, language: str) -> LetterPdf:
    """Ask for a build (none ready, or "build it again" when the count has moved on)."""
    kept, _created = LetterPdf.objects.update_or_create(
        letter=letter,
        language=language,
        defaults={"state": LetterPdf.State.BUILDING, "requested_at": timezone.now()},
    )
    transaction.on_commit(lambda: enqueue(letter_pdf_task, letter.pk, language))
    return kept


@shared_task(ignore_result=True)
def letter_pdf_task(letter_id: int, language: str) -> None:
    letter = Letter.objects.filter(pk=letter_id).first()
    if letter is None:
        return
    pdf, names = render_pdf(letter, language)
    LetterPdf.objects.filter(letter=letter, language=language).update(
        state=LetterPdf.State.READY, built_at=timezone.now(), names=names, pdf=pdf
    )
    log.info("letter.pdf of %s (%s): %s names, %s bytes", letter.slug, language, names, len(pdf))


@shared_task(ignore_result=True)
def letter_pdf_sweep_task() -> None:
    """Beat: build what a lost message or a killed worker left "being built"."""
    stale = timezone.now() - timedelta(minutes=10)
    for letter_id, language in LetterPdf.objects.filter(
        state=LetterPdf.State.BUILDING, requested_at__lte=stale
    ).values_list("letter_id", "language"):
        LetterPdf.objects.filter(letter_id=letter_id, language=language).update(
            requested_at=timezone.now()
        )
        letter_pdf_task(letter_id, language)
