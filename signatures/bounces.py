"""What a provider's webhook says about a signer's email (anymail's `tracking` signal, sent
by the views in front/hooks.py): recorded and, for a hard bounce, a complaint or a
rejection, the address suppressed (petition/deliverability.py). A pending signer whose
confirmation bounced is told on the check-your-inbox page (front/signing_views.py), so they
can sign again with the right address."""

import logging

from anymail.signals import AnymailTrackingEvent
from django.utils import timezone

from ops.addresses import canonical_email
from ops.emails import without_addresses
from petition.deliverability import mail_event_record
from petition.models import Letter, MailEvent

from .models import Signature

log = logging.getLogger(__name__)

# anymail's normalised event types that matter here; the rest (sent, delivered, opened…)
# are not kept.
_KINDS = {
    "bounced": MailEvent.Kind.BOUNCED,
    "deferred": MailEvent.Kind.SOFT,
    "complained": MailEvent.Kind.COMPLAINED,
    "rejected": MailEvent.Kind.REJECTED,
}


def _soft(esp_event) -> bool:
    """A bounce the provider itself calls temporary (anymail reports some as "bounced")."""
    if not isinstance(esp_event, dict):
        return False
    return (
        esp_event.get("Type") in ("SoftBounce", "Transient", "DnsError")  # Postmark
        or esp_event.get("event") == "soft_bounce"  # Brevo
        or esp_event.get("type") == "blocked"  # SendGrid: a bounce it will retry
        or (esp_event.get("bounce") or {}).get("bounceType") in ("Transient", "Undetermined")
    )


def event_kind(event: AnymailTrackingEvent) -> str | None:
    kind = _KINDS.get(event.event_type)
    if kind == MailEvent.Kind.BOUNCED and _soft(event.esp_event):
        return MailEvent.Kind.SOFT
    return kind


def _letters(event: AnymailTrackingEvent, key: str) -> list[int]:
    """The letter the email was about (its `letter` metadata), else every letter this address
    signed."""
    slug = (event.metadata or {}).get("letter") if isinstance(event.metadata, dict) else None
    if slug:
        found = list(Letter.objects.filter(slug=str(slug)).values_list("pk", flat=True))
        if found:
            return found
    signed = Signature.objects.filter(email_key=key).values_list("letter_id", flat=True)
    return sorted(set(signed))


def on_tracking(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    kind = event_kind(event)
    if kind is None or not event.recipient:
        return
    key = canonical_email(event.recipient)
    description = without_addresses(
        str(event.description or event.mta_response or event.reject_reason or "")
    )
    suppressed = mail_event_record(
        address=event.recipient,
        kind=kind,
        provider=esp_name,
        description=description,
        at=event.timestamp or timezone.now(),
        letter_ids=_letters(event, key),
    )
    if suppressed and kind != MailEvent.Kind.COMPLAINED:
        # The confirmation did not arrive: the check-your-inbox page says so.
        Signature.objects.filter(email_key=key, state=Signature.State.PENDING).update(
            email_failed_at=timezone.now(), email_failure=f"{kind}: {description}"[:300]
        )
    log.info(
        "%s reported %s for an address (%s)", esp_name, kind, "suppressed" if suppressed else "kept"
    )
