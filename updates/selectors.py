"""Reads about updates: recipients, progress, and the public copies on a letter's page."""

from dataclasses import dataclass

from django.db.models import Count

from petition.models import Letter

from .models import Delivery, Update
from .sending import recipients


def recipients_count(letter: Letter) -> int:
    return recipients(letter.pk).count()


@dataclass
class Progress:
    total: int
    sent: int
    failed: int
    skipped: int
    due: int
    reasons: list[tuple[str, int]]  # the most common refusals, most frequent first

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def update_progress(update: Update) -> Progress:
    by_state = dict(
        update.deliveries.values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    reasons = list(
        update.deliveries.filter(state=Delivery.State.FAILED)
        .values_list("failure")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("failure", "n")[:5]
    )
    # From the rows, not the snapshot: a recipient who erased their signature meanwhile is
    # gone with their row.
    return Progress(
        total=sum(by_state.values()),
        sent=by_state.get(Delivery.State.SENT, 0),
        failed=by_state.get(Delivery.State.FAILED, 0),
        skipped=by_state.get(Delivery.State.SKIPPED, 0),
        due=by_state.get(Delivery.State.DUE, 0),
        reasons=reasons,
    )


def letter_updates(letter: Letter):
    return Update.objects.filter(letter=letter).prefetch_related("texts")


def public_updates(letter: Letter, *, limit: int = 5) -> list[Update]:
    """Sent updates its owners chose to publish, newest first."""
    return list(
        Update.objects.filter(letter=letter, public=True, state=Update.State.SENT)
        .prefetch_related("texts")
        .order_by("-started_at")[:limit]
    )


def update_emails_sent(*, letter: Letter) -> int:
    return Delivery.objects.filter(update__letter=letter, state=Delivery.State.SENT).count()
