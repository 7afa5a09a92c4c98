import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from petition.models import Letter, Profession

from .normalise import search_key

# What counts (README, "What counts"): confirmed and approved, not withdrawn or removed. The
# one definition: querysets, the list index, the organisers' states and the export use it.
_COUNTED_FIELDS = {"state": "confirmed", "approved": True}
COUNTED = Q(**_COUNTED_FIELDS)
# Listed by name: as they chose, not held, and people only (organisations have a heading of
# their own, once verified).
_LISTED_FIELDS = {"show_name": True, "held": False, "signing_as": "person"}
_LISTED = Q(**_LISTED_FIELDS)


class SignatureQuerySet(models.QuerySet):
    def counted(self):
        return self.filter(COUNTED)

    def listed(self):
        """Counted signatures whose signers chose to be listed by name, unless held for an
        organiser's review (a name that matches a verified or protected one), and never an
        organisation an organiser has not verified."""
        return self.counted().filter(_LISTED)

    def organisations(self):
        """Counted organisations an organiser verified: the "Organisations" heading."""
        return self.counted().filter(
            signing_as=Signature.SigningAs.ORGANISATION, organisation_verified=True
        )


class Signature(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REMOVED = "removed", _("Removed")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="signatures")
    name = models.CharField(max_length=120)
    # search_key(name): what name search matches against (trigram-indexed on PostgreSQL).
    name_search = models.CharField(max_length=200, blank=True, editable=False)
    # Lower-cased and trimmed: where mail is sent. `email_key` is the canonical form
    # (provider dots and +tags folded) that makes one signature per person.
    email = models.EmailField(max_length=254)
    email_key = models.CharField(max_length=254)
    profession = models.ForeignKey(Profession, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=120, blank=True)
    country = CountryField(blank=True)
    link = models.URLField(max_length=500, blank=True)
    show_name = models.BooleanField(default=True)
    language = models.CharField(max_length=8, default="en")

    class SigningAs(models.TextChoices):
        PERSON = "person", _("Myself")
        ORGANISATION = "organisation", _("An organisation")

    # An organisation signs through a person (name, role: who signs for it); `link` is then
    # its website. Listed under "Organisations" once an organiser verified it.
    signing_as = models.CharField(max_length=12, choices=SigningAs, default=SigningAs.PERSON)
    organisation = models.CharField(max_length=200, blank=True)
    organisation_verified = models.BooleanField(default=False)
    # "I'm signing as a public figure": listed as anyone else until an organiser verifies
    # it (then a verified notable); `claim_link` is the official profile to check against.
    public_figure = models.BooleanField(default=False)
    claim_link = models.URLField(max_length=500, blank=True)
    # Impersonation hold (README, "Who is on the letter"): the folded name equals or looks
    # like a verified notable's of this letter or one of its protected names. It may count;
    # it is listed nowhere by name until an organiser accepts it. `review_note` says which
    # name and why (signatures/trust.py); a note without a hold is from before look-alikes
    # were held ("near …", flagged).
    held = models.BooleanField(default=False)
    review_note = models.CharField(max_length=200, blank=True)
    # Added by an organiser on the person's behalf; counts only once they confirm.
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Invited by an import (signatures/imports.py), and reminded once (never twice).
    imported_in = models.ForeignKey(
        "ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="signatures"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The notable wall: verified notables with a position are shown first, in that order.
    wall_position = models.PositiveSmallIntegerField(null=True, blank=True)
    # Where the signer came from: the `?ref=` of the link they followed (a partner's
    # newsletter, say), kept from their first signing (letters.Source labels them).
    source = models.CharField(max_length=40, blank=True)
    # The signer's own share link's code (`?ref=<code>`): random, so nothing of them can be
    # read from it; made the first time it is shown (signatures/referrals.py).
    share_code = models.CharField(max_length=16, unique=True, null=True, blank=True)
    # Consent to updates about this letter (updates/): given by ticking `updates` at signing,
    # taken back by unsubscribing; `updates_changed_at` says when the choice was made.
    updates = models.BooleanField(default=False)
    updates_changed_at = models.DateTimeField(null=True, blank=True)
    # A mail server refused an update to this address for good (5xx): not tried again.
    updates_refused_at = models.DateTimeField(null=True, blank=True)

    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    # Set at signing on post-moderated letters; by an organiser on pre-moderated ones.
    approved = models.BooleanField(default=False)
    notable = models.BooleanField(default=False)
    notable_verified = models.BooleanField(default=False)

    signed_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    # What the latest signing with this address sent (details and language). Applied to the
    # row by the email worker (signatures/outbox.py), which decides what to write back.
    submitted = models.JSONField(null=True, blank=True, editable=False)
    # Goes up whenever the details a signer would publish change; a confirmation link
    # carries the version its email showed, and confirms nothing once it is stale.
    details_version = models.PositiveIntegerField(default=1)
    # Why a submission looked automated (too fast, no form timestamp …): kept, emailed like
    # any other (confirming from the inbox is the challenge), and shown to organisers.
    suspicion = models.CharField(max_length=100, blank=True)

    # The outbox (signatures/outbox.py). An email is due while email_requested_at is set; the
    # value identifies the request, and a worker clears it only if it still holds the value
    # it claimed (no comparison of two machines' clocks). email_claimed_for and email_kind
    # remember what was decided for that request, so a re-send is the same message.
    email_requested_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_claimed_for = models.DateTimeField(null=True, blank=True)
    email_kind = models.CharField(max_length=20, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    emails_sent = models.PositiveSmallIntegerField(default=0)  # ever, for the record
    # The cap is a rate (outbox.email_allowed): emails decided in the day since
    # emails_day_from, and the browsers whose signings asked for them.
    emails_day_from = models.DateTimeField(null=True, blank=True)
    emails_in_day = models.PositiveSmallIntegerField(default=0)
    email_browsers = models.JSONField(default=list, blank=True)
    email_failed_at = models.DateTimeField(null=True, blank=True)
    email_failure = models.CharField(max_length=300, blank=True)
    # How many times a provider's incident (a run of refusals) held this email back.
    email_incidents = models.PositiveSmallIntegerField(default=0)
    removed_reason = models.CharField(max_length=200, blank=True)

    ip_hash = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["letter", "email_key"], name="signature_one_per_email")
        ]
        indexes = [
            models.Index(fields=["letter", "state", "approved"], name="signature_state_idx"),
            models.Index(
                fields=["letter", "-notable", "-id"],
                condition=Q(**_COUNTED_FIELDS, **_LISTED_FIELDS),  # what listed() reads
                name="signature_public_list_idx",
            ),
            models.Index(
                fields=["email_requested_at"],
                condition=Q(email_requested_at__isnull=False),
                name="signature_email_due_idx",
            ),
            # "N people signed through your link" and the dashboard's sources: counted rows
            # of one source, without reading the letter's other rows.
            models.Index(
                fields=["letter", "source"],
                condition=Q(**_COUNTED_FIELDS) & ~Q(source=""),
                name="signature_source_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_state_display()})"

    def save(self, *args, **kwargs):
        self.name_search = search_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_search"}
        super().save(*args, **kwargs)

    @property
    def role_is_profession(self) -> bool:
        """The role only repeats the profession ("Actor" signing as an actor), in any of its
        languages: lists then show it once, not "Actor · ممثّل/ة"."""
        role = (self.role or "").strip().casefold()
        names = {self.profession.key, *(self.profession.labels or {}).values()}
        return bool(role) and role in {str(name).strip().casefold() for name in names}

    @property
    def is_organisation(self) -> bool:
        return self.signing_as == self.SigningAs.ORGANISATION

    @property
    def counts(self) -> bool:
        """COUNTED, for a row in hand (tests/signatures/test_what_counts.py keeps them equal)."""
        return self.state == self.State.CONFIRMED and self.approved


class Tally(models.Model):
    """A letter's counted total, folded from TallyChange rows: O(1) to read."""

    letter = models.OneToOneField(Letter, on_delete=models.CASCADE, primary_key=True)
    total = models.BigIntegerField(default=0)
    notable = models.BigIntegerField(default=0)
    # Verified, counted organisations (the count API's "organisations").
    organisations = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "tallies"

    def __str__(self) -> str:
        return f"{self.letter_id}: {self.total}"


class ProfessionTally(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="+")
    profession = models.ForeignKey(Profession, on_delete=models.CASCADE, related_name="+")
    total = models.BigIntegerField(default=0)
    notable = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["letter", "profession"], name="profession_tally_unique")
        ]

    def __str__(self) -> str:
        return f"{self.letter_id}/{self.profession_id}: {self.total}"


