"""Names people can trust: the impersonation hold.

A name is compared by its *skeleton*: folded as name search folds it (case, accents, Arabic
diacritics and letter variants), then every letter that looks like a Latin letter or digit
mapped to one class (Cyrillic "а" and Latin "a"; "I", "l" and "1": Unicode's confusables
data, through confusable-homoglyphs), and everything that is not a letter or digit (spaces,
punctuation, symbols, invisible fillers) a word break.

A new or changed signature is *held* when its words include every word of a protected name
(in any order, with any titles or punctuation around them: "Dr Mara Ellison", "Ellison,
Mara", "Mara Ellison (verified)"), or its letters run together are that name's: a verified
notable signer of the same letter, a name that ever was (verifying one adds it to the
letter's list), or a line of the letter's protected names. A held signature may count once
confirmed; it is listed nowhere by name until an organiser accepts it. A name that matches
only when one-letter words are left out ("Mara Ellison" for a protected "Mara J. Ellison")
is *flagged* for review, not held.

The email worker decides it when it applies a signing's details (signatures/outbox.py), so
the sign request pays nothing; verifying a notable or changing the protected names checks
the letter's signatures again (`holds_recheck`).
"""

import threading
import unicodedata
from dataclasses import dataclass

from cachetools import TTLCache, cached
from celery import shared_task
from confusable_homoglyphs.confusables import confusables_data
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from ops.queue import enqueue
from petition.models import Letter

from .models import Signature
from .normalise import search_key


def _confusable_classes() -> dict[str, str]:
    """Character → the smallest ASCII letter or digit it can be mistaken for (union of
    Unicode's confusable pairs); characters confusable with none are not in it."""
    parent: dict[str, str] = {}

    def find(ch: str) -> str:
        while parent.get(ch, ch) != ch:
            ch = parent[ch]
        return ch

    for ch, entries in confusables_data.items():
        for entry in entries:
            other = entry["c"]
            if len(ch) == 1 and len(other) == 1:
                a, b = find(ch), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    classes: dict[str, list[str]] = {}
    for ch in list(parent):
        classes.setdefault(find(ch), []).append(ch)
    skeleton: dict[str, str] = {}
    for root, members in classes.items():
        ascii_ = sorted(c.lower() for c in [root, *members] if c.isascii() and c.isalnum())
        if ascii_:
            for member in [root, *members]:
                skeleton[member] = ascii_[0]
    return skeleton


_SKELETON = _confusable_classes()
# After case folding "I" is "i": the letters that pass for one another whatever the case.
_LOOKALIKE_LOWER = str.maketrans({"i": "1", "l": "1", "|": "1", "o": "0"})
# Hangul fillers are letters to Unicode but show nothing: word breaks here.
_FILLERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}


def skeleton_words(name: str) -> tuple[str, ...]:
    """The name's words as compared for impersonation (module docstring)."""
    out = []
    for ch in search_key(name):
        mapped = _SKELETON.get(ch, ch)
        letter = unicodedata.category(ch)[0] in "LN" and ch not in _FILLERS
        out.append(mapped if letter and mapped.isalnum() else " ")
    folded = "".join(out).translate(_LOOKALIKE_LOWER)
    return tuple(word for word in folded.split() if word)


@dataclass(frozen=True)
class Protected:
    shown: str
    words: frozenset[str]
    joined: str
    signature_id: int | None  # the verified notable's own signature, which is never held


