from django.core.management.base import BaseCommand

from signatures import services

BATCH = 100


class Command(BaseCommand):
    help = (
        "Send every signature email that was requested but never sent (for example while the "
        "broker was down). Safe to run at any time: nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10_000)

    def handle(self, *args, limit, **options):
        sent = handled = 0
        while handled < limit:
            size = min(BATCH, limit - handled)
            batch = services.signatures_email_batch(limit=size)
            sent, handled = sent + batch.sent, handled + batch.claimed
            if batch.temporary_error:
                self.stderr.write(f"mail server failed; the rest stay due: {batch.temporary_error}")
                break
            if batch.claimed < size:
                break
        self.stdout.write(f"sent {sent} emails")
