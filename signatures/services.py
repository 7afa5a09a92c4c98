"""Writes on signatures. Each state change goes through one function here, which journals the
counter change in the same transaction (see tally.py), so the counters cannot drift."""

import contextlib
import hashlib
import hmac
import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.urls import reverse
from django.utils import timezone

from ops.emails import send_templated
from petition.models import Letter

from .models import Signature
from .normalise import canonical_email, clean_text, normalise_email
from .selectors import email_due
from .tally import Standing, tally_record
from .tokens import Purpose, make_token

log = logging.getLogger(__name__)


class TemporaryEmailError(Exception):
    """The mail server may accept this later: retry."""


def hash_ip(ip: str) -> str:
    salt = (settings.IP_HASH_SALT or settings.SECRET_KEY).encode()
    return hmac.new(salt, (ip or "").encode(), hashlib.sha256).hexdigest()


def _details(data: dict) -> dict:
    return {
        "name": clean_text(data["name"]),
        "profession": data["profession"],
        "role": clean_text(data.get("role") or ""),
        "country": data.get("country") or "",
        "link": data.get("link") or "",
        "show_name": bool(data.get("show_name")),
    }


def signature_sign(
    *,
    letter: Letter,
    data: dict,
    ip: str = "",
    user_agent: str = "",
    language: str = "en",
    blocked_reason: str | None = None,
) -> Signature:
    """Record a signature (pending until its email is confirmed) and request its email.

    Signing again with an address that already signed changes no counted signature; it only
    requests an email that says what happened. The caller answers the same either way. A
    blocked signature is kept, removed with its reason and sent nothing (organisers see it)."""
    email = normalise_email(data["email"])
    key = canonical_email(email)
    now = timezone.now()
    signature = _insert_new(
        letter=letter,
        email=email,
        email_key=key,
        language=language,
        approved=letter.moderation == Letter.Moderation.POST,
        ip_hash=hash_ip(ip),
        user_agent=(user_agent or "")[:300],
        email_requested_at=None if blocked_reason else now,
        state=Signature.State.REMOVED if blocked_reason else Signature.State.PENDING,
        removed_reason=blocked_reason or "",
        **_details(data),
    )
    if signature is not None:
        if not blocked_reason:
            _request_email(signature.pk)
        return signature
    # This address signed before (or a twin submission won the race): the slow path.
    with transaction.atomic():
        signature = Signature.objects.select_for_update().get(letter=letter, email_key=key)
        if not blocked_reason:
            _sign_again(signature=signature, letter=letter, data=data, language=language, now=now)
    return signature


def _insert_new(**fields) -> Signature | None:
    """INSERT the signature; None if the letter already has one for this address.

    The common case is one statement in autocommit: no transaction, no prior SELECT (the
    unique constraint is the check). Inside a caller's transaction a savepoint keeps a
    conflict from spoiling it."""
    signature = Signature(**fields)
    nested = transaction.get_connection().in_atomic_block
    try:
        with transaction.atomic() if nested else contextlib.nullcontext():
            signature.save(force_insert=True)
    except IntegrityError:
        return None
    return signature


def _sign_again(*, signature: Signature, letter: Letter, data: dict, language: str, now) -> None:
    if signature.state == Signature.State.REMOVED:
        return  # an organiser removed it; nothing to say to whoever typed the address
    fields = ["email_requested_at"]
    if signature.state in (Signature.State.PENDING, Signature.State.WITHDRAWN):
        # Not counted: the newest form wins once its owner confirms.
        before = Standing.of(signature)
        for name, value in _details(data).items():
            setattr(signature, name, value)
        signature.state = Signature.State.PENDING
        signature.language = language
        signature.withdrawn_at = None
        signature.approved = letter.moderation == Letter.Moderation.POST
        fields += [*_details(data).keys(), "state", "language", "withdrawn_at", "approved"]
        tally_record(signature=signature, before=before)
    if signature.emails_sent < settings.SIGNATURE_MAX_EMAILS:
        signature.email_requested_at = now
        _request_email(signature.pk)
    else:
        log.info("signature %s: email cap reached; no more mail", signature.pk)
    signature.save(update_fields=fields)