@cached(TTLCache(maxsize=1024, ttl=settings.LOCAL_CACHE_SECONDS), lock=threading.Lock())
def protected_names(letter_id: int) -> tuple[dict[str, list[Protected]], dict[str, Protected]]:
    """(word → the protected names with that word, letters run together → name), kept
    LOCAL_CACHE_SECONDS in this process."""
    names: list[tuple[str, int | None]] = []
    text = Letter.objects.filter(pk=letter_id).values_list("protected_names", flat=True).first()
    names += [(line.strip(), None) for line in (text or "").splitlines() if line.strip()]
    verified = Signature.objects.filter(letter_id=letter_id, notable_verified=True)
    names += [(name, pk) for pk, name in verified.values_list("pk", "name")]
    by_word: dict[str, list[Protected]] = {}
    by_joined: dict[str, Protected] = {}
    for shown, pk in names:
        words = skeleton_words(shown)
        if not words:
            continue
        entry = Protected(shown, frozenset(words), "".join(words), pk)
        by_joined.setdefault(entry.joined, entry)
        for word in entry.words:
            by_word.setdefault(word, []).append(entry)
    return by_word, by_joined


def forget_protected_names() -> None:
    protected_names.cache_clear()


def _own(entry: Protected, signature: Signature) -> bool:
    return entry.signature_id is not None and entry.signature_id == signature.pk


def hold_decision(signature: Signature) -> tuple[bool, str]:
    """(held, note) for the signature's current name. A verified notable is never held:
    an organiser has checked that this is them."""
    words = skeleton_words(signature.name)
    if not words or signature.notable_verified:
        return False, ""
    by_word, by_joined = protected_names(signature.letter_id)
    present = set(words)
    joined = by_joined.get("".join(words))
    if joined and not _own(joined, signature):
        return True, f"matches {joined.shown}"[:200]
    candidates = {id(e): e for word in present for e in by_word.get(word, [])}.values()
    for entry in candidates:
        if entry.words <= present and not _own(entry, signature):
            return True, f"matches {entry.shown}"[:200]
    long_words = {w for w in present if len(w) > 1}
    for entry in candidates:
        core = {w for w in entry.words if len(w) > 1}
        if core and core <= long_words and not _own(entry, signature):
            return False, f"near {entry.shown}"[:200]
    return False, ""


def protect(letter: Letter, names: list[str]) -> None:
    """Add names to the letter's protected names (verifying a notable does), so that they
    stay protected even if the verification is later cleared."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        lines = [line.strip() for line in letter.protected_names.splitlines() if line.strip()]
        known = {tuple(skeleton_words(line)) for line in lines}
        added = [n for n in names if tuple(skeleton_words(n)) not in known]
        if added:
            letter.protected_names = "\n".join([*lines, *added])
            Letter.objects.filter(pk=letter.pk).update(protected_names=letter.protected_names)
    forget_protected_names()


RECHECK_SCAN_LIMIT = 100_000


def holds_recheck(letter_id: int, names: list[str]) -> int:
    """Hold the letter's signatures that now match one of `names` (just protected or
    verified), each decided as a new signature would be. A letter of up to
    RECHECK_SCAN_LIMIT signatures is read whole (lookalikes included, about 2 s for 100,000);
    a bigger one is searched through the name index for each name's longest word. Returns how
    many were newly held."""
    forget_protected_names()
    rows = Signature.objects.filter(letter_id=letter_id, held=False).exclude(
        state=Signature.State.REMOVED
    )
    if rows.count() > RECHECK_SCAN_LIMIT:
        found = Q()
        for name in names:
            if words := sorted(search_key(name).split(), key=len, reverse=True):
                found |= Q(name_search__contains=words[0])
        rows = rows.filter(found) if found else rows.none()
    held = 0
    fields = ("pk", "letter_id", "name", "held", "review_note", "notable_verified")
    for signature in rows.only(*fields).iterator():
        decision = hold_decision(signature)
        if decision != (signature.held, signature.review_note):
            Signature.objects.filter(pk=signature.pk).update(
                held=decision[0], review_note=decision[1]
            )
            held += int(decision[0])
    return held


@shared_task
def holds_recheck_task(letter_id: int, names: list[str]) -> int:
    return holds_recheck(letter_id, names)


def holds_recheck_soon(letter_id: int, names: list[str]) -> None:
    """Once the caller's transaction commits: by the worker, or in-process without one."""
    transaction.on_commit(lambda: enqueue(holds_recheck_task, letter_id, names))
