from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from signatures.forms import SignForm
from signatures.selectors import letter_count_json, notable_signers

from .models import Letter
from .selectors import featured_letter, letter_by_slug


def render_letter(
    request: HttpRequest, letter: Letter, *, form: SignForm | None = None, status: int = 200
) -> HttpResponse:
    """The letter page. Everything but the form's tokens sits in cached fragments (see the
    template), so the values here are lazy: a cache hit never computes them."""
    language = get_language()

    def professions():
        totals = letter_count_json(slug=letter.slug)["by_profession"]
        return [(p, totals.get(p.key, 0)) for p in letter.professions.all()]

    context = {
        "letter": letter,
        "title": letter.title(language),
        "body_html": lambda: letter.body_html(language),
        "count": SimpleLazyObject(lambda: letter_count_json(slug=letter.slug)),
        "professions": SimpleLazyObject(professions),
        "notables": notable_signers(letter=letter),
        "form": form or SignForm(letter=letter),
        "fragment_seconds": settings.LETTER_FRAGMENT_CACHE_SECONDS,
    }
    return render(request, "petition/letter.html", context, status=status)


def home(request: HttpRequest) -> HttpResponse:
    return render_letter(request, featured_letter())


def letter_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render_letter(request, letter_by_slug(slug))


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "petition/privacy.html", {"purge_days": settings.PURGE_UNCONFIRMED_DAYS})
