"""What the letter page's fragment cache saves: private renders (a visitor with a cookie)
with and without it (LETTER_FRAGMENT_CACHE_SECONDS), in-process through Django's stack.

    python bench/page_render.py [--requests 300]

The shared page (first visits) is served by the edge and is not measured here.
"""

import argparse
import time

from common import setup_django, summary


def timed(client, path: str, n: int) -> list[float]:
    seconds = []
    for _ in range(n):
        t = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - t)
        assert response.status_code == 200
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    call_command("seed_demo", verbosity=0)
    client = Client()
    client.cookies["csrftoken"] = "x" * 32  # a visitor with a cookie: a private page
    path = "/letters/ai-training/"
    for lang in ("en", "ar"):
        client.cookies["django_language"] = lang
        timed(client, path, 20)  # warm up
        settings.LETTER_FRAGMENT_CACHE_SECONDS = 2
        print(summary(f"{lang}: fragments cached", timed(client, path, args.requests)))
        settings.LETTER_FRAGMENT_CACHE_SECONDS = 0
        print(summary(f"{lang}: no fragment cache", timed(client, path, args.requests)))


if __name__ == "__main__":
    main()
