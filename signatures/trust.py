"""Names people can trust: the impersonation hold.

A name is compared by its *skeleton*: folded as name search folds it (case, accents, Arabic
diacritics and letter variants), then every letter that looks like a Latin letter or digit
mapped to one class (Cyrillic "а" and Latin "a"; Greek "Μ" and "M"; "I", "l" and "1":
Unicode's confusables data, through confusable-homoglyphs), a Latin letter with a stroke or
hook as the letter ("ł" is "l", "ø" "o"), runs that pass for one letter as that letter ("rn"
is "m", "vv" "w", "cl" "d"), and everything that is not a letter or digit (spaces,
punctuation, symbols, invisible fillers) a word break.

A new or changed signature is *held* when its name is, or looks like, a protected name: a
verified notable signer of the same letter, a name that ever was (verifying one adds it to
the letter's list), or a line of the letter's protected names. It is when its words include
every word of the name's skeleton, in any order, with any titles or punctuation around them
("Dr Mara Ellison", "Ellison, Mara", "Rnara Ellison", "Mаra Ellison" with a Cyrillic "а"), or
its letters run together are that name's. It looks like it when it is that but for one-letter
words ("Mara Ellison" for "Mara J. Ellison"), an initial for the first name ("C.
Fairweather"), or one letter in one word of 4+ Latin letters, dropped, added, doubled,
changed or two swapped ("Mara Elison", "Marah Ellison", "Jonh Williams"). The review note
says which name and why: "matches Mara Ellison", "resembles Mara Ellison (one letter
apart)". A held signature may count once confirmed; it is listed nowhere by name until an
organiser accepts it.

"Looks like" is a review, not a refusal: a real "Mark Ellison" is one letter from "Mara
Ellison" and waits for an organiser, the price of holding "Marah Ellison". Only words of 4+
Latin letters are ever one letter apart: "Tom" and "Tim" are two names, and so, in Arabic
script, which leaves short vowels out, are "محمد" and "احمد" (Mohammed, Ahmed).

The email worker decides it when it applies a signing's details (signatures/outbox.py), so
the sign request pays nothing; verifying a notable or changing the protected names checks
the letter's signatures again (`holds_recheck`).
"""

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from cachetools import TTLCache, cached
from celery import shared_task
from confusable_homoglyphs.confusables import confusables_data
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy

from ops.queue import enqueue
from petition.models import Letter

from .models import Signature
from .normalise import clean_text, search_key


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
# Capitals of other scripts that look like Latin capitals but whose small letters do not
# (Greek "Μ", Cyrillic "Н", Icelandic "Ð"): mapped before case folding, which would lose the
# resemblance.
_CAPITALS = str.maketrans(
    {
        "Ð": "d",
        **{
            ch: mapped
            for ch, mapped in _SKELETON.items()
            if not ch.isascii() and ch != ch.casefold() and _SKELETON.get(ch.casefold()) != mapped
        },
    }
)
# After case folding "I" is "i": the letters that pass for one another whatever the case.
_LOOKALIKE_LOWER = str.maketrans({"i": "1", "l": "1", "|": "1", "o": "0"})
# Pairs of letters that pass for one in common fonts, as they are once "l" is "1": "Rnara"
# is "Mara". Not "nn" or "ii", which do not pass for "m" or "u".
_RUNS = (("rn", "m"), ("vv", "w"), ("c1", "d"))
# A Latin letter with a stroke, bar or hook that no decomposition takes off ("ł", "ø", "đ")
# is that letter; a ligature ("æ") its letters.
_MARKED = re.compile(r"LATIN SMALL (?:LETTER|LIGATURE) ([A-Z]{1,2})(?: WITH .+)?")


class _Letters(dict):
    """Code point → what it is in a skeleton, worked out the first time it is seen, so that
    str.translate does the work (up to 20,000 characters kept, whatever names come in)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        mapped = _SKELETON.get(ch)
        if mapped is None:
            marked = _MARKED.fullmatch(unicodedata.name(ch, ""))
            mapped = marked[1].lower() if marked else ch
        letter = unicodedata.category(ch)[0] in "LN"
        out = (mapped if letter and mapped.isalnum() else " ").translate(_LOOKALIKE_LOWER)
        if len(self) < 20_000:
            self[code] = out
        return out


_LETTERS = _Letters()


def _folded(name: str) -> str:
    """The name with every letter as its skeleton and everything else a space."""
    return search_key(name.translate(_CAPITALS)).translate(_LETTERS)


def _words(folded: str) -> tuple[str, ...]:
    """The skeleton words of a folded name, pairs that pass for one letter made that one."""
    for run, letter in _RUNS:
        folded = folded.replace(run, letter)
    return tuple(folded.split())


def skeleton_words(name: str) -> tuple[str, ...]:
    """The name's words as compared for impersonation (module docstring)."""
    return _words(_folded(name))


