"""The confirmation-email outbox, top to bottom: request → claim and decide → send → mark.

The signature row is the outbox: an email is due while `email_requested_at` is set.

1. Request. Signing writes what was sent (`submitted`) and a new `email_requested_at` in one
   statement (signing.signature_sign), and once it commits asks for a batch. With a worker,
   the first request of each EMAIL_BATCH_WINDOW_SECONDS window sends one task, which sends
   every email due; in-process (no Redis) the same task runs at once. Nothing depends on that
   message arriving: beat's sweep sends whatever has been due for EMAIL_SWEEP_AFTER_SECONDS.
2. Claim and decide. A batch locks up to EMAIL_BATCH_SIZE due rows (SKIP LOCKED: two
   workers take different rows), stamps a lease (`email_claimed_at`, the database's clock, for
   EMAIL_LEASE_SECONDS), and decides each row's email (`resolve_submission`): the signing's
   details applied and a confirmation link, "you have already signed", or none. The decision
   is kept with the request it answers, so a re-send after a crash is the same message.
3. Send. One SMTP connection per batch. A temporary failure (4xx, a lost connection) stops
   the batch and releases the rest; a permanent one (5xx) is recorded on the row, unless one
   provider refuses an unbroken run of them (EMAIL_PERMANENT_BURST), which is an incident on
   their side: the provider is paused for every worker, its emails wait out the pause, and it
   is logged as an error.
4. Mark. Each row is marked as soon as the server accepted its message, clearing the request
   only if it is still the one claimed (a signing meanwhile stays due), so a worker killed
   mid-batch re-sends at most the one in flight; the others' leases run out and the next
   batch sends them.
"""

import logging
import smtplib
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models import Case, F, Min, Q, Value, When
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone

from ops.db import update_rows
from ops.emails import is_permanent_refusal, refusal_text, send_templated
from ops.queue import enqueue, enqueue_once_per_window
from petition.deliverability import suppressed_keys
from petition.models import Letter, Profession

from .counting import counted_change
from .models import Signature
from .moderation import verification_clear
from .normalise import search_key
from .referrals import share_url
from .tokens import Purpose, make_token
from .trust import hold_decision

log = logging.getLogger(__name__)


# 1. Request ---------------------------------------------------------------------------------


def email_request_on_commit() -> None:
    """Ask for a batch once the caller's transaction commits (the caller has stamped
    `email_requested_at` on the signature)."""
    transaction.on_commit(schedule_email_batch)


def schedule_email_batch() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        enqueue(send_due_emails_task)  # in-process: the same batch path, now
        return
    enqueue_once_per_window(send_due_emails_task, window=settings.EMAIL_BATCH_WINDOW_SECONDS)


# 2. Claim and decide ------------------------------------------------------------------------


class Kind(models.TextChoices):
    CONFIRM = "confirm", "confirm"  # the template trio emails/confirm-*
    CONSENT = "consent", "consent"  # added by an organiser: confirm or decline
    ALREADY_SIGNED = "already-signed", "already-signed"
    NONE = "none", "none"  # removed, blocked or at its cap: marked done, nothing sent


def email_due() -> Q:
    """An email was requested, and no worker holds it (or its lease ran out)."""
    lease = timedelta(seconds=settings.EMAIL_LEASE_SECONDS)
    return Q(email_requested_at__isnull=False) & (
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=Now() - lease)
    )


PUBLISHED_DETAILS = (
    "name",
    "profession_id",
    "role",
    "country",
    "link",
    "show_name",
    "signing_as",
    "organisation",
    "public_figure",
    "claim_link",
)


def resolve_submission(signature: Signature) -> str:
    """Decide the email for the signature's current request, applying the latest signing's
    details where the signature does not count yet (the row is locked by the caller)."""
    if signature.email_kind and signature.email_claimed_for == signature.email_requested_at:
        return signature.email_kind  # claimed before and never marked: the same message
    submitted, signature.submitted = signature.submitted or {}, None
    if signature.state == Signature.State.REMOVED or submitted.get("blocked"):
        return Kind.NONE
    if not email_allowed(signature, browser=submitted.get("browser", "")):
        # Nothing changes without an email to show it: the last link sent still works.
        log.info("signature %s: email cap reached for today; no more mail", signature.pk)
        return Kind.NONE
    if submitted.get("suspicion"):
        signature.suspicion = submitted["suspicion"][:100]
    if signature.state == Signature.State.CONFIRMED and not submitted.get("change"):
        return Kind.ALREADY_SIGNED
    _apply_details(signature, submitted)
    signature.held, signature.review_note = hold_decision(signature)
    if submitted.get("added_by") and signature.state == Signature.State.PENDING:
        return Kind.CONSENT
    return Kind.CONFIRM


