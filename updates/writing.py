"""Owners' writes on updates: write or edit a draft, send a test, send now, schedule,
cancel a schedule. Each is audited in the letter's log (signatures.moderation)."""

from datetime import datetime

from django.conf import settings
from django.db import transaction

from petition.audit import audit_record
from petition.mail import mail_queue
from petition.markdown import render_markdown
from petition.models import AuditEntry, Letter

from .models import Update
from .sending import message_for, render_update, update_start

Action = AuditEntry.Action


def update_save(
    *, letter: Letter, actor, texts: dict[str, tuple[str, str]], public: bool, update=None
) -> Update | None:
    """Create a draft, or replace the texts of one not yet sent (None if it has started
    meanwhile). `texts`: language → (subject, body), the first language first (the
    fallback); languages left out are dropped."""
    with transaction.atomic():
        if update is None:
            update = Update.objects.create(letter=letter, created_by=actor, public=public)
        else:
            # Locked: the sweep's start of a scheduled update waits for this, or this for it.
            update = (
                Update.objects.select_for_update()
                .filter(pk=update.pk, state__in=[Update.State.DRAFT, Update.State.SCHEDULED])
                .first()
            )
            if update is None:
                return None
            update.public = public
            update.save(update_fields=["public"])
        update.texts.exclude(language__in=list(texts)).delete()
        for order, (language, (subject, body)) in enumerate(texts.items()):
            update.texts.update_or_create(
                language=language,
                defaults={
                    "subject": subject,
                    "body": body,
                    "html": render_markdown(body),
                    "order": order,
                },
            )
    return update


def update_send_test(*, update: Update, actor) -> int:
    """Every language of the update to its author's own address, marked as a test. Its
    unsubscribe link leads to the letter, and it carries no List-Unsubscribe headers: a
    test has no recipient to unsubscribe."""
    letter_url = settings.SITE_URL + update.letter.get_absolute_url()
    texts = list(update.texts.all())
    to = actor.email
    for text in texts:
        rendered = render_update(update, text, test=True)
        message = message_for(rendered, to=to, unsubscribe=letter_url, manage=letter_url)
        for header in ("List-Unsubscribe", "List-Unsubscribe-Post", "Precedence"):
            del message["headers"][header]
        mail_queue(message, kind="update-test", letter=update.letter)
    audit_record(letter=update.letter, actor=actor, action=Action.UPDATE_TEST, detail=to)
    return len(texts)


def update_send_now(*, update: Update, actor) -> bool:
    started = update_start(update.pk)
    if started:
        update.refresh_from_db()
        audit_record(
            letter=update.letter,
            actor=actor,
            action=Action.UPDATE_SEND,
            detail=update.subject(),
            changed=update.recipients,
        )
    return started


def update_schedule(*, update: Update, actor, when: datetime) -> bool:
    changed = Update.objects.filter(
        pk=update.pk, state__in=[Update.State.DRAFT, Update.State.SCHEDULED]
    ).update(state=Update.State.SCHEDULED, send_at=when)
    if changed:
        audit_record(
            letter=update.letter,
            actor=actor,
            action=Action.UPDATE_SCHEDULE,
            detail=f"{when.isoformat(timespec='minutes')} {update.subject()}",
        )
    return bool(changed)


def update_cancel_schedule(*, update: Update, actor) -> bool:
    changed = Update.objects.filter(pk=update.pk, state=Update.State.SCHEDULED).update(
        state=Update.State.DRAFT, send_at=None
    )
    if changed:
        audit_record(
            letter=update.letter, actor=actor, action=Action.UPDATE_CANCEL, detail=update.subject()
        )
    return bool(changed)
