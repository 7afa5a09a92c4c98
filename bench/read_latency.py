"""Public read latency against the seeded table (run seed_signatures.py first).

    python bench/read_latency.py [--slug bench-letter] [--requests 2000]

Measures, in-process through Django's full request stack (no network): the count API, the
signatures API's first page and a deep cursor page, and name search. Also the count API on a
tiny letter, to show that reading a count does not grow with the table.
"""

import argparse
import random
import time

from common import setup_django, summary


def timed(client, path: str, repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        t = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - t)
        assert response.status_code == 200, (path, response.status_code)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slug", default="bench-letter")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    setup_django()

    from django.test import Client

    from petition.models import Letter
    from signatures.counting import letter_count, tally_recount
    from signatures.models import Signature
    from signatures.selectors import encode_cursor

    letter = Letter.objects.get(slug=args.slug)
    rows = Signature.objects.filter(letter=letter).count()
    tiny, created = Letter.objects.get_or_create(slug="bench-tiny", defaults={"state": "published"})
    if created:
        tiny.texts.create(language="en", title="Tiny", body=".")
    tally_recount(letter_id=tiny.pk)
    client = Client()
    n = args.requests
    print(f"table: {rows:,} signatures on '{letter.slug}'")
    client.get(f"/api/letters/{letter.slug}/count")  # warm up connections and caches

    print(
        summary("count API (1M-row letter)", timed(client, f"/api/letters/{letter.slug}/count", n))
    )
    for label, target in (
        ("count read, uncached (1M rows)", letter),
        ("count read, uncached (empty)", tiny),
    ):
        seconds = []
        for _ in range(n // 2):
            t = time.perf_counter()
            letter_count(letter=target)
            seconds.append(time.perf_counter() - t)
        print(summary(label, seconds))
    print(summary("count API (empty letter)", timed(client, f"/api/letters/{tiny.slug}/count", n)))
    print(
        summary(
            "signatures API, first page",
            timed(client, f"/api/letters/{letter.slug}/signatures", n // 4),
        )
    )

    deep = (
        Signature.objects.listed()
        .filter(letter=letter)
        .order_by("-notable", "-pk")
        .only("pk", "notable")[int(rows * 0.85)]
    )
    deep_path = f"/api/letters/{letter.slug}/signatures?cursor={encode_cursor(deep)}"
    print(summary("signatures API, cursor at 85%", timed(client, deep_path, n // 4)))

    rng = random.Random(7)
    queries = [
        "lovelace",
        "nunez",
        "zoe",
        "okafor",
        "منصور",
        "ليلى",
        "kjaer",
        "ellison wren",
        "hiroshi tana",
        "garcia",
        "12345",
        "mateo silva 99",
    ]
    search = []
    for _ in range(n // 4):
        q = rng.choice(queries)
        search += timed(client, f"/api/letters/{letter.slug}/signatures?q={q}", 1)
    print(summary("name search (mixed queries)", search))
    page = []
    for _ in range(n // 10):
        page += timed(client, f"/letters/{letter.slug}/signatures/?q={rng.choice(queries)}", 1)
    print(summary("signer list page with search", page))


if __name__ == "__main__":
    main()
