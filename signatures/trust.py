"""Names people can trust: the impersonation hold.

A new or changed signature whose name, folded as name search folds it (case, accents,
Arabic diacritics and letter variants), equals the name of a verified notable signer of the
same letter, or one of the letter's protected names, is held: it may count once confirmed,
but it is listed nowhere by name until an organiser accepts it. A name that matches one only
once middle initials are left out ("Mara J. Ellison" for "Mara Ellison") is flagged for the
organisers, not held. The email worker decides this when it applies a signing's details
(signatures/outbox.py), so the sign request itself pays nothing for it.
"""

import threading

from cachetools import TTLCache, cached
from django.conf import settings

from letters.models import Letter

from .models import Signature
from .normalise import search_key


def _without_initials(folded: str) -> str:
    return " ".join(part for part in folded.split() if len(part.rstrip(".")) > 1)


@cached(TTLCache(maxsize=1024, ttl=settings.LOCAL_CACHE_SECONDS), lock=threading.Lock())
def protected_names(letter_id: int) -> dict[str, tuple[str, int | None]]:
    """folded name → (the name as shown, the verified signature's id or None for a name of
    the letter's list); kept LOCAL_CACHE_SECONDS in this process."""
    names: dict[str, tuple[str, int | None]] = {}
    text = Letter.objects.filter(pk=letter_id).values_list("protected_names", flat=True).first()
    for line in (text or "").splitlines():
        if folded := search_key(line):
            names[folded] = (line.strip(), None)
    verified = Signature.objects.filter(letter_id=letter_id, notable_verified=True)
    for pk, name, folded in verified.values_list("pk", "name", "name_search"):
        names.setdefault(folded, (name, pk))
    return names


@cached(TTLCache(maxsize=1024, ttl=settings.LOCAL_CACHE_SECONDS), lock=threading.Lock())
def _near_index(letter_id: int) -> dict[str, list[tuple[str, str, int | None]]]:
    """name without initials → [(folded name, as shown, id)]: one lookup per signature."""
    index: dict[str, list[tuple[str, str, int | None]]] = {}
    for folded, (shown, pk) in protected_names(letter_id).items():
        if bare := _without_initials(folded):
            index.setdefault(bare, []).append((folded, shown, pk))
    return index


def forget_protected_names() -> None:
    protected_names.cache_clear()
    _near_index.cache_clear()


def hold_decision(signature: Signature) -> tuple[bool, str]:
    """(held, note) for the signature's current name."""
    folded = search_key(signature.name)
    match = protected_names(signature.letter_id).get(folded)
    if match and match[1] != signature.pk:  # a verified notable signing again is themselves
        return True, f"matches {match[0]}"[:200]
    for other, shown, pk in _near_index(signature.letter_id).get(_without_initials(folded), []):
        if pk != signature.pk and other != folded:
            return False, f"near {shown}"[:200]
    return False, ""
