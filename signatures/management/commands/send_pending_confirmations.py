from django.core.management.base import BaseCommand

from signatures import services
from signatures.selectors import signatures_due_email


class Command(BaseCommand):
    help = (
        "Send every signature email that was requested but never sent (for example while the "
        "broker was down). Safe to run at any time: nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10_000)

    def handle(self, *args, limit, **options):
        sent = failed = 0
        for signature_id in signatures_due_email(limit=limit):
            try:
                sent += services.signature_email_send(signature_id=signature_id)
            except services.TemporaryEmailError as exc:
                failed += 1
                self.stderr.write(f"signature {signature_id}: temporary failure, left due: {exc}")
        self.stdout.write(f"sent {sent} emails; {failed} left for a later try")
