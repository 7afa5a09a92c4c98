import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..markdown import render_markdown

UPDATES_CONSENT_DEFAULT = _(
    "Email me updates about this letter (a few at most; every email has a one-click unsubscribe)."
)


RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


def direction(language: str) -> str:
    return "rtl" if language.split("-")[0] in RTL_LANGUAGES else "ltr"


def _language(language: str | None) -> str:
    return (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]


def pick_label(labels: dict[str, str] | None, language: str | None, *, default: str) -> str:
    """A name kept per language: in `language`, else in English, else in any language it
    has, else `default`."""
    labels = labels or {}
    return (
        labels.get(_language(language))
        or labels.get("en")
        or next((labels[code] for code in sorted(labels) if labels[code]), default)
    )


def new_private_key() -> str:
    """The private link's key: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


class LetterQuerySet(models.QuerySet):
    # The same rules as Letter.current_state, in SQL.
    @staticmethod
    def _published_by_clock(now: datetime) -> models.Q:
        """A draft or private letter whose publish_at has passed."""
        S = Letter.State
        return models.Q(state__in=[S.DRAFT, S.PRIVATE], publish_at__lte=now)

    def published(self, now: datetime | None = None):
        """Letters open to everyone now (listed at /letters/)."""
        now = now or timezone.now()
        published = models.Q(state=Letter.State.PUBLISHED) | self._published_by_clock(now)
        not_closing = models.Q(closes_at__isnull=True) | models.Q(closes_at__gt=now)
        return self.filter(published & not_closing)

    def public(self, now: datetime | None = None):
        """Letters everyone may read now: published, or closed."""
        now = now or timezone.now()
        public = models.Q(state__in=Letter.PUBLIC_STATES) | self._published_by_clock(now)
        return self.filter(public)

    def organised_by(self, user, *, owner: bool = False):
        """The letters `user` organises (owns, with `owner`); staff organise every letter."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_staff:
            return self.all()
        # One filter() call: both conditions hold on the same Organiser row.
        mine = {"organisers__user": user}
        if owner:
            mine["organisers__role"] = Organiser.Role.OWNER
        return self.filter(**mine).distinct()

    def moved_by_clock(self, now: datetime | None = None):
        """Letters whose stored state a passed publish_at or closes_at has moved on."""
        now = now or timezone.now()
        closed_by_clock = models.Q(state=Letter.State.PUBLISHED, closes_at__lte=now)
        return self.filter(self._published_by_clock(now) | closed_by_clock)


class LetterManager(models.Manager.from_queryset(LetterQuerySet)):
    def get_queryset(self):
        # The header image's bytes are read only by the view that serves them.
        return super().get_queryset().defer("header_image")


