from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from petition.markdown import render_markdown
from petition.models import Letter
from signatures.models import Signature


class Update(models.Model):
    """An email from a letter's owners to the signers who asked for updates."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="updates")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State, default=State.DRAFT)
    # Shown under "Updates" on the letter page once sent.
    public = models.BooleanField(
        _("also publish it on the letter page"),
        default=False,
    )
    send_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Stamped by every sending batch: beat's sweep restarts an update that stopped moving.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)
    # Which chain of sending tasks is the live one (updates/sending.py): the sweep starts a
    # new chain for a stalled update, and tasks of an older chain stop.
    chain = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["state"],
                condition=Q(state__in=["scheduled", "sending"]),
                name="update_active_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.letter.slug}: {self.subject()}"

    def text(self, language: str | None = None) -> "UpdateText | None":
        """The text in `language`, else the update's first language."""
        texts = list(self.texts.all())
        for text in texts:
            if text.language == language:
                return text
        return texts[0] if texts else None

    def subject(self, language: str | None = None) -> str:
        text = self.text(language)
        return text.subject if text else ""


class UpdateText(models.Model):
    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=8)
    # Which text comes first: the fallback for signers whose language the update lacks.
    order = models.PositiveSmallIntegerField(default=0)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message (Markdown)"))
    # The body rendered and sanitised once, when it is saved: never again per view or email.
    html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["update", "language"], name="update_text_language")
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.subject}"

    def body_html(self) -> str:
        return self.html or render_markdown(self.body)


class Delivery(models.Model):
    """One recipient of one update: the outbox row that makes it exactly one copy each.

    Created for every recipient when sending starts (updates/sending.py); claimed with a
    lease, sent, and marked sent the moment the mail server accepts it."""

    class State(models.TextChoices):
        DUE = "due", _("Due")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Refused by the mail server")
        SKIPPED = "skipped", _("Skipped (unsubscribed or no longer counted)")

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="deliveries")
    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=8, choices=State, default=State.DUE)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["update", "signature"], name="delivery_one_each")
        ]
        indexes = [
            models.Index(
                fields=["update", "id"], condition=Q(state="due"), name="delivery_due_idx"
            ),
            models.Index(fields=["update", "state"], name="delivery_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.update_id}/{self.signature_id}: {self.state}"