DAY = timedelta(days=1)


def email_allowed(signature: Signature, *, browser: str) -> bool:
    """May one more email go to this address today? Up to SIGNATURE_MAX_EMAILS a day; over
    that, one each for browsers that asked for none of the day's emails, up to twice the
    cap. A stranger who signs someone else's address from a few browsers can neither flood
    them nor lock them out: their own browser still gets its email (README, "Abuse,
    privacy and failure"). Counts the email it allows (the row is locked by the caller)."""
    now = timezone.now()
    if signature.emails_day_from is None or now - signature.emails_day_from >= DAY:
        signature.emails_day_from, signature.emails_in_day = now, 0
        signature.email_browsers = []
    cap = settings.SIGNATURE_MAX_EMAILS
    browsers = list(signature.email_browsers or [])
    if signature.emails_in_day >= cap and (
        not browser or browser in browsers or signature.emails_in_day >= 2 * cap
    ):
        return False
    signature.emails_in_day += 1
    if browser and browser not in browsers:
        signature.email_browsers = [*browsers, browser]
    return True


def _apply_details(signature: Signature, submitted: dict) -> None:
    """A pending or withdrawn signature takes the newest signing's details (it counts for
    nothing until its owner confirms the email that shows them)."""
    with counted_change(signature):
        if submitted and not _profession_exists(signature, submitted["profession"]):
            submitted = {**submitted, "profession": signature.profession_id}  # since deleted
        if submitted:
            new = {
                "name": submitted["name"],
                "profession_id": submitted["profession"],
                "role": submitted["role"],
                "country": submitted["country"],
                "link": submitted["link"],
                "show_name": submitted["show_name"],
                "signing_as": submitted.get("signing_as", "person"),
                "organisation": submitted.get("organisation", ""),
                "public_figure": submitted.get("public_figure", False),
                "claim_link": submitted.get("claim_link", ""),
            }
            updates = bool(submitted.get("updates"))
            # The email states the details and the consent; an older link confirms neither.
            if updates != signature.updates or any(
                getattr(signature, field) != new[field] for field in PUBLISHED_DETAILS
            ):
                signature.details_version += 1
                if new["name"] != signature.name and signature.notable_verified:
                    verification_clear(signature=signature, why="name changed by a new signing")
                if (new["organisation"], new["signing_as"]) != (
                    signature.organisation,
                    signature.signing_as,
                ):
                    signature.organisation_verified = False  # another organisation: check anew
            for field, value in new.items():
                setattr(signature, field, value)
            signature.name_search = search_key(signature.name)
            signature.language = submitted.get("language") or signature.language
            if updates != signature.updates:  # the consent, as the newest signing gave it
                signature.updates = updates
                signature.updates_changed_at = timezone.now()
        if signature.state == Signature.State.WITHDRAWN:
            signature.state = Signature.State.PENDING
            signature.withdrawn_at = None
            signature.approved = signature.letter.moderation == Letter.Moderation.POST
        elif signature.state == Signature.State.CONFIRMED and submitted.get("change"):
            # The signer changed their name or profession from their own link: the new
            # details count once the email that shows them is confirmed.
            signature.state = Signature.State.PENDING
            if signature.letter.moderation == Letter.Moderation.PRE:
                signature.approved = False  # a new name on a pre-moderated letter: approve anew


def _profession_exists(signature: Signature, profession_id: int) -> bool:
    return profession_id == signature.profession_id or (
        Profession.objects.filter(pk=profession_id, letter_id=signature.letter_id).exists()
    )


CLAIM_FIELDS = [
    *PUBLISHED_DETAILS,
    "emails_day_from",
    "emails_in_day",
    "email_browsers",
    "organisation_verified",
    "held",
    "review_note",
    "name_search",
    "language",
    "updates",
    "updates_changed_at",
    "state",
    "withdrawn_at",
    "approved",
    "notable_verified",
    "details_version",
    "suspicion",
    "submitted",
    "email_claimed_for",
    "email_kind",
]
# What each field holds on the instance (a foreign key's id, not the related row).
CLAIM_ATTRIBUTES = [Signature._meta.get_field(name).attname for name in CLAIM_FIELDS]


@dataclass
class EmailBatch:
    claimed: int = 0
    sent: int = 0
    temporary_error: str = ""  # set when the mail server failed; the rest stay due
    more_due: bool = False  # stopped at its bound of emails or time with some still due


