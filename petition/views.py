from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.views.decorators.clickjacking import xframe_options_exempt

from ops.edge import mark_cacheable, share_with_everyone
from signatures.forms import SignForm
from signatures.selectors import letter_count_json, notable_signers

from . import share
from .models import Letter
from .selectors import featured_letter, letter_by_slug


def render_letter(
    request: HttpRequest,
    letter: Letter,
    *,
    form: SignForm | None = None,
    status: int = 200,
    csrf_retry: bool = False,
) -> HttpResponse:
    """The letter page. Everything but the form's tokens sits in cached fragments (see the
    template), so the values here are lazy: a cache hit never computes them. A first visit
    gets the page everyone gets, which an edge cache may keep (ops/edge.py)."""
    language = get_language()
    shared = form is None and share_with_everyone(request)

    count = SimpleLazyObject(lambda: letter_count_json(slug=letter.slug))

    def professions():
        totals = count["by_profession"]
        return [(p, totals.get(p.key, 0)) for p in letter.professions.all()]

    context = {
        "letter": letter,
        "title": letter.title(language),
        "body_html": lambda: letter.body_html(language),
        "count": count,
        "professions": SimpleLazyObject(professions),
        "notables": notable_signers(letter=letter),
        "form": form or SignForm(letter=letter),
        "fragment_seconds": settings.LETTER_FRAGMENT_CACHE_SECONDS,
        "card": SimpleLazyObject(lambda: share.card(letter, language)),
        "share_links": SimpleLazyObject(lambda: share.share_links(letter, language)),
        "letter_url": share.letter_url(letter),
        "csrf_retry": csrf_retry,
    }
    response = render(request, "petition/letter.html", context, status=status)
    return mark_cacheable(response, shared=shared and status == 200)


def home(request: HttpRequest) -> HttpResponse:
    return render_letter(request, featured_letter())


def letter_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render_letter(request, letter_by_slug(slug))


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "petition/privacy.html", {"purge_days": settings.PURGE_UNCONFIRMED_DAYS})


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The count widget for other sites' iframes: the only page that may be framed."""
    letter = letter_by_slug(slug)
    context = {
        "letter": letter,
        "title": letter.title(get_language()),
        "count": letter_count_json(slug=letter.slug),
        "letter_url": settings.SITE_URL + letter.get_absolute_url(),
    }
    response = render(request, "petition/embed.html", context)
    response["Cache-Control"] = "public, max-age=10, stale-while-revalidate=60"
    return response
