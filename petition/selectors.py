from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Letter


def featured_letter() -> Letter:
    letter = Letter.objects.filter(featured=True).order_by("-created_at").first()
    letter = letter or Letter.objects.order_by("-created_at").first()
    if letter is None:
        raise Http404("No letter has been published yet.")
    return letter


def letter_by_slug(slug: str) -> Letter:
    return get_object_or_404(Letter, slug=slug)
