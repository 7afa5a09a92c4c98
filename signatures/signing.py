"""Writes on signatures by their signers: sign, confirm, withdraw, erase; and the purge of
those never confirmed. Each state change goes through `counting.counted_change`, which
journals the counter change in the same transaction, so the counters cannot drift."""

import contextlib
import hashlib
import hmac
import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from letters.models import Letter

from .counting import counted_change
from .models import Signature
from .normalise import canonical_email, clean_text, normalise_email
from .outbox import email_request_on_commit

log = logging.getLogger(__name__)


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
            email_request_on_commit()
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


def _sign_again(
    *, signature: Signature, letter: Letter, data: dict, language: str, now: datetime
) -> None:
    if signature.state == Signature.State.REMOVED:
        return  # an organiser removed it; nothing to say to whoever typed the address
    fields = ["email_requested_at"]
    with counted_change(signature):
        if signature.state in (Signature.State.PENDING, Signature.State.WITHDRAWN):
            # Not counted: the newest form wins once its owner confirms.
            details = _details(data)
            for name, value in details.items():
                setattr(signature, name, value)
            signature.state = Signature.State.PENDING
            signature.language = language
            signature.withdrawn_at = None
            signature.approved = letter.moderation == Letter.Moderation.POST
            fields += [*details, "state", "language", "withdrawn_at", "approved"]
        if signature.emails_sent < settings.SIGNATURE_MAX_EMAILS:
            signature.email_requested_at = now
            email_request_on_commit()
        else:
            log.info("signature %s: email cap reached; no more mail", signature.pk)
        signature.save(update_fields=fields)


def _change_state(*, signature_id: int, allowed_from: set[str], **changes) -> Signature | None:
    """Apply `changes` if the signature is in one of `allowed_from`."""
    with transaction.atomic():
        signature = Signature.objects.select_for_update().filter(pk=signature_id).first()
        if signature is None or signature.state not in allowed_from:
            return signature
        with counted_change(signature):
            for name, value in changes.items():
                setattr(signature, name, value)
            signature.save(update_fields=list(changes))
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
        with counted_change(signature):
            signature.state = Signature.State.REMOVED  # what it contributes now: nothing
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


@shared_task
def purge_unconfirmed_task() -> int:
    """Daily (beat): the privacy page promises that unconfirmed signatures are deleted."""
    return signatures_purge_unconfirmed(older_than_days=settings.PURGE_UNCONFIRMED_DAYS)
