from django.core.management.base import BaseCommand, CommandError

from letters.models import Letter, Organiser
from organise.services import organiser_invite


class Command(BaseCommand):
    help = (
        "Make an email address an organiser of a letter, creating the account if needed; "
        "they receive an email to choose their password."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("email")
        parser.add_argument("--role", choices=Organiser.Role.values, default=Organiser.Role.OWNER)

    def handle(self, *args, slug, email, role, **options):
        letter = Letter.objects.filter(slug=slug).first()
        if letter is None:
            raise CommandError(f"No letter with slug {slug!r}.")
        if "@" not in email:
            raise CommandError(f"{email!r} is not an email address.")
        organiser_invite(letter=letter, email=email, role=role, invited_by=None)
        self.stdout.write(f"{email} is now {role} of {slug}; an invitation email was sent.")
