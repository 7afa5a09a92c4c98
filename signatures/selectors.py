"""Reads on signatures: the public list (never an email, never a COUNT(*)) and the
organisers' queue, state counts and export. The counters are read in counting.py."""

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import Case, Count, ExpressionWrapper, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncHour
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ops.addresses import canonical_email
from petition.deliverability import active_suppressions
from petition.models import Letter, pick_label

from .models import COUNTED, Signature
from .normalise import search_key


def letters_with_counts() -> list[tuple[Letter, int]]:
    """Every published letter with its count (the folded counter: one join, whatever the
    rows), featured first, then the newest."""
    letters = (
        Letter.objects.published()
        .prefetch_related("texts")
        .annotate(signed=Coalesce("tally__total", 0))
        .order_by("-featured", "-created_at")
    )
    return [(letter, letter.signed) for letter in letters]


def notable_signers(*, letter: Letter, limit: int = 24) -> list[Signature]:
    """The notable wall: the verified notables organisers placed (by their position), then
    the other verified notables, then notables not yet verified. Never a held name."""
    return list(
        Signature.objects.listed()
        .filter(letter=letter, notable=True)
        .select_related("profession")
        .order_by(
            "-notable_verified",
            F("wall_position").asc(nulls_last=True),
            "confirmed_at",
            "id",
        )[:limit]
    )


# Counting the rows before a signer reads up to this many rows at every confirmation: the
# first thousand signers learn their number; later ones see the total.
PLACE_UP_TO = 1_000


def place_in_count(*, signature: Signature, total: int) -> int | None:
    """Which signer this one is, in the order of confirmation: counted only while the letter
    is small enough for the count of rows to be cheap (None beyond PLACE_UP_TO)."""
    if total > PLACE_UP_TO or not signature.counts or signature.confirmed_at is None:
        return None
    return (
        Signature.objects.counted()
        .filter(letter_id=signature.letter_id)
        .filter(
            Q(confirmed_at__lt=signature.confirmed_at)
            | Q(confirmed_at=signature.confirmed_at, pk__lte=signature.pk)
        )
        .count()
    )


def verified_organisations(*, letter: Letter, limit: int = 200) -> list[Signature]:
    """Organisations an organiser verified, by name: the letter page's "Organisations"."""
    return list(
        Signature.objects.organisations()
        .filter(letter=letter)
        .order_by("organisation", "id")
        .only("organisation", "link", "country")[:limit]
    )


class BadCursor(ValueError):
    pass


@dataclass
class SignaturePage:
    results: list[Signature]
    next_cursor: str | None


