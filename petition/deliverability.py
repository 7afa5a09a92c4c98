"""Mail that arrives: what providers report back (bounces, complaints, rejections), the
suppression list it builds, and the rates organisers watch.

1. Record. Each tracking event anymail parses from a provider's webhook (front/hooks.py)
   becomes a MailEvent for the letter it was about (the `letter` metadata every email
   carries, or else every letter the address signed), kept as the event, its time and the
   provider's reason, never the message.
2. Suppress. A hard bounce, a spam complaint or a provider's rejection suppresses the folded
   address for every letter; a soft bounce (full mailbox, greylisting) never does, since the
   outboxes retry it as any temporary failure.
3. Check. Every outbox asks `suppressed_keys` for a batch's addresses (one query) and sends
   nothing to those.
4. Watch. `letter_mail_rates` gives a letter's bounce and complaint rates against the emails
   it sent; providers act above 2 % and 0.1 %.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from ops.addresses import canonical_email

from .audit import audit_record
from .models import AuditEntry, Letter, MailEvent, Suppression

# What providers act on (Amazon SES, Postmark, Gmail's sender guidelines): above these a
# sender is warned, then suspended.
BOUNCE_RATE_WARNING = 0.02
COMPLAINT_RATE_WARNING = 0.001

SUPPRESSING = {
    MailEvent.Kind.BOUNCED: Suppression.Reason.BOUNCED,
    MailEvent.Kind.COMPLAINED: Suppression.Reason.COMPLAINED,
    MailEvent.Kind.REJECTED: Suppression.Reason.REJECTED,
}


# 1 and 2. Record and suppress ---------------------------------------------------------------


@transaction.atomic
def mail_event_record(
    *, address: str, kind: str, provider: str, description: str, at, letter_ids: list[int]
) -> str | None:
    """Record one provider event for `address` against each of `letter_ids` (none: kept
    without a letter) and suppress the address if the event says so. Returns the folded
    address when it is now suppressed."""
    key = canonical_email(address)
    description = (description or "")[:300]
    MailEvent.objects.bulk_create(
        MailEvent(
            letter_id=letter_id,
            email_key=key,
            kind=kind,
            provider=provider,
            description=description,
            event_at=at,
        )
        for letter_id in (letter_ids or [None])
    )
    reason = SUPPRESSING.get(kind)
    if reason is None:
        return None
    Suppression.objects.update_or_create(
        email_key=key,
        defaults={
            "reason": reason,
            "provider": provider,
            "description": description,
            "event_at": at,
            "lifted_at": None,
            "lifted_by": None,
        },
    )
    return key


# 3. Check -----------------------------------------------------------------------------------


def suppressed_keys(keys: set[str]) -> set[str]:
    """Which of these folded addresses no email may go to (one query)."""
    if not keys:
        return set()
    found = Suppression.objects.filter(email_key__in=keys, lifted_at__isnull=True)
    return set(found.values_list("email_key", flat=True))


def active_suppressions():
    return Suppression.objects.filter(lifted_at__isnull=True)


@transaction.atomic
def suppression_lift(*, letter: Letter, email_key: str, actor) -> bool:
    """An organiser vouches for the address again (the person fixed their mailbox, or the
    complaint was a mistake); audited on their letter. Whether one was lifted."""
    lifted = Suppression.objects.filter(email_key=email_key, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=actor
    )
    if lifted:
        audit_record(
            letter=letter,
            actor=actor,
            action=AuditEntry.Action.LIFT_SUPPRESSION,
            detail=email_key,
        )
    return bool(lifted)


# 4. Watch -----------------------------------------------------------------------------------


@dataclass
class MailRates:
    sent: int
    bounced: int
    complained: int
    suppressed: int

    @property
    def bounce_rate(self) -> float | None:
        return self.bounced / self.sent if self.sent else None

    @property
    def complaint_rate(self) -> float | None:
        return self.complained / self.sent if self.sent else None

    @property
    def bounce_warning(self) -> bool:
        return (self.bounce_rate or 0) > BOUNCE_RATE_WARNING

    @property
    def complaint_warning(self) -> bool:
        return (self.complaint_rate or 0) > COMPLAINT_RATE_WARNING


def letter_mail_rates(*, letter: Letter, sent: int, suppressed: int) -> MailRates:
    """The letter's hard bounces (rejections included) and complaints against `sent`, the
    emails it sent (the caller counts them: confirmations and updates live above this app)."""
    counts = MailEvent.objects.filter(letter=letter).aggregate(
        bounced=Count("pk", filter=Q(kind__in=[MailEvent.Kind.BOUNCED, MailEvent.Kind.REJECTED])),
        complained=Count("pk", filter=Q(kind=MailEvent.Kind.COMPLAINED)),
    )
    return MailRates(sent=sent, suppressed=suppressed, **counts)
