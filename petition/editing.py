"""Owners' writes to a letter itself: creating it (or a copy), and its text per language.
Each is audited. Forms hand in their cleaned data; nothing here reads a request."""

from django.db import transaction

from .audit import audit_record
from .models import AuditEntry, Letter, LetterText, Organiser, Profession


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
    audit_record(letter=letter, actor=creator, action=AuditEntry.Action.SETTINGS, detail=detail)
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
    audit_record(
        letter=letter,
        actor=actor,
        action=AuditEntry.Action.SETTINGS,
        detail=f"{'added' if created else 'edited'} the text in {language}",
    )
    return text


@transaction.atomic
def letter_text_remove(*, letter: Letter, language: str, actor) -> None:
    """Drop a language other than the first; readers of it get the first language again."""
    if language == letter.language:
        raise ValueError("The first language cannot be removed.")
    LetterText.objects.filter(letter=letter, language=language).delete()
    audit_record(
        letter=letter,
        actor=actor,
        action=AuditEntry.Action.SETTINGS,
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
    audit_record(
        letter=letter,
        actor=actor,
        action=AuditEntry.Action.SETTINGS,
        detail=f"made {language} the first language",
    )
