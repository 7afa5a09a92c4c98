"""Organisers' writes that are not about signatures: invitations, letter settings."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from letters.models import Letter, Organiser
from ops.emails import render_email, send_later
from signatures.models import ModerationEntry
from signatures.moderation import moderation_log


@transaction.atomic
def organiser_invite(*, letter: Letter, email: str, role: str, invited_by) -> Organiser:
    """Make `email` an organiser of `letter`, creating the account if needed, and email them:
    a link to choose a password (new account) or to sign in."""
    email = email.strip().lower()
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        # Accounts sign in by email; the username only has to be unique.
        user = User(username=get_adapter().generate_unique_username([email]), email=email)
        user.set_unusable_password()
        user.save()
        # The link below can only be opened from this inbox: that proves the address.
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    organiser, _ = Organiser.objects.update_or_create(
        letter=letter, user=user, defaults={"role": role}
    )
    if created:
        path = reverse(
            "account_reset_password_from_key",
            kwargs={
                "uidb36": user_pk_to_url_str(user),
                "key": default_token_generator.make_token(user),
            },
        )
    else:
        path = reverse("account_login")
    context = {
        "letter_title": letter.title("en"),
        "role": organiser.get_role_display(),
        "invited_by": getattr(invited_by, "email", "") or "Undersigned",
        "link": settings.SITE_URL + path,
        "new_account": created,
    }
    message = render_email("invitation", to=email, context=context)
    transaction.on_commit(lambda: send_later(message))
    moderation_log(
        letter=letter,
        actor=invited_by,
        action=ModerationEntry.Action.INVITE,
        detail=f"{email} as {role}",
    )
    return organiser
