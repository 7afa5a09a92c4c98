"""Bulk-load N synthetic counted signatures into PostgreSQL with COPY, then recount.

    python bench/seed_signatures.py [--rows 1000000] [--slug bench-letter]

Uses BENCH_DATABASE_URL (default: the local `undersigned_bench` database, created if missing).
Prints rows/s. Run it again to add more rows.
"""

import argparse
import random
import time

from common import setup_django

FIRST = [
    "Ada",
    "José",
    "Zoë",
    "Mara",
    "Kenji",
    "Chidi",
    "Ana",
    "Élodie",
    "Tomasz",
    "Ingrid",
    "Omar",
    "Priya",
    "Søren",
    "Lucía",
    "Amara",
    "Hiroshi",
    "Fatima",
    "Noah",
    "Aoife",
    "Mateo",
    "ليلى",
    "أحمد",
    "مريم",
    "يوسف",
    "نور",
    "سارة",
    "خالد",
    "هدى",
]
LAST = [
    "Lovelace",
    "Núñez",
    "Ellison",
    "Arakawa",
    "Okafor",
    "Quintero",
    "Wren",
    "Dubois",
    "Kowalski",
    "Haddad",
    "Sharma",
    "Kjær",
    "García",
    "Mensah",
    "Tanaka",
    "Byrne",
    "Rossi",
    "Novak",
    "Silva",
    "منصور",
    "الحسن",
    "حداد",
    "عيسى",
    "الخوري",
    "سليمان",
    "الرشيد",
]
ROLES = [
    "",
    "",
    "Novelist",
    "Principal cellist, City Orchestra",
    "Illustrator",
    "Stage actor",
    "Session musician",
    "Photojournalist",
    "Voice director",
]
COUNTRIES = ["GB", "US", "FR", "DE", "EG", "LB", "JP", "NG", "MX", "BR", "IN", "PL", "ES", ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--slug", default="bench-letter")
    parser.add_argument("--batch", type=int, default=100_000)
    args = parser.parse_args()
    setup_django()

    from django.db import connection
    from django.utils import timezone

    from petition.defaults import PROFESSIONS
    from petition.models import Letter, Profession
    from signatures.counting import tally_recount
    from signatures.normalise import search_key

    letter, created = Letter.objects.get_or_create(slug=args.slug, defaults={"state": "published"})
    if created:
        letter.texts.create(language="en", title="Benchmark letter", body="Synthetic load.")
    professions = [
        Profession.objects.get_or_create(letter=letter, key=key, defaults={"labels": labels})[0].pk
        for key, labels in PROFESSIONS
    ]
    rng = random.Random(42)
    start_id = (
        connection.cursor()
        .connection.execute("SELECT coalesce(max(id), 0) FROM signatures_signature")
        .fetchone()[0]
    )
    now = timezone.now()
    columns = (
        "letter_id",
        "name",
        "name_search",
        "email",
        "email_key",
        "profession_id",
        "role",
        "country",
        "link",
        "show_name",
        "language",
        "state",
        "approved",
        "notable",
        "notable_verified",
        "signed_at",
        "confirmed_at",
        "emails_sent",
        "email_failure",
        "ip_hash",
        "user_agent",
    )
    # Every other NOT NULL column gets the model's default (COPY skips Django's defaults).
    from signatures.models import Signature

    others = [
        field
        for field in Signature._meta.concrete_fields
        if not field.primary_key and not field.null and field.column not in columns
    ]
    other_values = tuple(
        field.get_db_prep_save(field.get_default(), connection) for field in others
    )
    columns += tuple(field.column for field in others)
    started = time.perf_counter()
    written = 0
    with connection.cursor() as cursor:
        raw = cursor.connection
        while written < args.rows:
            n = min(args.batch, args.rows - written)
            with raw.cursor().copy(
                f"COPY signatures_signature ({', '.join(columns)}) FROM STDIN"
            ) as copy:
                for i in range(n):
                    serial = start_id + written + i
                    name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {serial}"
                    email = f"bench{serial}@example.org"
                    notable = rng.random() < 0.0005
                    copy.write_row(
                        (
                            letter.pk,
                            name,
                            search_key(name),
                            email,
                            email,
                            rng.choice(professions),
                            rng.choice(ROLES),
                            rng.choice(COUNTRIES),
                            "",
                            rng.random() < 0.9,
                            "en",
                            "confirmed",
                            True,
                            notable,
                            notable,
                            now,
                            now,
                            1,
                            "",
                            "",
                            "",
                            *other_values,
                        )
                    )
            raw.commit()
            written += n
            elapsed = time.perf_counter() - started
            print(f"  {written:>9,} rows  {written / elapsed:9,.0f} rows/s", flush=True)
    elapsed = time.perf_counter() - started
    print(f"loaded {written:,} rows in {elapsed:.1f} s: {written / elapsed:,.0f} rows/s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE signatures_signature")
    t = time.perf_counter()
    drift = tally_recount(letter_id=letter.pk)
    print(f"recount: {time.perf_counter() - t:.1f} s (counters moved by {drift:,})")


if __name__ == "__main__":
    main()
