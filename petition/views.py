from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from signatures.forms import SignForm
from signatures.selectors import letter_count, notable_signers

from .models import Letter
from .selectors import featured_letter, letter_by_slug


def render_letter(
    request: HttpRequest, letter: Letter, *, form: SignForm | None = None, status: int = 200
) -> HttpResponse:
    language = get_language()
    count = letter_count(letter=letter)
    professions = [
        (profession, count.by_profession.get(profession.key, 0))
        for profession in letter.professions.all()
    ]
    context = {
        "letter": letter,
        "title": letter.title(language),
        "body_html": letter.body_html(language),
        "count": count,
        "professions": professions,
        "notables": notable_signers(letter=letter),
        "form": form or SignForm(letter=letter),
    }
    return render(request, "petition/letter.html", context, status=status)


def home(request: HttpRequest) -> HttpResponse:
    return render_letter(request, featured_letter())


def letter_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render_letter(request, letter_by_slug(slug))


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "petition/privacy.html", {"purge_days": settings.PURGE_UNCONFIRMED_DAYS})