class CountryTally(models.Model):
    """A letter's counted signatures that gave this country (the count API's by_country),
    folded from TallyChange rows like the other counters."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="+")
    country = models.CharField(max_length=2)
    total = models.BigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "country tallies"
        constraints = [
            models.UniqueConstraint(fields=["letter", "country"], name="country_tally_unique")
        ]

    def __str__(self) -> str:
        return f"{self.letter_id}/{self.country}: {self.total}"


class TallyChange(models.Model):
    """One counted-state change of one signature, written in the same transaction.

    Inserts never contend; a fold adds them into Tally in one UPDATE and deletes them, so the
    hot letter row is written once per fold, not once per signature (see README, Counting).
    """

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="+")
    profession = models.ForeignKey(Profession, on_delete=models.CASCADE, related_name="+")
    total = models.SmallIntegerField()
    notable = models.SmallIntegerField()
    organisations = models.SmallIntegerField(default=0)
    country = models.CharField(max_length=2, blank=True, default="")  # "" when none was given
    # Indexed: /healthz reports the age of the oldest change not yet folded.
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.letter_id}/{self.profession_id}: {self.total:+d}"


# Mail providers whose block would silence a large share of every letter's signers.
_WHOLE_PROVIDERS = {
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    "163.com",
    "naver.com",
    "fastmail.com",
}


class Block(models.Model):
    """An organiser's block: signatures from this email domain or IP network are accepted on
    screen and quietly set aside (removed, with the reason), so bots learn nothing."""

    class Kind(models.TextChoices):
        DOMAIN = "domain", _("Email domain")
        NETWORK = "network", _("IP network")

    letter = models.ForeignKey(
        Letter,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="blocks",
        help_text=_("Empty: applies to every letter."),
    )
    kind = models.CharField(max_length=8, choices=Kind)
    value = models.CharField(max_length=255, help_text=_("example.com, or 203.0.113.0/24"))
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["letter", "kind", "value"], name="block_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self) -> None:
        self.value = self.value.strip().lower()
        if self.kind == self.Kind.NETWORK:
            try:
                network = ipaddress.ip_network(self.value, strict=False)
            except ValueError as exc:
                raise ValidationError({"value": _("Enter an IP address or network.")}) from exc
            # Wider than a /16 (IPv4) or /32 (IPv6) is a country's or a carrier's worth of
            # people, not a bot farm: a block that wide would silently drop real signers.
            if network.prefixlen < (16 if network.version == 4 else 32):
                raise ValidationError(
                    {"value": _("This network is too wide: block at most a /16 (IPv6: a /32).")}
                )
            self.value = str(network)
        else:
            self.value = self.value.lstrip("@.")
            labels = self.value.split(".")
            if "@" in self.value or len(labels) < 2 or not all(labels):
                raise ValidationError({"value": _("Enter a domain such as example.com.")})
            if self.value in _WHOLE_PROVIDERS:
                raise ValidationError(
                    {
                        "value": _(
                            "This is a mail provider millions of people use: block addresses "
                            "of it one by one instead."
                        )
                    }
                )


class ImportBatch(models.Model):
    """One file of founding names an owner imported (signatures/imports.py): what the preview
    found, row by row, and how far the invitations have gone once confirmed."""

    class State(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        SENDING = "sending", _("Inviting")
        DONE = "done", _("Invited")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="imports")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State, default=State.PREVIEWED)
    # Every row's outcome: {"row", "outcome", "email", "name", "error"} (no data beyond what
    # the file had); the rows to invite keep their details under "data".
    rows = models.JSONField(default=list)
    counts = models.JSONField(default=dict)  # outcome → rows
    invited = models.PositiveIntegerField(default=0)  # consent requests made so far

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class LetterPdf(models.Model):
    """The letter handed over (signatures/letter_pdf.py): one PDF per language, built by a
    worker for a large letter and kept here, so any web host can serve it."""

    class State(models.TextChoices):
        BUILDING = "building", _("Being built")
        READY = "ready", _("Ready")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="pdfs")
    language = models.CharField(max_length=10)
    state = models.CharField(max_length=10, choices=State, default=State.BUILDING)
    requested_at = models.DateTimeField()
    built_at = models.DateTimeField(null=True, blank=True)
    names = models.PositiveIntegerField(default=0)
    pdf = models.BinaryField(blank=True, default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["letter", "language"], name="letter_pdf_unique")
        ]

    def __str__(self) -> str:
        return f"{self.letter_id} {self.language}"
