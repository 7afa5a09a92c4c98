from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from signatures.signing import signatures_purge_unconfirmed


class Command(BaseCommand):
    help = "Delete signatures never confirmed within PURGE_UNCONFIRMED_DAYS (default 30)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, days, **options):
        days = settings.PURGE_UNCONFIRMED_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1")
        deleted = signatures_purge_unconfirmed(older_than_days=days)
        self.stdout.write(f"deleted {deleted} unconfirmed signatures older than {days} days")
