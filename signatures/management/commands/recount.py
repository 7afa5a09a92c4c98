from django.core.management.base import BaseCommand, CommandError

from petition.models import Letter
from signatures.counting import tally_fold, tally_recount


class Command(BaseCommand):
    help = "Recompute letters' counters from the signature rows and repair any drift."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="letters to recount (default: all)")

    def handle(self, *args, slugs, **options):
        letters = Letter.objects.all()
        if slugs:
            letters = letters.filter(slug__in=slugs)
            missing = set(slugs) - set(letters.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No letter with slug: {', '.join(sorted(missing))}")
        for letter in letters:
            tally_fold(letter_id=letter.pk)
            drift = tally_recount(letter_id=letter.pk)
            self.stdout.write(f"{letter.slug}: drift {drift}" + (" (repaired)" if drift else ""))
