"""Writes on signatures by their signers: sign, confirm, withdraw, erase; and the purge of
those never confirmed. Each state change goes through `counting.counted_change`, which
journals the counter change in the same transaction, so the counters cannot drift."""

import hashlib
import hmac
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ops.addresses import canonical_email, normalise_email
from ops.db import upsert_row
from ops.metrics import CONFIRMATIONS, SIGNINGS
from petition.models import Letter
from petition.refs import clean_ref

from .counting import counted_change
from .defences import client_network
from .models import Signature
from .moderation import verification_clear
from .normalise import clean_text, search_key
from .outbox import email_request_on_commit
from .referrals import new_share_code
from .tokens import token_matches

log = logging.getLogger(__name__)


def hash_ip(ip: str) -> str:
    salt = (settings.IP_HASH_SALT or settings.SECRET_KEY).encode()
    return hmac.new(salt, (ip or "").encode(), hashlib.sha256).hexdigest()


def _details(data: dict) -> dict:
    organisation = data.get("signing_as") == Signature.SigningAs.ORGANISATION
    return {
        "name": clean_text(data["name"]),
        "profession": data["profession"],
        "role": clean_text(data.get("role") or ""),
        "country": data.get("country") or "",
        "link": data.get("link") or "",
        "show_name": bool(data.get("show_name")),
        "signing_as": "organisation" if organisation else "person",
        "organisation": clean_text(data.get("organisation") or "") if organisation else "",
        "public_figure": bool(data.get("public_figure")),
        "claim_link": (data.get("claim_link") or "") if data.get("public_figure") else "",
    }


def signature_sign(
    *,
    letter: Letter,
    data: dict,
    ip: str = "",
    user_agent: str = "",
    language: str = "en",
    blocked_reason: str = "",
    suspicion: str = "",
    added_by=None,
    change: bool = False,
    imported_in=None,
) -> None:
    """Record a signing and request its email: one statement, whether or not this address
    signed before, so the answer (and the time it takes) cannot tell the two apart.

    A new address inserts a pending row. For an address that signed before, the statement
    only keeps what was sent (`submitted`) and a fresh email request; the email worker decides
    what that means (outbox.resolve_submission: new details and a new confirmation link for a
    pending or withdrawn signature, "you have already signed" for a confirmed one, nothing for
    a removed one). A blocked signing is kept, removed with its reason, and emailed nothing.

    `added_by`: an organiser entered it on the person's behalf (they are asked to confirm or
    decline). `change`: the signer asked, from their own link, to change details that need a
    fresh confirmation (a confirmed signature then waits for it, uncounted)."""
    email = normalise_email(data["email"])
    details = _details(data)
    submitted = {
        **details,
        "profession": details["profession"].pk,
        "language": language,
        "blocked": blocked_reason,
        "suspicion": suspicion,
        "updates": bool(data.get("updates")),
        "added_by": added_by.pk if added_by else None,
        "change": change,
        # Which network asked (its address, an IPv6 /64; hashed): over the day's email cap,
        # a network that asked for none of that day's emails still gets one. Not the user
        # agent, which a stranger chooses at will.
        "browser": hash_ip(client_network(ip))[:16],
    }
    now = timezone.now()
    row = Signature(
        letter=letter,
        email=email,
        email_key=canonical_email(email),
        name_search=search_key(details["name"]),
        language=language,
        approved=letter.moderation == Letter.Moderation.POST,
        ip_hash=hash_ip(ip),
        user_agent=(user_agent or "")[:300],
        state=Signature.State.REMOVED if blocked_reason else Signature.State.PENDING,
        removed_reason=blocked_reason,
        suspicion=suspicion[:100],
        submitted=submitted,
        email_requested_at=now,
        source=clean_ref(data.get("ref")),
        updates=submitted["updates"],
        updates_changed_at=now if submitted["updates"] else None,
        added_by=added_by,
        imported_in=imported_in,
        **details,
    )
    upsert_row(
        row,
        unique_fields=["letter", "email_key"],
        update_fields=["submitted", "email_requested_at"],
    )
    SIGNINGS.inc()
    email_request_on_commit()


def signature_resend(*, letter: Letter, email: str) -> None:
    """Send a pending signature's confirmation email again (the same details and link); a
    signature that is not pending gets nothing. Capped like every email to a signature
    (SIGNATURE_MAX_EMAILS) and rate-limited by the caller like a signing."""
    updated = Signature.objects.filter(
        letter=letter, email_key=canonical_email(email), state=Signature.State.PENDING
    ).update(email_requested_at=timezone.now())
    if updated:
        email_request_on_commit()


def signature_confirm(*, signature_id: int, version: int) -> Signature | None:
    """Confirm a pending signature with the details of `version`, the ones its email showed.
    If a later signing changed them, nothing is confirmed (the signer has a newer email).
    Confirming again changes nothing."""
    return _confirm(Signature.objects.filter(pk=signature_id), version=version)


