"""Sending an update, top to bottom: start → claim → send → mark, with the tasks beside.

The same outbox discipline as confirmations (signatures/outbox.py), one row per recipient:

1. Start. One INSERT … SELECT writes a Delivery row for every signer who counts, asked for
   updates and was never refused for good by their mail server (a second start adds
   nothing: one row per update and signature).
2. Claim. A batch locks up to UPDATE_BATCH_SIZE due rows (SKIP LOCKED: two workers take
   different rows) and stamps a lease; a row a dead worker held is due again after
   UPDATE_LEASE_SECONDS.
3. Send. One SMTP connection per batch; each text rendered once per language, only the
   unsubscribe link differs per recipient. Someone who unsubscribed or stopped counting
   since the start is skipped. A temporary failure (4xx, a lost connection) stops the batch
   and releases the rest, tried again after UPDATE_RETRY_SECONDS; a permanent one (5xx) is
   recorded on the row and on the signature, which no later update tries again.
4. Mark. Each row is marked sent as soon as the server accepted its message. A worker killed
   between the two re-sends that one message after the lease, with the same Message-ID, so
   mail providers and clients show it once.

Pacing: a task sends one tick's worth (UPDATES_PER_MINUTE × UPDATE_TICK_SECONDS / 60) and
queues the next tick. The tasks run on their own queue (`updates`) and worker, so a large
update never delays a confirmation email.
"""

import contextlib
import logging
import math
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Now
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ops.emails import is_permanent_refusal, refusal_text, send_rendered, site_domain
from ops.queue import enqueue
from petition.deliverability import active_suppressions, suppressed_keys
from signatures.models import Signature
from signatures.referrals import share_codes_fill, share_url
from signatures.tokens import Purpose, make_token

from .models import Delivery, Update, UpdateText

log = logging.getLogger(__name__)

UPDATES_QUEUE = "updates"


def recipients(letter_id: int):
    """Who an update goes to: counted signers who asked for updates and can receive them."""
    return (
        Signature.objects.counted()
        .filter(letter_id=letter_id, updates=True, updates_refused_at__isnull=True)
        .exclude(email_key__in=active_suppressions().values("email_key"))
    )


# 1. Start -----------------------------------------------------------------------------------


def update_start(update_id: int) -> bool:
    """Snapshot the recipients and start sending (a draft or a scheduled update); returns
    whether this call started it."""
    with transaction.atomic():
        update = (
            Update.objects.select_for_update()
            .filter(pk=update_id, state__in=[Update.State.DRAFT, Update.State.SCHEDULED])
            .first()
        )
        if update is None:
            return False
        rows = recipients(update.letter_id).values_list(
            Value(update.pk), "pk", Value(Delivery.State.DUE), Value("")
        )
        select, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Delivery._meta.db_table} (update_id, signature_id, state, failure) "
                f"{select} ON CONFLICT (update_id, signature_id) DO NOTHING",
                params,
            )
        share_codes_fill(recipients(update.letter_id))  # each message carries its own link
        update.recipients = update.deliveries.count()
        update.state = Update.State.SENDING
        update.started_at = update.heartbeat_at = timezone.now()
        update.chain += 1
        update.save(update_fields=["recipients", "state", "started_at", "heartbeat_at", "chain"])
        chain = update.chain
        transaction.on_commit(lambda: enqueue(send_update_task, update_id, chain))
    log.info("update %s: sending to %s signers", update_id, update.recipients)
    return True


# 2. Claim -----------------------------------------------------------------------------------


@dataclass
class Run:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    temporary_error: str = ""
    more_due: bool = False


def _due(update_id: int):
    lease = timedelta(seconds=settings.UPDATE_LEASE_SECONDS)
    return Delivery.objects.filter(update_id=update_id, state=Delivery.State.DUE).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=Now() - lease)
    )


