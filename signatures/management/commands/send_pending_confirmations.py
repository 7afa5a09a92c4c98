from django.core.management.base import BaseCommand

from signatures import outbox


class Command(BaseCommand):
    help = (
        "Send every signature email that was requested but never sent (for example while the "
        "broker was down). Safe to run at any time: nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10_000)

    def handle(self, *args, limit, **options):
        run = outbox.signatures_email_due(most=limit)
        if run.temporary_error:
            self.stderr.write(f"mail server failed; the rest stay due: {run.temporary_error}")
        self.stdout.write(f"sent {run.sent} emails")
