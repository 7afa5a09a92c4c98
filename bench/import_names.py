"""Founding names in bulk: a 10,000-row CSV through the preview and the invitations, in one
process on the benchmark database, email to an in-memory outbox (no SMTP time).

    python bench/import_names.py [--rows 10000]

Prints the preview's time, the time to make every consent request (signatures/imports.py),
the time for the email worker's batches to send them all, and the process's peak memory after
each stage (peak RSS only grows: each figure is the most so far).
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
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from organise.imports import preview
    from petition.models import Letter, Profession
    from signatures.imports import import_confirm, import_invite
    from signatures.outbox import signatures_email_due

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    letter, _ = Letter.objects.get_or_create(slug="import-bench", defaults={"state": "private"})
    letter.texts.get_or_create(language="en", defaults={"title": "Import", "body": "Text"})
    Profession.objects.get_or_create(
        letter=letter, key="novelist", defaults={"labels": {"en": "Novelist"}}
    )
    letter.signatures.all().delete()
    owner, _ = get_user_model().objects.get_or_create(username="import-bench")
    run = int(time.time())
    out = io.StringIO()
    out.write("name,email,profession,country,language\n")
    for i in range(args.rows):
        language = "ar" if i % 3 == 0 else "en"
        out.write(f"Founder {i},founder-{run}-{i}@example.org,Novelist,France,{language}\n")
    upload = SimpleUploadedFile("founders.csv", out.getvalue().encode())
    print(f"file: {args.rows:,} rows, {upload.size / 2**20:.2f} MiB")

    started = time.perf_counter()
    batch = preview(letter=letter, upload=upload, actor=owner)
    elapsed = time.perf_counter() - started
    print(f"preview: {elapsed:.1f} s, {batch.counts}; peak RSS {peak_rss_mib():,.0f} MiB")

    started = time.perf_counter()
    import_confirm(batch=batch, actor=owner)
    made = import_invite(batch_id=batch.pk)
    elapsed = time.perf_counter() - started
    print(f"consent requests: {made:,} in {elapsed:.1f} s; peak RSS {peak_rss_mib():,.0f} MiB")

    started = time.perf_counter()
    sent = signatures_email_due().sent
    elapsed = time.perf_counter() - started
    print(
        f"emails sent: {sent:,} in {elapsed:.1f} s ({sent / elapsed:,.0f}/s, one process); "
        f"peak RSS {peak_rss_mib():,.0f} MiB"
    )


if __name__ == "__main__":
    main()
