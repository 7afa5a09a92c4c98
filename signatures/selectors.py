"""Reads on signatures and counters. Public reads never touch emails and never COUNT(*)."""

import base64
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from petition.models import Letter

from .models import COUNTED, ProfessionTally, Signature, Tally
from .normalise import search_key

log = logging.getLogger(__name__)


def email_due(now: datetime) -> Q:
    """An email was requested, and no worker holds it (or its lease ran out)."""
    lease = timedelta(seconds=settings.EMAIL_LEASE_SECONDS)
    return Q(email_requested_at__isnull=False) & (
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - lease)
    )


@dataclass
class LetterCount:
    slug: str
    signatures: int = 0
    notable: int = 0
    by_profession: dict[str, int] = field(default_factory=dict)
    updated_at: datetime | None = None

    def as_json(self) -> dict:
        return {
            "slug": self.slug,
            "signatures": self.signatures,
            "notable": self.notable,
            "by_profession": self.by_profession,
            "updated_at": (self.updated_at or timezone.now()).isoformat(),
        }


def letter_count(*, letter: Letter) -> LetterCount:
    """The counters of one letter: two indexed reads, whatever the number of signatures."""
    count = LetterCount(slug=letter.slug)
    tally = Tally.objects.filter(letter=letter).first()
    if tally is not None:
        count.signatures, count.notable, count.updated_at = (
            tally.total,
            tally.notable,
            tally.updated_at,
        )
    else:
        count.updated_at = letter.created_at
    totals = dict(
        ProfessionTally.objects.filter(letter=letter).values_list("profession__key", "total")
    )
    count.by_profession = {
        key: totals.get(key, 0) for key in letter.professions.values_list("key", flat=True)
    }
    return count


COUNT_CACHE_SECONDS = 5


def _count_cache_key(slug: str) -> str:
    return f"letter-count:v1:{slug}"


def letter_count_json(*, slug: str) -> dict | None:
    """The count API's body, from the cache when it can be: a hot letter's count is read by
    every watcher every second. Folds delete the entry when they commit; the short lifetime
    bounds the rare race where a read computed just before a fold stores a stale value."""
    key = _count_cache_key(slug)
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not take the count down
        cached = None
    if cached is not None:
        return cached
    letter = Letter.objects.filter(slug=slug).first()
    if letter is None:
        return None
    body = letter_count(letter=letter).as_json()
    try:
        cache.set(key, body, COUNT_CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        log.warning("cache unavailable: count of %s not cached", slug)
    return body


def forget_letter_count(*, letter_id: int) -> None:
    slug = Letter.objects.filter(pk=letter_id).values_list("slug", flat=True).first()
    if slug is None:
        return
    try:
        cache.delete(_count_cache_key(slug))
    except Exception:  # noqa: BLE001 - it expires by itself within COUNT_CACHE_SECONDS
        log.warning("cache unavailable: count of %s not invalidated", slug)


def notable_signers(*, letter: Letter, limit: int = 24) -> QuerySet[Signature]:
    return (
        Signature.objects.listed()
        .filter(letter=letter, notable=True)
        .select_related("profession")
        .order_by("-notable_verified", "confirmed_at", "id")[:limit]
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


# The organisers' queue: what each state filter means.
QUEUE_STATES = {
    "pending": Q(state=Signature.State.PENDING),
    "awaiting": Q(state=Signature.State.CONFIRMED, approved=False),
    "counted": COUNTED,
    "withdrawn": Q(state=Signature.State.WITHDRAWN),
    "removed": Q(state=Signature.State.REMOVED),
}


def state_counts(*, letter: Letter) -> dict[str, int]:
    """Signatures of a letter by queue state (organisers only: this one does count rows)."""
    rows = (
        Signature.objects.filter(letter=letter)
        .values("state", "approved")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(QUEUE_STATES, 0)
    for row in rows:
        if row["state"] == Signature.State.CONFIRMED:
            counts["counted" if row["approved"] else "awaiting"] += row["n"]
        else:
            counts[row["state"]] += row["n"]
    return counts


def signatures_per_day(*, letter: Letter, days: int = 30) -> list[tuple[date, int]]:
    """Confirmed signatures per day over the last `days` days, zeros included."""
    today = timezone.now().date()
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


def moderation_queryset(
    *,
    letter: Letter,
    state: str = "",
    profession: str = "",
    country: str = "",
    notable: str = "",
    q: str = "",
) -> QuerySet[Signature]:
    qs = Signature.objects.filter(letter=letter)
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
        qs = qs.filter(
            Q(name_search__contains=search_key(q)) | Q(email__contains=q.strip().lower())
        )
    return qs


def moderation_page(*, queryset: QuerySet[Signature], before: int | None, limit: int = 50):
    """Newest first, keyset on id: (rows, id to continue before, or None)."""
    if before:
        queryset = queryset.filter(pk__lt=before)
    rows = list(queryset.select_related("profession").order_by("-pk")[: limit + 1])
    return rows[:limit], (rows[limit - 1].pk if len(rows) > limit else None)


EXPORT_COLUMNS = [
    "id",
    "name",
    "email",
    "profession__key",
    "role",
    "country",
    "link",
    "show_name",
    "state",
    "approved",
    "notable",
    "notable_verified",
    "language",
    "signed_at",
    "confirmed_at",
    "withdrawn_at",
    "removed_reason",
    "email_sent_at",
    "email_failure",
]


def export_rows(*, letter: Letter):
    """Every signature of a letter as tuples, streamed from a server-side cursor."""
    return (
        Signature.objects.filter(letter=letter)
        .order_by("pk")
        .values_list(*EXPORT_COLUMNS)
        .iterator(chunk_size=2000)
    )