def signatures_email_batch(*, limit: int, requested_before: datetime | None = None) -> EmailBatch:
    """Claim up to `limit` due emails (oldest first), decide each, and send them over one
    connection."""
    due = Signature.objects.filter(email_due())
    if requested_before is not None:
        due = due.filter(email_requested_at__lt=requested_before)
    with transaction.atomic():
        signatures = list(
            due.select_related("letter", "profession")
            # The letter's texts once a batch (each email's title and labels read them).
            .prefetch_related("letter__texts")
            .order_by("email_requested_at", "pk")
            .select_for_update(skip_locked=True, of=("self",))[:limit]
        )
        changed: dict[tuple[str, ...], list[Signature]] = defaultdict(list)
        for signature in signatures:
            before = [getattr(signature, name) for name in CLAIM_ATTRIBUTES]
            signature.email_kind = resolve_submission(signature)
            signature.email_claimed_for = signature.email_requested_at
            after = [getattr(signature, name) for name in CLAIM_ATTRIBUTES]
            fields = tuple(f for f, b, a in zip(CLAIM_FIELDS, before, after, strict=True) if b != a)
            changed[fields].append(signature)
        # Only what changed, rows grouped by the fields that did: a first signing changes a
        # few bookkeeping fields, and one UPDATE of 30 fields × 50 rows of CASE cost the
        # worker more than rendering and sending the emails (profiled, bench/surge.py).
        for fields, rows in changed.items():
            update_rows(rows, fields)
        Signature.objects.filter(pk__in=[s.pk for s in signatures]).update(email_claimed_at=Now())
    # A profession changed with the details is loaded again where it is read (setting
    # profession_id drops the one select_related cached); the others cost no query.
    return _send_claimed(signatures)


def signatures_email_due(
    *,
    requested_before: datetime | None = None,
    most: int | None = None,
    seconds: float | None = None,
) -> EmailBatch:
    """Send due emails batch after batch until none is left or the mail server fails, or
    after `most` emails or `seconds` (then `more_due` says some may be left)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    run = EmailBatch()
    while True:
        size = settings.EMAIL_BATCH_SIZE
        if most is not None:
            size = min(size, most - run.claimed)
        batch = signatures_email_batch(limit=size, requested_before=requested_before)
        run.claimed, run.sent = run.claimed + batch.claimed, run.sent + batch.sent
        run.temporary_error = batch.temporary_error
        if batch.temporary_error or batch.claimed < size:
            return run
        if (most is not None and run.claimed >= most) or (
            deadline is not None and time.monotonic() >= deadline
        ):
            run.more_due = True
            return run


# 3. Send ------------------------------------------------------------------------------------


def signature_links(signature: Signature) -> dict[str, str]:
    def link(purpose: Purpose) -> str:
        token = make_token(
            signature_id=signature.pk,
            email_key=signature.email_key,
            purpose=purpose,
            version=signature.details_version,
        )
        path = reverse(f"front:{purpose}", kwargs={"slug": signature.letter.slug, "token": token})
        return settings.SITE_URL + path

    return {
        "confirm_url": link(Purpose.CONFIRM),
        "withdraw_url": link(Purpose.WITHDRAW),
        "erase_url": link(Purpose.ERASE),
        "updates_url": link(Purpose.UNSUBSCRIBE),  # start or stop updates (updates/)
        "manage_url": link(Purpose.MANAGE),
    }


def _organiser_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _deliver(signature: Signature, *, connection) -> None:
    own_link = ""
    if signature.email_kind == Kind.ALREADY_SIGNED and signature.counts:
        own_link = share_url(signature)
    context = {
        "own_link": own_link,
        "signature": signature,
        "letter_title": signature.letter.title(signature.language),
        "letter_url": settings.SITE_URL + signature.letter.get_absolute_url(),
        "profession_label": signature.profession.label(signature.language),
        "added_by": _organiser_name(signature.added_by) if signature.added_by_id else "",
        **signature_links(signature),
    }
    send_templated(
        signature.email_kind,
        to=signature.email,
        context=context,
        language=signature.language,
        connection=connection,
        metadata={"letter": signature.letter.slug},  # comes back with a bounce
    )


def _domain(signature: Signature) -> str:
    return signature.email.rpartition("@")[2]


def _send_claimed(signatures: list[Signature]) -> EmailBatch:
    batch = EmailBatch(claimed=len(signatures))
    refused: dict[str, list[Signature]] = defaultdict(list)  # running permanent refusals
    paused = _paused_providers({_domain(s) for s in signatures})
    suppressed = suppressed_keys({s.email_key for s in signatures})  # one query a batch
    renew_every = settings.EMAIL_LEASE_SECONDS / 3
    renew_at = time.monotonic() + renew_every
    with mail.get_connection() as connection:  # one SMTP session for the whole batch
        for index, signature in enumerate(signatures):
            if time.monotonic() >= renew_at:  # a slow mail server: keep what is left ours
                _renew(signatures[index:])
                renew_at = time.monotonic() + renew_every
            domain = _domain(signature)
            if domain in paused:
                _hold([signature])  # the provider is in an incident: wait, do not ask again
                continue
            if signature.email_key in suppressed and signature.email_kind != Kind.NONE:
                _mark_suppressed(signature)  # it bounced for good or its owner said spam
                continue
            if signature.email_kind == Kind.NONE or (
                signature.email_kind in (Kind.CONFIRM, Kind.CONSENT)
                and signature.state != Signature.State.PENDING
            ):
                _mark(signature, sent=False)  # nothing to send, or confirmed already
                continue
            try:
                _deliver(signature, connection=connection)
            except (smtplib.SMTPException, OSError) as exc:
                if not is_permanent_refusal(exc):
                    return _stop(batch, signatures[index:], exc)
                _mark_failed(signature, exc)
                refused[domain].append(signature)
                if len(refused[domain]) >= settings.EMAIL_PERMANENT_BURST:
                    _provider_incident(domain, refused.pop(domain), exc)
                    paused.add(domain)
                continue
            _mark(signature, sent=True)
            refused.pop(domain, None)  # only an unbroken run of refusals is an incident
            batch.sent += 1
    return batch


def _renew(signatures: list[Signature]) -> None:
    """Stamp the lease again, so the lease can be short (a killed worker's emails wait for
    it, not longer) and a long batch still keeps its rows."""
    Signature.objects.filter(
        pk__in=[s.pk for s in signatures], email_claimed_at__isnull=False
    ).update(email_claimed_at=Now())


def _release(signatures: list[Signature]) -> None:
    Signature.objects.filter(pk__in=[s.pk for s in signatures]).update(email_claimed_at=None)


def _hold(signatures: list[Signature]) -> None:
    """Due again once the provider's pause is over: a lease that ends then."""
    until = timedelta(seconds=settings.EMAIL_INCIDENT_PAUSE_SECONDS - settings.EMAIL_LEASE_SECONDS)
    Signature.objects.filter(pk__in=[s.pk for s in signatures]).update(
        email_claimed_at=Now() + until
    )