def _request_email(signature_id: int) -> None:
    from .tasks import schedule_signature_email

    transaction.on_commit(lambda: schedule_signature_email(signature_id))


def _change_state(*, signature_id: int, allowed_from: set[str], **changes) -> Signature | None:
    """Apply `changes` if the signature is in one of `allowed_from`; journal the counts."""
    with transaction.atomic():
        signature = Signature.objects.select_for_update().filter(pk=signature_id).first()
        if signature is None or signature.state not in allowed_from:
            return signature
        before = Standing.of(signature)
        for name, value in changes.items():
            setattr(signature, name, value)
        signature.save(update_fields=list(changes))
        if tally_record(signature=signature, before=before):
            _schedule_fold(signature.letter_id)
    return signature


def signature_confirm(*, signature_id: int) -> Signature | None:
    """Confirm a pending signature. Confirming again changes nothing."""
    return _change_state(
        signature_id=signature_id,
        allowed_from={Signature.State.PENDING},
        state=Signature.State.CONFIRMED,
        confirmed_at=timezone.now(),
    )


def signature_withdraw(*, signature_id: int) -> Signature | None:
    """The signer takes their signature back; it stops counting."""
    return _change_state(
        signature_id=signature_id,
        allowed_from={Signature.State.PENDING, Signature.State.CONFIRMED},
        state=Signature.State.WITHDRAWN,
        withdrawn_at=timezone.now(),
    )


def signature_erase(*, signature_id: int) -> bool:
    """Delete a signature entirely, at its signer's request. Returns whether a row went."""
    with transaction.atomic():
        signature = Signature.objects.select_for_update().filter(pk=signature_id).first()
        if signature is None:
            return False
        before = Standing.of(signature)
        signature.state = Signature.State.REMOVED  # what it contributes from now on: nothing
        if tally_record(signature=signature, before=before):
            _schedule_fold(signature.letter_id)
        signature.delete()
    return True


def signatures_purge_unconfirmed(*, older_than_days: int) -> int:
    """Delete signatures never confirmed within `older_than_days` (they never counted)."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Signature.objects.filter(
        state=Signature.State.PENDING, signed_at__lt=cutoff
    ).delete()
    if deleted:
        log.info("purged %s unconfirmed signatures older than %s days", deleted, older_than_days)
    return deleted


def _schedule_fold(letter_id: int) -> None:
    from .tasks import schedule_tally_fold

    transaction.on_commit(lambda: schedule_tally_fold(letter_id))


def signature_links(signature: Signature) -> dict[str, str]:
    def link(purpose: Purpose) -> str:
        token = make_token(
            signature_id=signature.pk, email_key=signature.email_key, purpose=purpose
        )
        path = reverse(
            f"signatures:{purpose}", kwargs={"slug": signature.letter.slug, "token": token}
        )
        return settings.SITE_URL + path

    return {
        "confirm_url": link(Purpose.CONFIRM),
        "withdraw_url": link(Purpose.WITHDRAW),
        "erase_url": link(Purpose.ERASE),
    }


def signature_email_send(*, signature_id: int) -> bool:
    """Send the email a signature is due, once. Returns whether one was sent; raises
    TemporaryEmailError when the mail server may accept it later (the task retries)."""
    now = timezone.now()
    if not Signature.objects.filter(email_due(now), pk=signature_id).update(email_claimed_at=now):
        return False
    signature = Signature.objects.select_related("letter", "profession").get(pk=signature_id)
    batch = _send_claimed([signature], claimed_at=now)
    if batch.temporary_error:
        raise TemporaryEmailError(batch.temporary_error)
    return batch.sent == 1


@dataclass
class EmailBatch:
    claimed: int = 0
    sent: int = 0
    temporary_error: str = ""  # set when the mail server failed; the rest stay due
    more_due: bool = False  # stopped at its bound of emails or time with some still due


def signatures_email_due(
    *,
    batch_size: int = 100,
    requested_before=None,
    most: int | None = None,
    seconds: float | None = None,
) -> EmailBatch:
    """Send due emails batch after batch until none is left or the mail server fails, or
    after `most` emails or `seconds` (then `more_due` says some may be left)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    run = EmailBatch()
    while True:
        size = batch_size if most is None else min(batch_size, most - run.claimed)
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


