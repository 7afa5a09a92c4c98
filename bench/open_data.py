"""The public list as open data: one pass that writes a letter's CSV, for a letter with
about 100,000 listed signers (bench/seed_signatures.py --rows 111000 --slug open-data-letter
first: 90 % of seeded signers are listed), and what a download costs once it is written.

    python bench/open_data.py [--slug open-data-letter] [--downloads 200]

Prints the pass's time and the process's peak memory before and after it (constant memory
means the second barely moves whatever the rows), then the download rate from the file.
"""

import argparse
import resource
import tempfile
import time

from common import setup_django


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slug", default="open-data-letter")
    parser.add_argument("--downloads", type=int, default=200)
    args = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.test import Client

    from petition.models import Letter
    from signatures.models import Signature
    from signatures.open_data import open_data_file

    settings.VAR_DIR = tempfile.mkdtemp(prefix="open-data-bench-")
    settings.ALLOWED_HOSTS = ["*"]
    letter = Letter.objects.get(slug=args.slug)
    Letter.objects.filter(pk=letter.pk).update(state="published")
    listed = Signature.objects.listed().filter(letter=letter).count()
    before = peak_rss_mib()
    started = time.perf_counter()
    path = open_data_file(letter)
    elapsed = time.perf_counter() - started
    size = path.stat().st_size
    print(
        f"wrote {listed:,} listed signers, {size / 2**20:,.1f} MiB, in {elapsed:.2f} s "
        f"({listed / elapsed:,.0f} rows/s); peak RSS {before:,.1f} → {peak_rss_mib():,.1f} MiB"
    )
    client = Client()
    started = time.perf_counter()
    for _ in range(args.downloads):
        answer = client.get(f"/letters/{letter.slug}/signatures.csv")
        assert answer.status_code == 200
        for _chunk in answer.streaming_content:
            pass
    elapsed = time.perf_counter() - started
    print(
        f"{args.downloads} downloads from the written file: {args.downloads / elapsed:,.1f}/s "
        f"({elapsed / args.downloads * 1000:,.1f} ms each, {size / 2**20:,.1f} MiB each; no "
        "pass over the rows)"
    )


if __name__ == "__main__":
    main()
