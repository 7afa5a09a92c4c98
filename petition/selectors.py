import copy
import threading

from cachetools import TTLCache, cached
from django.conf import settings
from django.http import Http404

from .models import Letter


def featured_letter() -> Letter:
    """The site's root: the newest featured public letter, else the newest public one."""
    public = Letter.objects.public().order_by("-created_at")
    letter = public.filter(featured=True).first() or public.first()
    if letter is None:
        raise Http404("No letter has been published yet.")
    return letter


@cached(TTLCache(maxsize=256, ttl=settings.LOCAL_CACHE_SECONDS), lock=threading.Lock())
def _letter_snapshot(slug: str) -> Letter | None:
    return Letter.objects.filter(slug=slug).prefetch_related("professions", "texts").first()


# Saving a letter or a profession clears this process's copies at once (see apps.py).
forget_letters = _letter_snapshot.cache_clear


def letter_by_slug(slug: str) -> Letter:
    """The letter with its professions, as read at most LOCAL_CACHE_SECONDS ago: public pages
    and every signature ask for it. A copy, so a caller's changes stay its own."""
    letter = _letter_snapshot(slug)
    if letter is None:
        raise Http404("No such letter.")
    return copy.copy(letter)