def _plain_words(name: str) -> tuple[str, ...]:
    """The name's words as name search folds them, look-alikes kept: what tells "matches"
    from "resembles"."""
    key = search_key(name)
    return tuple("".join(ch if ch.isalnum() else " " for ch in key).split())


def _scripts(name: str) -> list[str]:
    """The scripts of the name's letters ("Cyrillic", "Latin"), from their Unicode names."""
    # clean_text takes out invisible letters (Hangul fillers), which belong to no script.
    text = unicodedata.normalize("NFKC", clean_text(name))
    letters = [ch for ch in text if ch.isalpha()]
    return sorted({unicodedata.name(ch, "?").split()[0].title() for ch in letters})


def _within_one_edit(a: str, b: str) -> bool:
    """Damerau–Levenshtein distance at most 1: one letter dropped, added, changed, or two
    neighbours swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        swapped = a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :]
        return a[i + 1 :] == b[i + 1 :] or swapped
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return shorter[i:] == longer[i + 1 :]


def _variants(word: str) -> list[str]:
    """The word, and the word less one of its letters: two words within one edit of each
    other share one of these (the "symmetric delete" index), so a signing looks up a few
    keys instead of comparing itself with every protected word."""
    return list(dict.fromkeys([word, *(word[:i] + word[i + 1 :] for i in range(len(word)))]))


# Only Latin words this long are one letter apart from another (module docstring).
EDIT_MIN_LETTERS = 4


@dataclass(frozen=True)
class Protected:
    shown: str
    words: frozenset[str]
    core: frozenset[str]  # its 2+ words of 2+ letters, when it has one-letter words too
    first: str  # the first word's first letter, as "C. Fairweather" gives it
    rest: frozenset[str]  # the words after the first
    signature_id: int | None  # the verified notable's own signature, which is never held


@dataclass(frozen=True)
class ProtectedNames:
    by_word: dict[str, list[Protected]]  # skeleton word → the names with it
    by_joined: dict[str, Protected]  # letters run together → the name
    # A Latin word of 4+ letters, or it less a letter → (that spelling, the word). Each word
    # is also spelt as before pairs that pass for one letter are made one: "Tunrer" is one
    # swap from "turner", not from "tumer".
    by_variant: dict[str, list[tuple[str, str]]]


@cached(TTLCache(maxsize=1024, ttl=settings.LOCAL_CACHE_SECONDS), lock=threading.Lock())
def protected_names(letter_id: int) -> ProtectedNames:
    """The letter's protected names indexed for hold_decision, kept LOCAL_CACHE_SECONDS in
    this process."""
    names: list[tuple[str, int | None]] = []
    text = Letter.objects.filter(pk=letter_id).values_list("protected_names", flat=True).first()
    names += [(line.strip(), None) for line in (text or "").splitlines() if line.strip()]
    verified = Signature.objects.filter(letter_id=letter_id, notable_verified=True)
    names += [(name, pk) for pk, name in verified.values_list("pk", "name")]
    return index_names(names)


def index_names(names: list[tuple[str, int | None]]) -> ProtectedNames:
    """(name, the verified notable's signature or None) pairs, indexed for hold_decision."""
    index = ProtectedNames({}, {}, {})
    indexed: set[tuple[str, str]] = set()  # (spelling, word) pairs in by_variant
    for shown, pk in names:
        folded = _folded(shown)
        words, spelt = _words(folded), folded.split()  # spelt: before runs are folded
        if not words:
            continue
        core = frozenset(w for w in words if len(w) > 1)
        entry = Protected(
            shown,
            frozenset(words),
            # Two full words at least: "J. K. Rowling" must not hold every "… Rowling".
            core if len(core) >= 2 and len(core) < len(set(words)) else frozenset(),
            spelt[0][0],  # "Clara" gives "C.", whose skeleton is "c", not "d"
            frozenset(words[1:]),
            pk,
        )
        index.by_joined.setdefault("".join(words), entry)
        for word in entry.words:
            index.by_word.setdefault(word, []).append(entry)
        for before, word in zip(spelt, words, strict=True):
            if len(word) < EDIT_MIN_LETTERS or not word.isascii():
                continue
            for pair in dict.fromkeys([(word, word), (before, word)]):
                if pair not in indexed:
                    indexed.add(pair)
                    for key in _variants(pair[0]):
                        index.by_variant.setdefault(key, []).append(pair)
    return index


def forget_protected_names() -> None:
    protected_names.cache_clear()


def _own(entry: Protected, signature: Signature) -> bool:
    return entry.signature_id is not None and entry.signature_id == signature.pk


def _resemblances(words: tuple[str, ...], index: ProtectedNames) -> Iterator[tuple[Protected, str]]:
    """The protected names the skeleton words are or resemble, the closest first, each with
    why it is near ("" for the same words). Lazy: the first that is not the signer's own
    ends the search."""
    present = set(words)
    if joined := index.by_joined.get("".join(words)):
        yield joined, ""
    sharing = [e for word in dict.fromkeys(words) for e in index.by_word.get(word, ())]
    yield from ((e, "") for e in sharing if e.words <= present)
    yield from ((e, "a one-letter word left out") for e in sharing if e.core and e.core <= present)
    yield from (
        (e, "initial") for e in sharing if e.rest and e.first in present and e.rest <= present
    )
    # Each word may be one letter off a protected word ("Jhon Wiliams": one in each).
    nearby: set[str] = set()
    for word in dict.fromkeys(words):
        for key in _variants(word) if len(word) >= EDIT_MIN_LETTERS - 1 else ():
            for spelling, near in index.by_variant.get(key, ()):
                if near not in present and _within_one_edit(word, spelling):
                    nearby.add(near)
    corrected = present | nearby
    for near in nearby:
        for entry in index.by_word[near]:
            if entry.words <= corrected:
                yield entry, "one letter apart"


def _looks_alike(name: str, entry: Protected) -> str:
    """Why a name with the same skeleton is not the protected name as typed: "" when it is."""
    mine, theirs = _plain_words(name), _plain_words(entry.shown)
    if set(theirs) <= set(mine) or "".join(mine) == "".join(theirs):
        return ""
    if len(scripts := _scripts(name)) > 1:
        return f"mixed scripts: {', '.join(scripts)}"
    kept = [w for w in mine if set(skeleton_words(w)) & entry.words] or list(mine)
    mine_letters, their_letters = Counter("".join(kept)), Counter("".join(theirs))
    extra = "".join((mine_letters - their_letters).elements())
    missing = "".join((their_letters - mine_letters).elements())
    why = "letters that look alike"
    return f"{why}: {extra}/{missing}" if extra and missing else why


def hold_decision(signature: Signature) -> tuple[bool, str]:
    """(held, note) for the signature's current name. A verified notable is never held:
    an organiser has checked that this is them."""
    words = skeleton_words(signature.name)
    if not words or signature.notable_verified:
        return False, ""
    found = _resemblances(words, protected_names(signature.letter_id))
    entry, near = next(((e, why) for e, why in found if not _own(e, signature)), (None, ""))
    if entry is None:
        return False, ""
    why = near or _looks_alike(signature.name, entry)
    note = f"resembles {entry.shown} ({why})" if why else f"matches {entry.shown}"
    return True, note[:200]


# The review note is stored in English (the audit and the export read it as written) and
# shown in the organiser's language: its few shapes, translated here.
_NOTE = re.compile(r"^(?P<kind>matches|resembles) (?P<name>.+?)(?: \((?P<why>[^()]*)\))?$")
_WHY = {
    "one letter apart": gettext_lazy("one letter apart"),
    "initial": gettext_lazy("an initial"),
    "letters that look alike": gettext_lazy("letters that look alike"),
}


def review_note_text(note: str) -> str:
    """A review note in the reader's language ("matches Kate Winslet" → "يطابق Kate
    Winslet"); a note of another shape as it is."""
    found = _NOTE.match(note or "")
    if not found:
        return note
    if found["kind"] == "matches":  # the rest is the name, brackets and all
        return gettext("matches %(name)s") % {"name": note.removeprefix("matches ")}
    name, why = found["name"], found["why"] or ""
    base, _colon, letters = why.partition(": ")
    reason = str(_WHY.get(base, base)) + (f": {letters}" if letters else "")
    return gettext("resembles %(name)s (%(why)s)") % {"name": name, "why": reason}


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