def signature_confirm_from_link(
    *, letter: Letter, signature_id: int, fingerprint: str, version: int, pressed: bool
) -> Signature | None:
    """The confirm link, in one locked read: None unless the link's signature is this
    letter's and its address the one the link was made for; else the signature, confirmed
    if it was pending with the details of `version`. A signature someone else entered
    (an organiser's invitation) is confirmed only by a press of the consent button, never
    by opening the link (mail scanners open every link)."""
    return _confirm(
        Signature.objects.filter(pk=signature_id, letter=letter),
        version=version,
        fingerprint=fingerprint,
        pressed=pressed,
    )


def _confirm(rows, *, version: int, fingerprint: str | None = None, pressed: bool = True):
    for _attempt in range(3):
        try:
            return _confirm_once(rows, version=version, fingerprint=fingerprint, pressed=pressed)
        except IntegrityError:  # the new share code is taken (one in 2^51): another one
            continue
    raise RuntimeError("no free share code")


def _confirm_once(rows, *, version, fingerprint, pressed) -> Signature | None:
    with transaction.atomic():
        signature = rows.select_for_update(of=("self",)).first()
        if signature is None:
            return None
        if fingerprint is not None and not token_matches(fingerprint, signature.email_key):
            return None
        if signature.state != Signature.State.PENDING or signature.details_version != version:
            return signature
        if signature.added_by_id and not pressed:
            return signature  # an invitation: only the consent button confirms it
        with counted_change(signature):
            signature.state = Signature.State.CONFIRMED
            signature.confirmed_at = timezone.now()
            fields = ["state", "confirmed_at"]
            if not signature.share_code:  # their own link, which the confirmed page shows
                signature.share_code = new_share_code()
                fields.append("share_code")
            signature.save(update_fields=fields)
    CONFIRMATIONS.inc()
    return signature


def signature_withdraw(*, signature_id: int) -> Signature | None:
    """The signer takes their signature back; it stops counting, and an organiser's
    verification goes with it (whoever signs again with this address is checked anew)."""
    with transaction.atomic():
        signature = Signature.objects.select_for_update().filter(pk=signature_id).first()
        if signature is None or signature.state not in (
            Signature.State.PENDING,
            Signature.State.CONFIRMED,
        ):
            return signature
        with counted_change(signature):
            signature.state = Signature.State.WITHDRAWN
            signature.withdrawn_at = timezone.now()
            fields = ["state", "withdrawn_at", "organisation_verified"]
            signature.organisation_verified = False
            if signature.notable_verified:
                verification_clear(signature=signature, why="withdrawn by the signer")
                fields.append("notable_verified")
            signature.save(update_fields=fields)
    return signature


MINOR_DETAILS = ("role", "country", "link", "show_name")


def signature_update_minor(*, signature_id: int, details: dict, updates: bool) -> bool:
    """A confirmed signer changes, from their own link, details that need no new
    confirmation (role, country, link, whether their name is listed) and their choice about
    updates. Returns whether anything changed. A change of name or profession goes through
    `signature_sign(change=True)` instead: a fresh confirmation and the impersonation hold."""
    with transaction.atomic():
        signature = Signature.objects.select_for_update().filter(pk=signature_id).first()
        if signature is None or signature.state != Signature.State.CONFIRMED:
            return False
        changed = [f for f in MINOR_DETAILS if getattr(signature, f) != details[f]]
        with counted_change(signature):
            for field in changed:
                setattr(signature, field, details[field])
            if "link" in changed:
                # A verified badge vouches for what it is shown beside: check it anew.
                if signature.organisation_verified:
                    signature.organisation_verified = False
                    changed.append("organisation_verified")
                if signature.notable_verified:
                    verification_clear(signature=signature, why="link changed by the signer")
                    changed.append("notable_verified")
            if changed and signature.letter.moderation == Letter.Moderation.PRE:
                signature.approved = False  # what an organiser approved has changed
                changed.append("approved")
        if updates != signature.updates:
            signature.updates, signature.updates_changed_at = updates, timezone.now()
            changed += ["updates", "updates_changed_at"]
        if changed:
            signature.save(update_fields=changed)
    return bool(changed)


def signature_set_updates(*, signature_id: int, wanted: bool) -> bool:
    """The signer's choice about updates (unsubscribe, or ask again). Changes neither the
    signature nor the count. Asking again also forgets a mail server's refusal (the signer
    may have fixed their mailbox). Returns whether anything changed."""
    rows = Signature.objects.filter(pk=signature_id)
    if wanted:
        rows = rows.filter(Q(updates=False) | Q(updates_refused_at__isnull=False))
        fields = {"updates_refused_at": None}
    else:
        rows = rows.filter(updates=True)
        fields = {}
    return bool(rows.update(updates=wanted, updates_changed_at=timezone.now(), **fields))


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
    # Never one that was confirmed once (a signer changing their name waits, pending, for
    # the new confirmation; their signature must not go).
    deleted, _ = Signature.objects.filter(
        state=Signature.State.PENDING, signed_at__lt=cutoff, confirmed_at__isnull=True
    ).delete()
    if deleted:
        log.info("purged %s unconfirmed signatures older than %s days", deleted, older_than_days)
    return deleted


@shared_task
def purge_unconfirmed_task() -> int:
    """Daily (beat): the privacy page promises that unconfirmed signatures are deleted."""
    return signatures_purge_unconfirmed(older_than_days=settings.PURGE_UNCONFIRMED_DAYS)
