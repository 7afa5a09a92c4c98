"""Organisers' CSV export: rows/s and peak memory, for the seeded letter (1,000,000 rows).

    python bench/export_memory.py [--slug bench-letter]

Peak RSS is read before and after streaming the whole export through Django's request
stack; constant memory means the second figure barely moves whatever the row count.
"""

import argparse
import resource
import time

from common import setup_django


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slug", default="bench-letter")
    args = parser.parse_args()
    setup_django()

    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench-staff", defaults={"is_staff": True, "email": "bench@example.org"}
    )
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    before = peak_rss_mib()
    started = time.perf_counter()
    response = client.get(f"/organise/letters/{args.slug}/export.csv")
    assert response.status_code == 200 and response.streaming
    rows = size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    print(
        f"exported {rows - 1:,} rows, {size / 2**20:,.1f} MiB in {elapsed:.1f} s "
        f"({(rows - 1) / elapsed:,.0f} rows/s)"
    )
    print(f"peak RSS before: {before:,.1f} MiB, after: {peak_rss_mib():,.1f} MiB")


if __name__ == "__main__":
    main()
