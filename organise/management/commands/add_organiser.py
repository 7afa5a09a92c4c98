from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from petition.models import Letter, Organiser
from petition.organisers import creator_grant, organiser_invite


class Command(BaseCommand):
    help = (
        "Make an email address an organiser of a letter, creating the account if needed; "
        "they receive an email to choose their password. With --creator EMAIL (no letter): "
        "let that address create letters, and print the link to give them."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?")
        parser.add_argument("email", nargs="?")
        parser.add_argument("--role", choices=Organiser.Role.values, default=Organiser.Role.OWNER)
        parser.add_argument("--creator", metavar="EMAIL", help="may create letters")
        parser.add_argument(
            "--language",
            choices=settings.INTERFACE_LANGUAGES,
            default="en",
            help="the invitation's language",
        )

    def handle(self, *args, slug, email, role, creator, language, **options):
        if creator:
            if "@" not in creator:
                raise CommandError(f"{creator!r} is not an email address.")
            _user, link = creator_grant(email=creator)
            self.stdout.write(f"{creator} may now create letters. Give them this link: {link}")
            if not slug:
                return
        if not slug or not email:
            raise CommandError("Give a letter's slug and an email address (or --creator EMAIL).")
        letter = Letter.objects.filter(slug=slug).first()
        if letter is None:
            raise CommandError(f"No letter with slug {slug!r}.")
        if "@" not in email:
            raise CommandError(f"{email!r} is not an email address.")
        organiser_invite(letter=letter, email=email, role=role, invited_by=None, language=language)
        self.stdout.write(f"{email} is now {role} of {slug}; an invitation email was sent.")
