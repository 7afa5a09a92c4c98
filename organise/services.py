"""Organisers' writes that are not about signatures: invitations, letter settings."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.urls import reverse

from letters.models import Letter, LetterText, Organiser, Profession
from ops.emails import render_email, send_later
from signatures.models import ModerationEntry
from signatures.moderation import moderation_log


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


@transaction.atomic
def organiser_invite(*, letter: Letter, email: str, role: str, invited_by) -> Organiser:
    """Make `email` an organiser of `letter`, creating the account if needed, and email them:
    a link to choose a password (new account) or to sign in."""
    email = email.strip().lower()
    user, created = account_for(email)
    organiser, _ = Organiser.objects.update_or_create(
        letter=letter, user=user, defaults={"role": role}
    )
    path = _welcome_path(user, created)
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


@transaction.atomic
def letter_create(*, form, creator, copy_of: Letter | None = None) -> Letter:
    """Save a new letter (a draft) with its text in its first language, the professions
    chosen on the form (from the copied letter's, or the creative defaults, and new ones),
    and its creator as owner; audited. A copy also takes the copied letter's other languages
    and its trust settings."""
    letter = form.save(commit=False)
    letter.state = Letter.State.DRAFT
    if copy_of is not None:
        letter.protected_names = copy_of.protected_names
        letter.verification_note = copy_of.verification_note
        letter.updates_wording = copy_of.updates_wording
    letter.save()
    texts = {form.cleaned_data["language"]: (form.cleaned_data["title"], form.cleaned_data["body"])}
    if copy_of is not None:
        for language, text in copy_of.texts_by_language().items():
            texts.setdefault(language, (text.title, text.body))
    LetterText.objects.bulk_create(
        LetterText(letter=letter, language=language, title=title.strip(), body=body)
        for language, (title, body) in texts.items()
    )
    Profession.objects.bulk_create(
        Profession(letter=letter, key=key, labels=labels, order=order)
        for order, (key, labels) in enumerate(form.chosen_professions())
    )
    Organiser.objects.create(letter=letter, user=creator, role=Organiser.Role.OWNER)
    detail = f"created{f' from {copy_of.slug}' if copy_of else ''}"
    moderation_log(
        letter=letter, actor=creator, action=ModerationEntry.Action.SETTINGS, detail=detail
    )
    return letter


@transaction.atomic
def letter_text_save(*, letter: Letter, language: str, form, actor) -> LetterText:
    """Write the letter's text in `language` (adding the language if it is new), the sign
    form's consent wording there, and the professions' names in it; audited."""
    data = form.cleaned_data
    text, created = LetterText.objects.update_or_create(
        letter=letter,
        language=language,
        defaults={"title": data["title"].strip(), "body": data["body"]},
    )
    wording = {**(letter.updates_wording or {}), language: data["updates_wording"].strip()}
    Letter.objects.filter(pk=letter.pk).update(
        updates_wording={code: value for code, value in wording.items() if value}
    )
    for profession in form.professions:
        label = form.labels()[profession.pk]
        labels = {**(profession.labels or {}), language: label}
        profession.labels = {code: value for code, value in labels.items() if value}
        profession.save(update_fields=["labels"])
    moderation_log(
        letter=letter,
        actor=actor,
        action=ModerationEntry.Action.SETTINGS,
        detail=f"{'added' if created else 'edited'} the text in {language}",
    )
    return text


@transaction.atomic
def letter_text_remove(*, letter: Letter, language: str, actor) -> None:
    """Drop a language other than the first; readers of it get the first language again."""
    if language == letter.language:
        raise ValueError("The first language cannot be removed.")
    LetterText.objects.filter(letter=letter, language=language).delete()
    moderation_log(
        letter=letter,
        actor=actor,
        action=ModerationEntry.Action.SETTINGS,
        detail=f"removed the text in {language}",
    )


@transaction.atomic
def letter_first_language(*, letter: Letter, language: str, actor) -> None:
    """Make another of the letter's languages its first: the one readers of a language it
    lacks get, and whose text is required."""
    if not LetterText.objects.filter(letter=letter, language=language).exists():
        raise ValueError("The letter has no text in this language.")
    letter.language = language
    letter.save(update_fields=["language", "updated_at"])
    moderation_log(
        letter=letter,
        actor=actor,
        action=ModerationEntry.Action.SETTINGS,
        detail=f"made {language} the first language",
    )