def _stop(batch: EmailBatch, unsent: list[Signature], exc: Exception) -> EmailBatch:
    """The mail server failed: release what is left of the batch for a later try."""
    _release(unsent)
    batch.temporary_error = str(exc) or type(exc).__name__
    log.warning("email batch stopped, %s left due: %s", len(unsent), batch.temporary_error)
    return batch


def _pause_key(domain: str) -> str:
    return f"email-provider-paused:{domain}"


def _paused_providers(domains: set[str]) -> set[str]:
    try:
        found = cache.get_many([_pause_key(domain) for domain in domains])
    except Exception:  # noqa: BLE001 - without the cache, refusals are judged batch by batch
        return set()
    return {domain for domain in domains if _pause_key(domain) in found}


def _provider_incident(domain: str, refused: list[Signature], exc: Exception) -> None:
    """An unbroken run of "permanent" refusals from one provider is their incident, not bad
    addresses: the provider is paused for EMAIL_INCIDENT_PAUSE_SECONDS (every worker skips
    it), and those emails are due again after it. An email held back this way
    EMAIL_INCIDENT_RETRIES times is refused for good."""
    try:
        cache.set(_pause_key(domain), 1, timeout=settings.EMAIL_INCIDENT_PAUSE_SECONDS)
    except Exception:  # noqa: BLE001 - the held emails below still wait out the pause
        log.warning("cache unavailable: the pause of %s is not shared", domain)
    again = [s for s in refused if s.email_incidents < settings.EMAIL_INCIDENT_RETRIES]
    Signature.objects.filter(pk__in=[s.pk for s in again]).update(
        email_requested_at=F("email_claimed_for"),
        email_failed_at=None,
        email_failure="",
        email_incidents=F("email_incidents") + 1,
    )
    _hold(again)
    log.error(
        "email: %s permanent refusals in a row from %s; treated as a provider incident, "
        "paused for %s s, %s emails held back: %s",
        len(refused),
        domain,
        settings.EMAIL_INCIDENT_PAUSE_SECONDS,
        len(again),
        exc,
    )


