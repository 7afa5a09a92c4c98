from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .letter import Letter


class OutgoingMail(models.Model):
    """A one-off email, rendered and kept until a mail server accepts it: invitations to
    organise, notices to a letter's owners, account mail, an update's test copy (the outbox
    in petition/mail.py). Signers' confirmations and updates have outboxes of their own
    (README, "Three outboxes, one discipline")."""

    class State(models.TextChoices):
        DUE = "due", _("Due")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Refused for good")

    kind = models.CharField(max_length=30)  # invitation, owner-notice, account, update-test
    letter = models.ForeignKey(
        Letter, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    to = models.CharField(max_length=254)
    # The rendered message (ops.emails.render_email's dict). Once sent, only its subject is
    # kept: a sign-in code or a password link has no business staying in the database.
    message = models.JSONField()
    state = models.CharField(max_length=10, choices=State, default=State.DUE)
    due_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"], condition=models.Q(state="due"), name="outgoing_mail_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.state})"


class Suppression(models.Model):
    """An address no email goes to any more, on any letter: its mail server refused it for
    good, its owner reported spam, or the provider rejected it (petition/deliverability.py).
    Keyed by the folded address, as signatures are (ops.addresses.canonical_email). Lifting
    one (an organiser, audited) keeps the row, so the history stays."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("Bounced for good")
        COMPLAINED = "complained", _("Reported as spam")
        REJECTED = "rejected", _("Rejected by the mail provider")

    email_key = models.CharField(max_length=254, unique=True)
    reason = models.CharField(max_length=12, choices=Reason)
    provider = models.CharField(max_length=40)
    description = models.CharField(max_length=300, blank=True)  # the provider's words
    event_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.email_key}: {self.reason}"


class MailEvent(models.Model):
    """A bounce, complaint or rejection a provider reported, for the rates organisers watch:
    the event, its time and the reason, never the message."""

    class Kind(models.TextChoices):
        BOUNCED = "bounced", _("Bounced for good")
        SOFT = "soft", _("Bounced for now")
        COMPLAINED = "complained", _("Reported as spam")
        REJECTED = "rejected", _("Rejected by the mail provider")

    letter = models.ForeignKey(
        Letter, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    email_key = models.CharField(max_length=254)
    kind = models.CharField(max_length=12, choices=Kind)
    provider = models.CharField(max_length=40)
    description = models.CharField(max_length=300, blank=True)
    event_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["letter", "kind"], name="mail_event_letter_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.email_key} ({self.provider})"