def deliveries_claim(update_id: int, *, limit: int) -> list[Delivery]:
    with transaction.atomic():
        deliveries = list(
            _due(update_id)
            .select_related("signature")
            .order_by("pk")
            .select_for_update(skip_locked=True, of=("self",))[:limit]
        )
        Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(claimed_at=Now())
        Update.objects.filter(pk=update_id).update(heartbeat_at=Now())
    return deliveries


# 3. Send ------------------------------------------------------------------------------------

# Stand for the recipient's own links in a text rendered once per language.
_UNSUBSCRIBE = "\x00unsubscribe\x00"
_MANAGE = "\x00manage\x00"
_SHARE = "\x00share\x00"


def signer_url(signature: Signature, slug: str, purpose: Purpose) -> str:
    """The signer's own link: unsubscribe, or manage their signature."""
    token = make_token(signature_id=signature.pk, email_key=signature.email_key, purpose=purpose)
    return settings.SITE_URL + reverse(f"front:{purpose}", kwargs={"slug": slug, "token": token})


def render_update(update: Update, text: UpdateText, *, test: bool = False) -> dict:
    """The update in one language, with a placeholder for the unsubscribe link."""
    letter = update.letter
    context = {
        "text": text,
        "body_html": text.body_html(),
        "letter_title": letter.title(text.language),
        "letter_url": settings.SITE_URL + letter.get_absolute_url(),
        "unsubscribe_url": _UNSUBSCRIBE,
        "manage_url": _MANAGE,
        "share_url": _SHARE,
        "test": test,
    }
    with translation.override(text.language):
        subject = text.subject
        if test:
            subject = translation.gettext("[Test] %(subject)s") % {"subject": subject}
        return {
            "subject": " ".join(subject.split()),
            "body": render_to_string("emails/update-body.txt", context),
            "html": render_to_string("emails/update-body.html", context),
            "language": text.language,
        }


def message_for(
    rendered: dict,
    *,
    to: str,
    unsubscribe: str,
    manage: str,
    message_id: str = "",
    reply_to: str = "",
    letter: str = "",
    share: str = "",
) -> dict:
    """A rendered update addressed to one recipient, with the headers bulk mail needs."""
    links = ((_UNSUBSCRIBE, unsubscribe), (_MANAGE, manage), (_SHARE, share or manage))
    body, html = rendered["body"], rendered["html"]
    for placeholder, url in links:
        body, html = body.replace(placeholder, url), html.replace(placeholder, url)
    message = {
        "subject": rendered["subject"],
        "body": body,
        "html": html,
        "from_email": settings.DEFAULT_FROM_EMAIL,
        "envelope_from": settings.EMAIL_BOUNCE_ADDRESS,
        "to": [to],
        "headers": {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
            "Content-Language": rendered["language"],
        },
    }
    if message_id:
        message["headers"]["Message-ID"] = message_id
    if reply_to:
        message["reply_to"] = [reply_to]  # the organisers' contact, where replies belong
    if letter:
        message["metadata"] = {"letter": letter}  # comes back with a bounce
    return message


def contact_address(contact: str) -> str:
    """The letter's contact if it is an email address ("" for a web address or none)."""
    try:
        validate_email(contact)
    except ValidationError:
        return ""
    return contact


def _message_id(delivery: Delivery) -> str:
    # The same for every attempt at this delivery: a re-send after a crash is one message.
    return f"<update-{delivery.update_id}.{delivery.signature_id}@{site_domain()}>"


def _still_wanted(signature: Signature) -> bool:
    return signature.counts and signature.updates and signature.updates_refused_at is None


def _renew(update_id: int, deliveries: list[Delivery]) -> None:
    """A slow mail server: keep this batch's lease (and the update's heartbeat) alive, so no
    other worker takes rows this one is still sending."""
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries], state=Delivery.State.DUE).update(
        claimed_at=Now()
    )
    Update.objects.filter(pk=update_id).update(heartbeat_at=Now())


