from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .markdown import render_markdown

UPDATES_CONSENT_DEFAULT = _(
    "Email me updates about this letter (a few at most; every email has a one-click unsubscribe)."
)


def _pick(obj, field: str, language: str | None) -> str:
    """The field's text in `language` (en/ar), falling back to English when it is empty."""
    lang = (language or get_language() or "en")[:2]
    value = getattr(obj, f"{field}_{lang}", "") if lang in ("en", "ar") else ""
    return value or getattr(obj, f"{field}_en")


class LetterManager(models.Manager):
    def get_queryset(self):
        # The header image's bytes are read only by the view that serves them.
        return super().get_queryset().defer("header_image")


class Letter(models.Model):
    class Moderation(models.TextChoices):
        POST = "post", _("Post-moderation: signatures count once confirmed")
        PRE = "pre", _("Pre-moderation: an organiser approves each signature")

    slug = models.SlugField(unique=True, max_length=80)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    body_en = models.TextField(_("statement (English, Markdown)"))
    body_ar = models.TextField(_("statement (Arabic, Markdown)"), blank=True)
    featured = models.BooleanField(default=False, help_text=_("Shown at the site's root."))
    is_open = models.BooleanField(default=True, help_text=_("Closed letters refuse signatures."))
    moderation = models.CharField(max_length=4, choices=Moderation, default=Moderation.POST)
    # The sign form's consent to updates, per language code ({"en": "…"}); empty: the
    # interface's default wording (UPDATES_CONSENT_DEFAULT in the reader's language).
    updates_wording = models.JSONField(default=dict, blank=True)
    # Who stands behind the letter, shown under its title.
    organiser_name = models.CharField(_("organised by (public name)"), max_length=200, blank=True)
    contact = models.CharField(
        _("contact (an email address or a web address)"), max_length=300, blank=True
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    # An optional header image or logo, re-encoded on upload (letters/images.py) and kept in
    # the database, so every deployment serves it the same way (no media storage to set up).
    header_image = models.BinaryField(null=True, blank=True, editable=False)
    header_image_type = models.CharField(max_length=20, blank=True, editable=False)
    # The number of signatures the page shows progress towards (none: no progress bar).
    goal = models.PositiveIntegerField(_("goal (signatures)"), null=True, blank=True)
    # Names nobody may sign as without an organiser's review, one a line (the verified
    # notables are protected too); and how the organisers verify names, shown publicly.
    protected_names = models.TextField(_("protected names, one a line"), blank=True)
    verification_note = models.TextField(_("how you verify names (public)"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LetterManager()

    class Meta:
        ordering = ["-featured", "-created_at"]

    def __str__(self) -> str:
        return self.title_en

    def get_absolute_url(self) -> str:
        return reverse("front:letter", kwargs={"slug": self.slug})

    def title(self, language: str | None = None) -> str:
        return _pick(self, "title", language)

    def body_html(self, language: str | None = None) -> str:
        return render_markdown(_pick(self, "body", language))

    def languages(self) -> list[str]:
        """The languages the letter has text in, its first language first."""
        return ["en"] + (["ar"] if self.title_ar and self.body_ar else [])

    def updates_label(self, language: str | None = None) -> str:
        lang = (language or get_language() or "en")[:2]
        return (self.updates_wording or {}).get(lang, "") or str(UPDATES_CONSENT_DEFAULT)


class Profession(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="professions")
    key = models.SlugField(max_length=40)
    label_en = models.CharField(max_length=80)
    label_ar = models.CharField(max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "key"], name="profession_unique_key")
        ]

    def __str__(self) -> str:
        return self.label_en

    def label(self, language: str | None = None) -> str:
        return _pick(self, "label", language)


class Source(models.Model):
    """A labelled share link for a partner: `/letters/<slug>/?ref=<key>`. Signatures keep the
    `ref` they came with, labelled or not; a label names it on the dashboard and export."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="sources")
    key = models.SlugField(_("code in the link"), max_length=40)
    label = models.CharField(_("partner"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["letter", "key"], name="source_unique_key")]

    def __str__(self) -> str:
        return f"{self.label} ({self.key})"


class Organiser(models.Model):
    """Who may moderate a letter. Owners also edit it and invite others. Staff see all."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner: edits the letter, invites organisers, moderates")
        MODERATOR = "moderator", _("Moderator: reviews signatures and exports them")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="organisers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organised"
    )
    role = models.CharField(max_length=10, choices=Role, default=Role.MODERATOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["letter", "user"], name="organiser_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) on {self.letter.slug}"