def encode_cursor(signature: Signature) -> str:
    raw = json.dumps([int(signature.notable), signature.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[bool, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        notable, pk = json.loads(raw)
        if notable not in (0, 1) or not isinstance(pk, int) or isinstance(pk, bool):
            raise BadCursor(cursor)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise BadCursor(cursor) from exc
    return bool(notable), pk


def public_signatures(
    *,
    letter: Letter,
    q: str = "",
    profession: str = "",
    country: str = "",
    notable_only: bool = False,
    cursor: str = "",
    limit: int = 50,
) -> SignaturePage:
    """Listed signatures, notable first, then newest; keyset-paginated on (notable, id), so a
    deep page costs what the first does and new signatures never shift later pages."""
    qs = Signature.objects.listed().filter(letter=letter).select_related("profession")
    if q:
        qs = qs.filter(name_search__contains=search_key(q))
    if profession:
        qs = qs.filter(profession__key=profession)
    if country:
        qs = qs.filter(country=country)
    if notable_only:
        qs = qs.filter(notable=True)
    if cursor:
        notable, pk = decode_cursor(cursor)
        # Two index range scans instead of one OR, which PostgreSQL cannot seek on: the rest
        # of the cursor's group, then (after the notable group) the others.
        rows = list(qs.filter(notable=notable, pk__lt=pk).order_by("-pk")[: limit + 1])
        if notable and len(rows) <= limit:
            rows += qs.filter(notable=False).order_by("-pk")[: limit + 1 - len(rows)]
    else:
        rows = list(qs.order_by("-notable", "-pk")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return SignaturePage(results=rows[:limit], next_cursor=next_cursor)


class QueueState(models.TextChoices):
    """The organisers' queue splits confirmed signatures by whether they count."""

    PENDING = "pending", _("Pending confirmation")
    AWAITING = "awaiting", _("Awaiting approval")
    COUNTED = "counted", _("Counted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REMOVED = "removed", _("Removed")


QUEUE_STATES = {
    QueueState.PENDING: Q(state=Signature.State.PENDING),
    QueueState.AWAITING: Q(state=Signature.State.CONFIRMED) & ~COUNTED,
    QueueState.COUNTED: COUNTED,
    QueueState.WITHDRAWN: Q(state=Signature.State.WITHDRAWN),
    QueueState.REMOVED: Q(state=Signature.State.REMOVED),
}


class Review(models.TextChoices):
    """What organisers review apart (the queue's "Review" filter)."""

    HELD = "held", _("Held for review (name matches a verified or protected one)")
    FLAGGED = "flagged", _("Flagged: nearly matches a protected name")
    ORGANISATIONS = "organisations", _("Organisations")
    UNVERIFIED_ORGANISATIONS = "unverified-organisations", _("Organisations to verify")
    CLAIMS = "claims", _("Public-figure claims to verify")
    ADDED = "added", _("Added by an organiser")


REVIEWS = {
    Review.HELD: Q(held=True),
    Review.FLAGGED: Q(held=False) & ~Q(review_note=""),
    Review.ORGANISATIONS: Q(signing_as=Signature.SigningAs.ORGANISATION),
    Review.UNVERIFIED_ORGANISATIONS: Q(
        signing_as=Signature.SigningAs.ORGANISATION, organisation_verified=False
    ),
    Review.CLAIMS: Q(public_figure=True, notable_verified=False),
    Review.ADDED: Q(added_by__isnull=False),
}


def review_counts(*, letter: Letter) -> dict[str, int]:
    """How many signatures wait for each kind of review (organisers' dashboard)."""
    counts = (
        Signature.objects.filter(letter=letter)
        .exclude(state=Signature.State.REMOVED)
        .aggregate(
            n_held=Count("pk", filter=REVIEWS[Review.HELD]),
            n_flagged=Count("pk", filter=REVIEWS[Review.FLAGGED]),
            n_organisations=Count("pk", filter=REVIEWS[Review.UNVERIFIED_ORGANISATIONS]),
            n_claims=Count("pk", filter=REVIEWS[Review.CLAIMS]),
        )
    )
    return {name.removeprefix("n_"): n for name, n in counts.items()}


def state_counts(*, letter: Letter) -> dict[str, int]:
    """Signatures of a letter by queue state (organisers only: this one does count rows), in
    one query, each state by its QUEUE_STATES condition."""
    return Signature.objects.filter(letter=letter).aggregate(
        **{state: Count("pk", filter=condition) for state, condition in QUEUE_STATES.items()}
    )


def signatures_per_day(*, letter: Letter, days: int = 30) -> list[tuple[date, int]]:
    """Confirmed signatures per day over the last `days` days, zeros included, and never a
    day before the letter was made (a new letter's chart is not a row of empty days)."""
    today = timezone.now().date()
    days = max(1, min(days, (today - letter.created_at.date()).days + 1))
    first = today - timedelta(days=days - 1)
    rows = dict(
        Signature.objects.filter(letter=letter, confirmed_at__date__gte=first)
        .annotate(day=TruncDate("confirmed_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("day", "n")
    )
    return [
        (first + timedelta(days=i), rows.get(first + timedelta(days=i), 0)) for i in range(days)
    ]


def signatures_per_hour(*, letter: Letter, hours: int = 48) -> list[tuple[datetime, int]]:
    """Confirmed signatures per hour over the last `hours` hours (UTC), zeros included."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    first = now - timedelta(hours=hours - 1)
    rows = dict(
        Signature.objects.filter(letter=letter, confirmed_at__gte=first)
        .annotate(hour=TruncHour("confirmed_at"))
        .values("hour")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("hour", "n")
    )
    return [
        (first + timedelta(hours=i), rows.get(first + timedelta(hours=i), 0)) for i in range(hours)
    ]


@dataclass
class LaunchFigures:
    signed: int  # every signature made, confirmed or not
    confirmed: int  # of those, the ones whose signer confirmed (whatever happened after)
    signed_48h: int
    confirmed_48h: int

    @staticmethod
    def rate(confirmed: int, signed: int) -> float | None:
        return round(100 * confirmed / signed, 1) if signed else None

    @property
    def confirmation_rate(self) -> float | None:
        return self.rate(self.confirmed, self.signed)

    @property
    def confirmation_rate_48h(self) -> float | None:
        return self.rate(self.confirmed_48h, self.signed_48h)


def launch_figures(*, letter: Letter) -> LaunchFigures:
    since = timezone.now() - timedelta(hours=48)
    confirmed = Q(confirmed_at__isnull=False)
    recent = Q(signed_at__gte=since)
    return LaunchFigures(
        **Signature.objects.filter(letter=letter).aggregate(
            signed=Count("pk"),
            confirmed=Count("pk", filter=confirmed),
            signed_48h=Count("pk", filter=recent),
            confirmed_48h=Count("pk", filter=recent & confirmed),
        )
    )


@dataclass
class EmailFigures:
    waiting: int
    sent: int
    failed: int
    reasons: list[tuple[str, int]]  # the most common failures, most frequent first


def email_figures(*, letter: Letter) -> EmailFigures:
    """Confirmation emails: still due, sent, refused for good (and why)."""
    signatures = Signature.objects.filter(letter=letter)
    figures = signatures.aggregate(
        waiting=Count("pk", filter=Q(email_requested_at__isnull=False)),
        sent=Count("pk", filter=Q(email_sent_at__isnull=False)),
        failed=Count("pk", filter=Q(email_failed_at__isnull=False)),
    )
    reasons = list(
        signatures.filter(email_failed_at__isnull=False)
        .values_list("email_failure")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("email_failure", "n")[:5]
    )
    return EmailFigures(**figures, reasons=reasons)


def counts_by_source(*, letter: Letter) -> list[tuple[str, int, int]]:
    """(source, counted, all) for every `?ref=` signers came with, "" for none; most first."""
    return list(
        Signature.objects.filter(letter=letter)
        .values_list("source")
        .annotate(counted=Count("pk", filter=COUNTED), signed=Count("pk"))
        .order_by("-counted", "source")
        .values_list("source", "counted", "signed")
    )


def moderation_queryset(
    *,
    letter: Letter,
    state: str = "",
    profession: str = "",
    country: str = "",
    notable: str = "",
    q: str = "",
    review: str = "",
) -> QuerySet[Signature]:
    qs = Signature.objects.filter(letter=letter)
    if review:
        qs = qs.filter(REVIEWS[review])
    if state:
        qs = qs.filter(QUEUE_STATES[state])
    if profession:
        qs = qs.filter(profession__key=profession)
    if country:
        qs = qs.filter(country=country)
    if notable == "1":
        qs = qs.filter(notable=True)
    elif notable == "verified":
        qs = qs.filter(notable_verified=True)
    if q:
        # An address is searched only when one is typed (with its "@"): such a search is
        # audited, and a bare word must not confirm addresses letter by letter unaudited.
        found = Q(name_search__contains=search_key(q))
        if "@" in q:
            found |= Q(email__contains=q.strip().lower())
        qs = qs.filter(found)
    return qs


def moderation_page(
    *, queryset: QuerySet[Signature], before: int | None, oldest: bool = False, limit: int = 50
):
    """Newest (or oldest) first, keyset on id, the order of signing: (rows, the id the next
    page continues from, or None). `before` is that id: the next page's rows come after it
    in the chosen order."""
    if before:
        queryset = queryset.filter(pk__gt=before) if oldest else queryset.filter(pk__lt=before)
    ordered = queryset.select_related("profession").order_by("pk" if oldest else "-pk")
    rows = list(ordered.annotate(queue_state=_QUEUE_STATE)[: limit + 1])
    for row in rows:
        row.queue_state_label = QueueState(row.queue_state).label
    return rows[:limit], (rows[limit - 1].pk if len(rows) > limit else None)


# Each row's state in the queue's own words, from QUEUE_STATES (so from COUNTED): the page
# does not restate what counts.
_QUEUE_STATE = Case(
    *(When(condition, then=Value(state.value)) for state, condition in QUEUE_STATES.items()),
    default=Value(QueueState.PENDING.value),
    output_field=models.CharField(),
)


EXPORT_COLUMNS = [
    "id",
    "name",
    "email",
    "profession__key",
    "profession__labels",  # exported as the profession's name (export_rows)
    "role",
    "country",
    "link",
    "show_name",
    "state",
    "approved",
    "notable",
    "notable_verified",
    "signing_as",
    "organisation",
    "organisation_verified",
    "public_figure",
    "claim_link",
    "held",
    "review_note",
    "language",
    "source",
    "signed_at",
    "confirmed_at",
    "withdrawn_at",
    "removed_reason",
    "email_sent_at",
    "email_failure",
    "updates",
    "updates_changed_at",
]


_LABELS = EXPORT_COLUMNS.index("profession__labels")


def export_rows(*, queryset: QuerySet[Signature], language: str | None = None):
    """The signatures as tuples (EXPORT_COLUMNS, then whether it counts), streamed from a
    server-side cursor; the profession by its name in `language` (the reader's by default)
    beside its key."""
    rows = (
        queryset.annotate(counted=ExpressionWrapper(COUNTED, output_field=models.BooleanField()))
        .order_by("pk")
        .values_list(*EXPORT_COLUMNS, "counted")
        .iterator(chunk_size=2000)
    )
    for row in rows:
        name = pick_label(row[_LABELS], language, default=row[_LABELS - 1])
        yield (*row[:_LABELS], name, *row[_LABELS + 1 :])


def confirmation_undeliverable(*, letter: Letter, email: str) -> bool:
    """This pending signature's confirmation could not be delivered: its mail server refused
    it for good (a bounce reported by the provider, or a 5xx) or the address is suppressed."""
    return Signature.objects.filter(
        letter=letter,
        email_key=canonical_email(email),
        state=Signature.State.PENDING,
        email_failed_at__isnull=False,
    ).exists()


def letter_suppressions(*, letter: Letter):
    """The suppressed addresses among this letter's signers, newest first."""
    keys = Signature.objects.filter(letter=letter).values("email_key")
    return active_suppressions().filter(email_key__in=keys).order_by("-event_at")


def confirmation_emails_sent(*, letter: Letter) -> int:
    return Signature.objects.filter(letter=letter).aggregate(n=Sum("emails_sent"))["n"] or 0
