from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .letter import Letter


class AuditEntry(models.Model):
    """The audit log of a letter: who did what (to its signatures, its settings, its life,
    its organisers, its exports), when, and why. One call writes one (petition.audit)."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REMOVE = "remove", _("Remove")
        RESTORE = "restore", _("Restore")
        MARK_NOTABLE = "mark_notable", _("Mark notable")
        UNMARK_NOTABLE = "unmark_notable", _("Unmark notable")
        VERIFY_NOTABLE = "verify_notable", _("Verify notable")
        BLOCK = "block", _("Add a block")
        SETTINGS = "settings", _("Change the letter")
        INVITE = "invite", _("Invite an organiser")
        VERIFICATION_CLEARED = "verification_cleared", _("Verification cleared")
        EXPORT = "export", _("Export")
        UPDATE_TEST = "update_test", _("Send a test update")
        UPDATE_SEND = "update_send", _("Send an update")
        UPDATE_SCHEDULE = "update_schedule", _("Schedule an update")
        UPDATE_CANCEL = "update_cancel", _("Cancel an update")
        SOURCE = "source", _("Make a share link")
        ACCEPT_HOLD = "accept_hold", _("Accept a held name")
        HOLD = "hold", _("Hold for review")
        VERIFY_ORGANISATION = "verify_organisation", _("Verify organisation")
        UNVERIFY_ORGANISATION = "unverify_organisation", _("Clear organisation verification")
        ADD_ON_BEHALF = "add_on_behalf", _("Add a name on someone's behalf")
        WALL = "wall", _("Arrange the notable wall")
        UNVERIFY_NOTABLE = "unverify_notable", _("Clear verification")
        UNAPPROVE = "unapprove", _("Withdraw approval")
        STATE = "state", _("Move the letter on (draft, private, published, closed)")
        NEW_KEY = "new_key", _("Make a new private link")
        LETTER_SCHEDULE = "letter_schedule", _("Schedule publishing or closing")
        REMOVE_ORGANISER = "remove_organiser", _("Remove an organiser")
        REVEAL_EMAILS = "reveal_emails", _("Show signers' email addresses")
        LIFT_SUPPRESSION = "lift_suppression", _("Lift an address's suppression")
        IMPORT = "import", _("Import founding names")
        REMIND = "remind", _("Remind invitees")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="audit_log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=30, choices=Action)
    signature_ids = models.JSONField(default=list, blank=True)
    changed = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    # Set on the entry of an undo: the entry it undid (once only, hence one-to-one).
    undoes = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="undone_by"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # Its first home was the signatures app: the table keeps that name.
        db_table = "signatures_moderationentry"
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor}: {self.action} ({self.changed})"
