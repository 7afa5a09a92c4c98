"""The letter handed over: letter.pdf of a letter with many listed signers, built as the
worker builds it (signatures/letter_pdf.py), in one process on the benchmark database.

    python bench/seed_signatures.py --rows 111000 --slug open-data-letter   # first, once
    python bench/letter_pdf.py [--slug open-data-letter] [--language en]

Prints the names, the time, the PDF's size and pages, and the process's peak memory.
"""

import argparse
import io
import resource
import time

from common import setup_django


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slug", default="open-data-letter")
    parser.add_argument("--language", default="en")
    args = parser.parse_args()
    setup_django()

    from pypdf import PdfReader

    from petition.models import Letter
    from signatures.letter_pdf import render_pdf

    letter = Letter.objects.get(slug=args.slug)
    before = peak_rss_mib()
    started = time.perf_counter()
    pdf, names = render_pdf(letter, args.language)
    elapsed = time.perf_counter() - started
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"letter.pdf ({args.language}): {names:,} names, {pages:,} pages, "
        f"{len(pdf) / 2**20:.1f} MiB in {elapsed:.0f} s ({elapsed / max(names, 1) * 1000:.2f} ms "
        f"a name); peak RSS {before:,.0f} → {peak_rss_mib():,.0f} MiB"
    )


if __name__ == "__main__":
    main()
