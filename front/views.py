"""Public pages about a letter: the letter itself, its signer list, the embed, privacy."""

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from ops.http import next_page_query
from petition.markdown import render_markdown
from petition.models import Letter
from petition.selectors import featured_letter
from signatures.counting import letter_count, letter_count_json
from signatures.open_data import open_data_file
from signatures.selectors import (
    letters_with_counts,
    public_signatures,
    verified_organisations,
)

from .access import readable_letter, refusal, with_language_alternates
from .countries import country_rows
from .deferred_csrf import mark_cacheable, share_with_everyone
from .forms import SignatureFilterForm
from .letter_page import render_letter
from .share_image import share_png


def _letter_page(request: HttpRequest, letter: Letter) -> HttpResponse:
    # Before rendering: it decides the CSRF field. Only a public letter's page is shared.
    shared = share_with_everyone(request, public=request.letter_access.public)
    return mark_cacheable(render_letter(request, letter), shared=shared)


def home(request: HttpRequest) -> HttpResponse:
    with_language_alternates(request)
    return _letter_page(request, readable_letter(request, featured_letter().slug))


def letter_detail(request: HttpRequest, slug: str) -> HttpResponse:
    with_language_alternates(request)
    return _letter_page(request, readable_letter(request, slug))


def letter_index(request: HttpRequest) -> HttpResponse:
    """GET /letters/: every letter, with its count, featured first then newest."""
    language = get_language()
    letters = [
        {"letter": letter, "title": letter.title(language), "count": count}
        for letter, count in letters_with_counts()
    ]
    return render(request, "front/letters.html", {"letters": letters})


def signature_list(request: HttpRequest, slug: str) -> HttpResponse:
    with_language_alternates(request)
    letter = readable_letter(request, slug)
    if request.GET.get("kind") == "organisations":
        context = {
            "letter": letter,
            "form": SignatureFilterForm(letter=letter),
            "organisations_only": True,
            "organisations": verified_organisations(letter=letter),
            "count": letter_count(letter=letter),
        }
        return render(request, "front/list.html", context)
    form = SignatureFilterForm(request.GET, letter=letter)
    if not form.is_valid():
        context = {"letter": letter, "form": form, "page": None}
        return render(request, "front/list.html", context, status=400)
    page = public_signatures(letter=letter, **form.selector_arguments())
    count = letter_count(letter=letter)
    context = {
        "letter": letter,
        "form": form,
        "page": page,
        "next_query": page.next_cursor and next_page_query(request, cursor=page.next_cursor),
        "count": count,
        "by_country": country_rows(count.by_country),
    }
    return render(request, "front/list.html", context)


def verification(request: HttpRequest, slug: str) -> HttpResponse:
    """How this letter's organisers verify names, in their words or the default ones."""
    with_language_alternates(request)
    letter = readable_letter(request, slug)
    note = render_markdown(letter.verification_note) if letter.verification_note else ""
    return render(request, "front/verification.html", {"letter": letter, "note": note})


def share_image(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    """The letter's Open Graph image in one of the interface's languages (front/share_image.py:
    drawn once per count step, then from the cache)."""
    letter = readable_letter(request, slug, in_its_language=False)
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    if language not in letter.languages():
        language = letter.languages()[0]  # the letter has no text in it: its first language
    count = letter_count_json(slug=letter.slug)["signatures"]
    response = HttpResponse(share_png(letter, language, count), content_type="image/png")
    response["Cache-Control"] = "public, max-age=600, s-maxage=600"
    return response


def header_image(request: HttpRequest, slug: str) -> HttpResponse:
    """The letter's header image, re-encoded at upload (petition/images.py). Its URL carries
    the letter's version, so it may be cached for long."""
    letter = readable_letter(request, slug, in_its_language=False)
    if not letter.header_image:
        raise Http404("No header image.")
    response = HttpResponse(bytes(letter.header_image), content_type=letter.header_image_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and feed readers ask for /favicon.ico whatever the page's <link> says."""
    return redirect(static("img/favicon.svg"), permanent=True)


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "front/privacy.html", {"purge_days": settings.PURGE_UNCONFIRMED_DAYS})


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The count widget for other sites' iframes: the only page that may be framed."""
    letter = readable_letter(request, slug)
    context = {
        "letter": letter,
        "title": letter.title(get_language()),
        "count": letter_count_json(slug=letter.slug),
        "letter_url": settings.SITE_URL + letter.get_absolute_url(),
    }
    response = render(request, "front/embed.html", context)
    response["Cache-Control"] = "public, max-age=10, stale-while-revalidate=60"
    return response


def _file_chunks(path, size: int = 1 << 16):
    """The file in chunks, opened only once the answer is being sent (and closed after)."""
    with path.open("rb") as source:
        while chunk := source.read(size):
            yield chunk


@require_GET
def signatures_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """Every listed signer of a public letter as CSV (signatures/open_data.py): at most
    OPEN_DATA_MAX_AGE_SECONDS old, never an email, 404 while the letter is not public."""
    letter = readable_letter(request, slug, in_its_language=False)
    if not request.letter_access.public:
        raise refusal(request)
    response = StreamingHttpResponse(
        _file_chunks(open_data_file(letter)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{letter.slug}-signatures.csv"'
    response["Cache-Control"] = f"public, max-age={settings.OPEN_DATA_MAX_AGE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"
    return response
