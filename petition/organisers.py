"""Who organises a letter: accounts made for invited organisers, removing one, and the right
to create letters. Each change is audited and emailed; the moves that hand a letter over
(an owner added or removed, a domain block, a state move) are emailed to its other owners."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ops.emails import render_email

from .audit import audit_record
from .mail import mail_queue
from .models import AuditEntry, Letter, Organiser


def account_for(email: str):
    """(user, created): the account of this address, made (without a password) if needed."""
    email = email.strip().lower()
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    # Accounts sign in by email; the username only has to be unique.
    user = User(username=get_adapter().generate_unique_username([email]), email=email)
    user.set_unusable_password()
    user.save()
    # The emailed link can only be opened from this inbox: that proves the address.
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user, True


def _welcome_path(user, created: bool) -> str:
    """Choose a password (a new account) or sign in."""
    if not created:
        return reverse("account_login")
    return reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )


@transaction.atomic
def creator_grant(*, email: str) -> tuple[object, str]:
    """Let `email` create letters (the `petition.add_letter` permission), making the account
    if needed. Returns (user, the link to give them: choose a password, or sign in)."""
    user, created = account_for(email)
    user.user_permissions.add(Permission.objects.get(codename="add_letter"))
    return user, settings.SITE_URL + _welcome_path(user, created)


def _lock_letter(letter: Letter) -> None:
    """Owner changes of one letter happen one at a time (two removals at once could each
    see another owner left and leave none)."""
    Letter.objects.select_for_update().filter(pk=letter.pk).values_list("pk").first()


def _owners(letter: Letter):
    return Organiser.objects.filter(letter=letter, role=Organiser.Role.OWNER)


class LastOwner(ValueError):
    pass


def invite_hands_over(*, letter: Letter, email: str, role: str) -> bool:
    """Whether this invitation changes who owns the letter: a new owner, or an owner made a
    moderator (both ask for a fresh code)."""
    if role == Organiser.Role.OWNER:
        return True
    return _owners(letter).filter(user__email__iexact=email.strip()).exists()


@transaction.atomic
def organiser_invite(
    *, letter: Letter, email: str, role: str, invited_by, language: str = "en"
) -> Organiser:
    """Make `email` an organiser of `letter`, creating the account if needed, and email them
    in `language` (through the outbox): a link to choose a password (new account) or to
    sign in. Making someone an owner, or an owner a moderator, is told to the other owners;
    a letter never loses its last owner this way."""
    email = email.strip().lower()
    _lock_letter(letter)
    user, created = account_for(email)
    before = Organiser.objects.filter(letter=letter, user=user).values_list("role", flat=True)
    was = before.first()
    if was == Organiser.Role.OWNER and role != Organiser.Role.OWNER:
        if _owners(letter).count() <= 1:
            raise LastOwner("A letter keeps at least one owner.")
    organiser, _ = Organiser.objects.update_or_create(
        letter=letter, user=user, defaults={"role": role, "language": language}
    )
    context = {
        "letter_title": letter.title(language),
        "role": Organiser.Role(role).label,  # lazy: in the invitee's language when rendered
        "invited_by": getattr(invited_by, "email", "") or "Undersigned",
        "link": settings.SITE_URL + _welcome_path(user, created),
        "new_account": created,
    }
    message = render_email("invitation", to=email, context=context, language=language)
    mail_queue(message, kind="invitation", letter=letter)
    if role == Organiser.Role.OWNER and was != Organiser.Role.OWNER:
        owners_notify(letter=letter, actor=invited_by, notice="owner_added", email=email)
    elif was == Organiser.Role.OWNER and role != Organiser.Role.OWNER:
        owners_notify(letter=letter, actor=invited_by, notice="owner_demoted", email=email)
    audit_record(
        letter=letter,
        actor=invited_by,
        action=AuditEntry.Action.INVITE,
        detail=f"{email} as {role}" + (f" (was {was})" if was and was != role else ""),
    )
    return organiser


@transaction.atomic
def organiser_remove(*, letter: Letter, organiser_id: int, actor) -> Organiser:
    """Take an organiser off the letter (never its last owner); audited, and the other owners
    and the person removed are told."""
    _lock_letter(letter)
    organiser = Organiser.objects.select_related("user").get(pk=organiser_id, letter=letter)
    if organiser.role == Organiser.Role.OWNER and _owners(letter).count() <= 1:
        raise LastOwner("A letter keeps at least one owner.")
    organiser.delete()
    audit_record(
        letter=letter,
        actor=actor,
        action=AuditEntry.Action.REMOVE_ORGANISER,
        detail=f"{organiser.user.email} ({organiser.role})",
    )
    email = organiser.user.email
    owners_notify(letter=letter, actor=actor, notice="organiser_removed", email=email)
    _notify(letter, email, organiser.language, actor, "organiser_removed", {"email": email})
    return organiser


# What the other owners are told, each in the language they were invited in.
NOTICES = {
    "owner_added": _("%(actor)s made %(email)s an owner of “%(title)s”."),
    "owner_demoted": _("%(actor)s made %(email)s a moderator of “%(title)s”, no longer an owner."),
    "organiser_removed": _("%(actor)s removed %(email)s from the organisers of “%(title)s”."),
    "block_added": _("%(actor)s added a block to “%(title)s”: %(detail)s."),
    "moved": _("%(actor)s moved “%(title)s”: %(detail)s."),
    "scheduled": _("%(actor)s changed when “%(title)s” publishes or closes: %(detail)s."),
}


def owners_notify(*, letter: Letter, actor, notice: str, **params) -> int:
    """Email every owner of the letter about a change, but the one who made it and the one
    it is about (they are told otherwise); how many were told. `params` may be lazy: they are
    written in each owner's language."""
    owners = _owners(letter).select_related("user")
    if actor is not None:
        owners = owners.exclude(user=actor)
    if "email" in params:
        owners = owners.exclude(user__email__iexact=str(params["email"]))
    told = 0
    for owner in owners:
        _notify(letter, owner.user.email, owner.language, actor, notice, params)
        told += 1
    return told


def _notify(letter: Letter, to: str, language: str, actor, notice: str, params: dict) -> None:
    language = language if language in settings.INTERFACE_LANGUAGES else "en"
    audit_url = settings.SITE_URL + reverse("organise:audit", kwargs={"slug": letter.slug})
    title = letter.title(language)
    with translation.override(language):
        who = getattr(actor, "email", "") or "Undersigned"
        values = {key: str(value) for key, value in params.items()}
        text = str(NOTICES[notice]) % {"actor": who, "title": title, **values}
    context = {"notice": text, "letter_title": title, "audit_url": audit_url}
    message = render_email("owner-notice", to=to, context=context, language=language)
    mail_queue(message, kind="owner-notice", letter=letter)
