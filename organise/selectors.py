"""Which letters a user organises. A letter someone does not organise answers 404 (not 403):
organisers of one letter learn nothing of another."""

from django.db.models import QuerySet
from django.http import Http404

from petition.models import Letter


def letters_organised_by(user) -> QuerySet[Letter]:
    return Letter.objects.organised_by(user).prefetch_related("texts")


def organised_letter(user, slug: str, *, owner: bool = False) -> Letter:
    letters = Letter.objects.organised_by(user, owner=owner).prefetch_related("texts")
    letter = letters.filter(slug=slug).first()
    if letter is None:
        raise Http404("No such letter.")
    return letter


def can_create_letters(user) -> bool:
    return user.is_authenticated and (user.is_staff or user.has_perm("petition.add_letter"))