class Letter(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft: its organisers only")
        PRIVATE = "private", _("Private: its organisers and whoever has the private link")
        PUBLISHED = "published", _("Published: everyone; open to signatures")
        CLOSED = "closed", _("Closed: everyone; no more signatures")

    PUBLIC_STATES = (State.PUBLISHED, State.CLOSED)  # everyone may read it

    class Moderation(models.TextChoices):
        POST = "post", _("Post-moderation: signatures count once confirmed")
        PRE = "pre", _("Pre-moderation: an organiser approves each signature")

    slug = models.SlugField(_("address (slug)"), unique=True, max_length=80)
    # The letter's first language: its text there is required, and readers whose language
    # the letter lacks get it. Its texts are LetterText rows, one a language.
    language = models.CharField(_("first language"), max_length=10, default="en")
    featured = models.BooleanField(default=False, help_text=_("Shown at the site's root."))
    # Where the letter is in its life (see current_state: a scheduled time moves it on).
    state = models.CharField(max_length=10, choices=State, default=State.DRAFT)
    private_key = models.CharField(max_length=40, default=new_private_key, editable=False)
    publish_at = models.DateTimeField(_("publish at (UTC)"), null=True, blank=True)
    closes_at = models.DateTimeField(_("close at (UTC)"), null=True, blank=True)
    moderation = models.CharField(
        _("moderation"), max_length=4, choices=Moderation, default=Moderation.POST
    )
    # The sign form's consent to updates, per language code ({"en": "…"}); empty: the
    # interface's default wording (UPDATES_CONSENT_DEFAULT in the reader's language).
    updates_wording = models.JSONField(default=dict, blank=True)
    # Who stands behind the letter, shown under its title.
    organiser_name = models.CharField(_("organised by (public name)"), max_length=200, blank=True)
    contact = models.CharField(
        _("contact (an email address or a web address)"), max_length=300, blank=True
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    # An optional header image or logo, re-encoded on upload (petition/images.py) and kept in
    # the database, so every deployment serves it the same way (no media storage to set up).
    header_image = models.BinaryField(null=True, blank=True, editable=False)
    header_image_type = models.CharField(max_length=20, blank=True, editable=False)
    # The number of signatures the page shows progress towards (none: no progress bar).
    goal = models.PositiveIntegerField(_("goal (signatures)"), null=True, blank=True)
    # Names nobody may sign as without an organiser's review, one a line (the verified
    # notables are protected too); and how the organisers verify names, shown publicly.
    protected_names = models.TextField(_("protected names, one a line"), blank=True)
    # A bot wave from many addresses: every signer's browser solves the human check first
    # (signatures/defences.py), not only those over a per-address limit.
    under_attack = models.BooleanField(
        _("under attack: every signer's browser does a short check first"), default=False
    )
    verification_note = models.TextField(_("how you verify names (public)"), blank=True)
    # The licence the public list is offered under as open data, shown beside its download.
    data_licence = models.CharField(
        _("licence of the public list (open data)"),
        max_length=200,
        default="CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LetterManager()

    class Meta:
        ordering = ["-featured", "-created_at"]

    def __str__(self) -> str:
        return self.title(self.language)

    def get_absolute_url(self) -> str:
        return reverse("front:letter", kwargs={"slug": self.slug})

    # Its life. The stored state is what owners last chose; a passed publish_at or closes_at
    # moves it on at read time, so pages and the API follow the schedule to the second
    # whether or not beat's task (petition.life) has written the move yet.
    def current_state(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        state = self.state
        due = lambda moment: moment is not None and moment <= now  # noqa: E731
        if state in (self.State.DRAFT, self.State.PRIVATE) and due(self.publish_at):
            state = self.State.PUBLISHED
        if state == self.State.PUBLISHED and due(self.closes_at):
            state = self.State.CLOSED
        return state

    @property
    def is_public(self) -> bool:
        """Anyone may read it (published, or closed and marked so)."""
        return self.current_state() in self.PUBLIC_STATES

    # Who may read and sign it: the one statement of the states table (README, "Letters and
    # their life"). front.access finds out who holds the key; organise asks organised_by.
    def organised_by(self, user, *, owner: bool = False) -> bool:
        return Letter.objects.organised_by(user, owner=owner).filter(pk=self.pk).exists()

    def may_read(self, *, key_holder: bool = False, organiser: bool = False, now=None) -> bool:
        """Public: everyone. Private: its organisers and whoever holds its key. Draft: its
        organisers."""
        state = self.current_state(now)
        if state in self.PUBLIC_STATES or organiser:
            return True
        return state == self.State.PRIVATE and key_holder

    def may_sign(self, *, key_holder: bool = False, organiser: bool = False, now=None) -> bool:
        """Published: everyone. Private: through its key (or its organisers). Draft and
        closed: nobody."""
        state = self.current_state(now)
        if state == self.State.PUBLISHED:
            return True
        return state == self.State.PRIVATE and (key_holder or organiser)

    # Its text, per language (LetterText rows, read once and kept on the instance).
    def texts_by_language(self) -> dict[str, "LetterText"]:
        return {text.language: text for text in self.texts.all()}

    def languages(self) -> list[str]:
        """The languages the letter has text in: its first language first, then the others
        in the order of LETTER_LANGUAGES."""
        have = self.texts_by_language()
        order = {code: index for index, code in enumerate(settings.LETTER_LANGUAGES)}
        others = sorted((code for code in have if code != self.language), key=order.get)
        return ([self.language] if self.language in have else []) + others

    def text_language(self, language: str | None = None) -> str:
        """The language a reader of `language` gets: theirs if the letter has it, otherwise
        the letter's first language."""
        language = _language(language)
        return language if language in self.texts_by_language() else self.language

    def text(self, language: str | None = None) -> "LetterText":
        texts = self.texts_by_language()
        return texts.get(self.text_language(language)) or LetterText(letter=self)

    def title(self, language: str | None = None) -> str:
        return self.text(language).title

    def body_html(self, language: str | None = None) -> str:
        return render_markdown(self.text(language).body)

    def updates_label(self, language: str | None = None) -> str:
        lang = _language(language)
        return (self.updates_wording or {}).get(lang, "") or str(UPDATES_CONSENT_DEFAULT)


class LetterText(models.Model):
    """A letter's title and statement in one language. A small model of our own rather than
    django-parler: each letter has its own set of languages, added by its owners at run time,
    and falls back to its own first language, which parler's site-wide fallbacks do not
    model; reading them is one prefetch."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=10)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("statement (Markdown)"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["letter", "language"], name="letter_text_unique")
        ]

    def __str__(self) -> str:
        return f"{self.letter_id}/{self.language}: {self.title}"

    @property
    def direction(self) -> str:
        return direction(self.language)


class Profession(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="professions")
    key = models.SlugField(max_length=40)
    # Its name per language code ({"en": "Novelist", "fr": "Romancier·e"}).
    labels = models.JSONField(default=dict)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "key"], name="profession_unique_key")
        ]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        return pick_label(self.labels, language, default=self.key)


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
    # The language they were invited in: notices to owners are written in it.
    language = models.CharField(max_length=10, default="en")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["letter", "user"], name="organiser_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) on {self.letter.slug}"