def deliveries_send(update: Update, deliveries: list[Delivery]) -> Run:
    run = Run(claimed=len(deliveries))
    if not deliveries:
        return run
    texts = {text.language: text for text in update.texts.all()}
    reply_to = contact_address(update.letter.contact)
    suppressed = suppressed_keys({d.signature.email_key for d in deliveries})
    first = next(iter(texts.values()))
    rendered: dict[str, dict] = {}
    smtp = mail.get_connection()  # one SMTP session for the whole batch
    try:
        smtp.open()
    except (smtplib.SMTPException, OSError) as exc:  # the server is away: all stay due
        return _stop(run, deliveries, exc)
    renew_every = min(settings.UPDATE_LEASE_SECONDS, settings.UPDATE_STALL_SECONDS) / 3
    renew_at = time.monotonic() + renew_every
    _commit_without_waiting_for_disk(True)
    try:
        for index, delivery in enumerate(deliveries):
            if time.monotonic() >= renew_at:
                _renew(update.pk, deliveries[index:])
                renew_at = time.monotonic() + renew_every
            signature = delivery.signature
            if not _still_wanted(signature) or signature.email_key in suppressed:
                _mark(delivery, Delivery.State.SKIPPED)
                continue
            text = texts.get(signature.language, first)
            if text.language not in rendered:
                rendered[text.language] = render_update(update, text)
            message = message_for(
                rendered[text.language],
                to=signature.email,
                unsubscribe=signer_url(signature, update.letter.slug, Purpose.UNSUBSCRIBE),
                manage=signer_url(signature, update.letter.slug, Purpose.MANAGE),
                message_id=_message_id(delivery),
                reply_to=reply_to,
                letter=update.letter.slug,
                share=share_url(signature, letter=update.letter) if signature.share_code else "",
            )
            try:
                send_rendered(message, connection=smtp)
            except (smtplib.SMTPException, OSError) as exc:
                if not is_permanent_refusal(exc):
                    return _stop(run, deliveries[index:], exc)
                _mark_refused(delivery, exc)
                run.failed += 1
                continue
            _mark(delivery, Delivery.State.SENT)
            run.sent += 1
    finally:
        _commit_without_waiting_for_disk(False)
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.close()
    return run