def signatures_email_batch(*, limit: int = 100, requested_before=None) -> EmailBatch:
    """Claim up to `limit` due emails (oldest first) and send them over one connection.

    A lease (email_claimed_at) keeps two workers from sending the same email (SKIP LOCKED:
    they take different rows at once); each is marked sent as soon as the server accepted
    it, so a worker killed mid-batch loses nothing and re-sends at most the one in flight:
    the leases of the rest expire and the next batch sends them."""
    now = timezone.now()
    due = Signature.objects.filter(email_due(now))
    if requested_before is not None:
        due = due.filter(email_requested_at__lt=requested_before)
    with transaction.atomic():
        ids = list(
            due.order_by("email_requested_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        Signature.objects.filter(pk__in=ids).update(email_claimed_at=now)
    signatures = (
        Signature.objects.select_related("letter", "profession")
        .filter(pk__in=ids)
        .order_by("email_requested_at", "pk")  # send in the order they were claimed
    )
    return _send_claimed(list(signatures), claimed_at=now)


def _send_claimed(signatures: list[Signature], *, claimed_at) -> EmailBatch:
    batch = EmailBatch(claimed=len(signatures))
    with mail.get_connection() as connection:  # one SMTP session for the whole batch
        for index, signature in enumerate(signatures):
            if signature.state == Signature.State.REMOVED:
                Signature.objects.filter(pk=signature.pk).update(
                    email_requested_at=None, email_claimed_at=None
                )
                continue
            try:
                _deliver(signature, connection=connection)
            except (
                smtplib.SMTPRecipientsRefused,
                smtplib.SMTPSenderRefused,
                smtplib.SMTPDataError,
            ) as exc:
                if not _is_permanent(exc):
                    return _stop(batch, signatures[index:], exc)
                Signature.objects.filter(pk=signature.pk).update(
                    email_requested_at=None,
                    email_claimed_at=None,
                    email_failed_at=timezone.now(),
                    email_failure=str(exc)[:300],
                )
                log.warning("signature %s: permanent email failure: %s", signature.pk, exc)
                continue
            except (smtplib.SMTPException, OSError) as exc:
                return _stop(batch, signatures[index:], exc)
            # A request made after the claim (signing again meanwhile) stays due.
            Signature.objects.filter(pk=signature.pk).update(
                email_sent_at=timezone.now(),
                emails_sent=F("emails_sent") + 1,
                email_claimed_at=None,
                email_requested_at=Case(
                    When(email_requested_at__lte=claimed_at, then=Value(None)),
                    default=F("email_requested_at"),
                ),
            )
            batch.sent += 1
    return batch


def _stop(batch: EmailBatch, unsent: list[Signature], exc: Exception) -> EmailBatch:
    """The mail server failed: release what is left of the batch for a later try."""
    Signature.objects.filter(pk__in=[s.pk for s in unsent]).update(email_claimed_at=None)
    batch.temporary_error = str(exc) or type(exc).__name__
    log.warning("email batch stopped, %s left due: %s", len(unsent), batch.temporary_error)
    return batch


def _is_permanent(exc: smtplib.SMTPException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return 500 <= getattr(exc, "smtp_code", 0) < 600


def _deliver(signature: Signature, *, connection=None) -> None:
    context = {
        "signature": signature,
        "letter_title": signature.letter.title(signature.language),
        "letter_url": settings.SITE_URL + signature.letter.get_absolute_url(),
        **signature_links(signature),
    }
    name = "confirm" if signature.state == Signature.State.PENDING else "already-signed"
    send_templated(
        name,
        to=signature.email,
        context=context,
        language=signature.language,
        connection=connection,
    )
