"""What the impersonation hold costs the email worker: µs per `hold_decision` call.

    .venv/bin/python bench/hold_cost.py [--protected 1200] [--signings 5000] [--rounds 5]

A letter in an in-memory SQLite database gets --protected names (random first + last names,
Latin and some Arabic) as its protected names; then --signings varied names (most of them
no protected name, some a protected one as typed, some a look-alike of one) are decided one
by one, as the worker decides each signing, after the names are loaded once (that load is
timed apart: it happens once per LOCAL_CACHE_SECONDS). Prints the per-call figures of the
best round and, for each kind of name, its mean and what was decided.

The other names come from the same 60 + 60 lists, a third of whose pairs are protected: a
dense case, where many an ordinary name (Maria for a protected Mario) is one letter from a
protected one and held for review.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FIRST = """Mara John Celestine Maria Mario Marie Mark Anna Anne Hannah Peter Paul Pauline
Laura Lauren Sarah Sara David Daniel Danielle Michael Michelle James Jane Janet Thomas Tomas
Emma Emily Oliver Olivia Lucas Lucia Sofia Sophie Ingrid Ines Nadia Nora Noah Liam Ethan Elena
Helen Agnes Bruno Carla Carlos Diego Dora Felix Frida Gustav Hugo Ivan Jorge Karin Leon Marta
Rosa""".split()
LAST = """Ellison Williams Fairweather Ellis Wilson Fairbanks Smith Smyth Johnson Jonson Brown
Braun Taylor Tyler Martin Martins Garcia Garza Miller Muller Davis Davies Clark Clarke Lewis
Louis Walker Hall Hill Allen Allan Young King Wright Scott Green Greene Baker Adams Nelson
Carter Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards Collins Stewart Morris
Murphy Cook Rogers Morgan Cooper Peterson Reed Okafor""".split()
FIRST_AR = "مريم محمد أحمد فاطمة علي حسن ليلى سارة يوسف خالد نور عمر".split()
LAST_AR = "حداد الخوري منصور حسين عبد_الله سليمان ناصر قاسم الأحمد يونس عيسى شريف".split()


def look_alike(name: str, rng: random.Random) -> str:
    """A forger's variant: a letter that looks alike, a typo, or an initial."""
    first, last = name.split(" ", 1)
    tricks = [
        lambda: name.replace("m", "rn", 1) if "m" in name else name.replace("a", "\u0430", 1),
        lambda: name.replace("w", "vv", 1) if "w" in name else name.replace("o", "\u043e", 1),
        lambda: name.replace("l", "ł", 1) if "l" in name else name.replace("e", "\u0435", 1),
        lambda: f"{first} {last[:2]}{last[3:]}",  # a letter dropped
        lambda: f"{first} {last[:2]}{last[1:]}",  # a letter doubled
        lambda: f"{first} {last[:2]}{last[3]}{last[2]}{last[4:]}",  # two letters swapped
        lambda: f"{first[0]}. {last}",  # an initial
    ]
    return rng.choice(tricks)()


def names(args: argparse.Namespace) -> tuple[list[str], list[tuple[str, str]]]:
    rng = random.Random(15)
    latin = [f"{f} {la}" for f in FIRST for la in LAST]
    arabic = [f"{f} {la}".replace("_", " ") for f in FIRST_AR for la in LAST_AR]
    protected = rng.sample(latin, args.protected - args.protected // 12)
    protected += rng.sample(arabic, args.protected // 12)
    taken = set(protected)
    free_latin = [n for n in latin if n not in taken]
    free_arabic = [n for n in arabic if n not in taken]
    signings: list[tuple[str, str]] = []
    for _ in range(args.signings):
        roll = rng.random()
        if roll < 0.05:
            signings.append(("protected, as typed", rng.choice(protected)))
        elif roll < 0.10:
            signings.append(("look-alike", look_alike(rng.choice(protected[:1000]), rng)))
        elif roll < 0.20:
            signings.append(("other, Arabic", rng.choice(free_arabic)))
        elif roll < 0.35:
            first, last = rng.choice(free_latin).split()
            shape = rng.choice(["{f} {i}. {l}", "Dr {f} {l}", "{l}, {f}", "{f} {l}-{x}"])
            other = rng.choice(LAST)
            text = shape.format(f=first, l=last, i=rng.choice("ABCDEJKMR"), x=other)
            signings.append(("other, Latin", text))
        else:
            signings.append(("other, Latin", rng.choice(free_latin)))
    return protected, signings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--protected", type=int, default=1200)
    parser.add_argument("--signings", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DATABASE_URL"] = "sqlite://:memory:"  # SQLite, without touching var/
    os.environ["LOCAL_CACHE_SECONDS"] = "3600"  # one load for the run: timed apart below
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from petition.models import Letter
    from signatures.models import Signature
    from signatures.trust import forget_protected_names, hold_decision, protected_names

    protected, signings = names(args)
    letter = Letter.objects.create(slug="bench-hold", protected_names="\n".join(protected))
    forget_protected_names()
    started = time.perf_counter()
    protected_names(letter.pk)
    load_ms = (time.perf_counter() - started) * 1000
    rows = [Signature(letter_id=letter.pk, name=name) for _, name in signings]
    best: list[float] = []
    for _ in range(args.rounds):
        timings = []
        for row in rows:
            started = time.perf_counter()
            hold_decision(row)
            timings.append(time.perf_counter() - started)
        if not best or statistics.fmean(timings) < statistics.fmean(best):
            best = timings
    us = sorted(t * 1e6 for t in best)
    print(f"{len(protected):,} protected names, loaded in {load_ms:.1f} ms (once per cache)")
    print(
        f"hold_decision over {len(rows):,} names (best of {args.rounds} rounds): "
        f"mean {statistics.fmean(us):.1f} µs, p50 {us[len(us) // 2]:.1f} µs, "
        f"p99 {us[int(len(us) * 0.99)]:.1f} µs, max {us[-1]:.1f} µs"
    )
    outcome: Counter[tuple[str, str]] = Counter()
    spent: dict[str, list[float]] = {}
    for (kind, _), row, seconds in zip(signings, rows, best, strict=True):
        held, note = hold_decision(row)
        outcome[kind, "held" if held else "flagged" if note else "listed"] += 1
        spent.setdefault(kind, []).append(seconds * 1e6)
    for kind in ("protected, as typed", "look-alike", "other, Latin", "other, Arabic"):
        counts = ", ".join(f"{outcome[kind, o]:,} {o}" for o in ("held", "flagged", "listed"))
        print(f"  {kind:<20} mean {statistics.fmean(spent[kind]):5.1f} µs; {counts}")


if __name__ == "__main__":
    main()