# 4. Mark ------------------------------------------------------------------------------------


def _clear_request(signature: Signature) -> dict:
    # Clear the request only if it is still the one claimed: a signing meanwhile stays due.
    return {
        "email_claimed_at": None,
        "email_requested_at": Case(
            When(email_requested_at=signature.email_claimed_for, then=Value(None)),
            default=F("email_requested_at"),
        ),
    }


def _mark(signature: Signature, *, sent: bool) -> None:
    if sent:
        _mark_sent(signature)
        return
    Signature.objects.filter(pk=signature.pk).update(**_clear_request(signature))


def _mark_sent(signature: Signature) -> None:
    """_clear_request and the sent email's figures, as one statement written once: every
    email passes here, and compiling the ORM's CASE cost 0.5 ms of CPU an email, a tenth of
    the whole (bench/flow_cpu.py)."""
    stamp = Signature._meta.get_field("email_sent_at")
    params = [signature.email_claimed_for, timezone.now()]
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_SENT, [stamp.get_db_prep_value(p, connection) for p in params] + [signature.pk]
        )


_MARK_SENT = f"""
    UPDATE {Signature._meta.db_table} SET
        email_claimed_at = NULL,
        email_requested_at = CASE WHEN email_requested_at = %s THEN NULL
                                  ELSE email_requested_at END,
        email_sent_at = %s,
        emails_sent = emails_sent + 1,
        email_failed_at = NULL,
        email_failure = ''
    WHERE id = %s"""


def _mark_suppressed(signature: Signature) -> None:
    """Not sent: the address is on the suppression list. Recorded as a failure, so the
    check-your-inbox page tells a pending signer to check the address."""
    Signature.objects.filter(pk=signature.pk).update(
        **_clear_request(signature), email_failed_at=timezone.now(), email_failure="suppressed"
    )


def _mark_failed(signature: Signature, exc: Exception) -> None:
    """A permanent refusal: recorded on the row, the email no longer due (a provider
    incident found later in the batch puts it back)."""
    Signature.objects.filter(pk=signature.pk).update(
        **_clear_request(signature), email_failed_at=timezone.now(), email_failure=refusal_text(exc)
    )
    log.warning("signature %s: permanent email failure: %s", signature.pk, exc)


def oldest_due() -> datetime | None:
    """When the oldest email still due was asked for (/healthz reports its age)."""
    return Signature.objects.filter(email_requested_at__isnull=False).aggregate(
        oldest=Min("email_requested_at")
    )["oldest"]


# Tasks --------------------------------------------------------------------------------------


HEARTBEAT_KEY = "email-worker-heartbeat"


def heartbeat() -> None:
    """The email worker was here (/healthz says when it was last seen)."""
    try:
        cache.set(HEARTBEAT_KEY, time.time(), timeout=None)
    except Exception:  # noqa: BLE001 - without the cache there is no one to tell
        log.debug("cache unavailable: no heartbeat")


def last_seen() -> float | None:
    """When the email worker last ran a task (seconds since the epoch), if known."""
    try:
        return cache.get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001 - /healthz reports Redis itself
        return None


@shared_task
def send_due_emails_task() -> int:
    """Send every email that is due, in batches, for up to EMAIL_BATCH_SECONDS; if more are
    still due then, go on in a fresh task (other tasks' batches take other rows)."""
    heartbeat()
    run = signatures_email_due(seconds=settings.EMAIL_BATCH_SECONDS)
    if run.more_due:
        enqueue(send_due_emails_task)
    return run.sent


@shared_task
def send_pending_confirmations_task() -> int:
    """Beat's sweep: emails due for more than EMAIL_SWEEP_AFTER_SECONDS (a lost task
    message, a dead broker, a mail server that refused for a while). Bounded like a batch
    task, well inside the task time limit, and continued in a fresh task."""
    heartbeat()  # beat sends this every EMAIL_SWEEP_SECONDS, whatever the traffic
    older = timezone.now() - timedelta(seconds=settings.EMAIL_SWEEP_AFTER_SECONDS)
    run = signatures_email_due(requested_before=older, seconds=settings.EMAIL_BATCH_SECONDS)
    if run.sent:
        log.info("sweep: sent %s due emails", run.sent)
    if run.more_due:
        enqueue(send_pending_confirmations_task)
    return run.sent