def _commit_without_waiting_for_disk(on: bool) -> None:
    """Each message is marked in its own commit, and waiting for the disk on each was the
    mail-out's bottleneck (README, "Updates to signers"). Without the wait, a worker killed
    loses no mark (PostgreSQL has it); only a crash of PostgreSQL itself can lose the last
    fraction of a second of marks, whose messages would go again with the same Message-ID."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SET synchronous_commit TO off" if on else "SET synchronous_commit TO DEFAULT"
            )


def _stop(run: Run, unsent: list[Delivery], exc: Exception) -> Run:
    Delivery.objects.filter(pk__in=[d.pk for d in unsent]).update(claimed_at=None)
    run.temporary_error = str(exc) or type(exc).__name__
    log.warning("update batch stopped, %s left due: %s", len(unsent), run.temporary_error)
    return run


# 4. Mark ------------------------------------------------------------------------------------


def _mark(delivery: Delivery, state: str) -> None:
    sent_at = timezone.now() if state == Delivery.State.SENT else None
    Delivery.objects.filter(pk=delivery.pk).update(state=state, sent_at=sent_at)


def _mark_refused(delivery: Delivery, exc: Exception) -> None:
    """Refused for good: recorded here and on the signature, so no later update tries."""
    failure = refusal_text(exc)
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.FAILED, failure=failure)
    Signature.objects.filter(pk=delivery.signature_id).update(updates_refused_at=timezone.now())
    log.warning("update %s: %s refused for good: %s", delivery.update_id, delivery.pk, failure)


def update_finish_if_done(update_id: int) -> bool:
    """Sent once no recipient is due any more."""
    if Delivery.objects.filter(update_id=update_id, state=Delivery.State.DUE).exists():
        return False
    changed = Update.objects.filter(pk=update_id, state=Update.State.SENDING).update(
        state=Update.State.SENT, finished_at=Now()
    )
    if changed:
        log.info("update %s: sent", update_id)
    return True


def update_send(update_id: int, *, most: int | None, chain: int | None = None) -> Run:
    """Send batches until `most` messages were claimed, none is due, or the server fails.
    A task of a chain the sweep has replaced (`chain` no longer the update's) sends nothing:
    one chain of tasks per update, so the pace holds."""
    update = Update.objects.select_related("letter").filter(pk=update_id).first()
    run = Run()
    if update is None or update.state != Update.State.SENDING:
        return run
    if chain is not None and update.chain != chain:
        return run
    while True:
        size = settings.UPDATE_BATCH_SIZE
        if most is not None:
            size = min(size, most - run.claimed)
        batch = deliveries_send(update, deliveries_claim(update_id, limit=size))
        run.claimed, run.sent = run.claimed + batch.claimed, run.sent + batch.sent
        run.failed += batch.failed
        run.temporary_error = batch.temporary_error
        if batch.temporary_error or batch.claimed < size:
            return run
        if most is not None and run.claimed >= most:
            run.more_due = True
            return run


def tick_budget() -> int:
    return max(1, math.floor(settings.UPDATES_PER_MINUTE * settings.UPDATE_TICK_SECONDS / 60))


# Tasks --------------------------------------------------------------------------------------


@shared_task(queue=UPDATES_QUEUE)
def send_update_task(update_id: int, chain: int | None = None) -> int:
    """Send one tick's worth of an update, then queue the next tick of the same chain.
    In-process (no broker: the embedded default) the whole update goes at once, unpaced."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        run = update_send(update_id, most=None, chain=chain)
        update_finish_if_done(update_id)
        return run.sent
    began = time.monotonic()
    run = update_send(update_id, most=tick_budget(), chain=chain)
    if run.temporary_error:
        enqueue(send_update_task, update_id, chain, countdown=settings.UPDATE_RETRY_SECONDS)
    elif run.more_due:
        elapsed = time.monotonic() - began
        wait = max(0.0, settings.UPDATE_TICK_SECONDS - elapsed)
        enqueue(send_update_task, update_id, chain, countdown=wait)
    else:
        update_finish_if_done(update_id)  # rows a dead worker held wait for the sweep
    return run.sent


def update_new_chain(update_id: int) -> int:
    """Replace a stalled update's chain of tasks: a task of the old one, should it still be
    queued somewhere, stops at its next tick."""
    with transaction.atomic():
        update = Update.objects.select_for_update().get(pk=update_id)
        update.chain += 1
        update.heartbeat_at = timezone.now()
        update.save(update_fields=["chain", "heartbeat_at"])
    return update.chain


def updates_due(now: datetime) -> dict[str, list[int]]:
    stalled_before = now - timedelta(seconds=settings.UPDATE_STALL_SECONDS)
    active = Update.objects.filter(state__in=[Update.State.SCHEDULED, Update.State.SENDING])
    return {
        "start": list(
            active.filter(state=Update.State.SCHEDULED, send_at__lte=now).values_list(
                "pk", flat=True
            )
        ),
        "resume": list(
            active.filter(state=Update.State.SENDING)
            .filter(Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stalled_before))
            .values_list("pk", flat=True)
        ),
    }


@shared_task(queue=UPDATES_QUEUE)
def send_updates_sweep_task() -> int:
    """Beat's sweep: start scheduled updates whose time has come, and resume any that
    stopped moving (a lost task message, a killed worker, a dead broker)."""
    due = updates_due(timezone.now())
    for update_id in due["start"]:
        update_start(update_id)
    for update_id in due["resume"]:
        if not update_finish_if_done(update_id):
            enqueue(send_update_task, update_id, update_new_chain(update_id))
    return len(due["start"]) + len(due["resume"])
