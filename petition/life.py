"""A letter's life: draft → private → published → closed, moved on by its owners or by its
schedule, each move audited. Letter.current_state says where a letter is at any moment (a
passed publish_at or closes_at counts at once); `schedule_apply` writes those moves down and
audits them, from beat, so the stored state and the audit log catch up with the clock."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .models import AuditEntry, Letter, new_private_key
from .organisers import owners_notify

State = Letter.State

# The moves an owner may make from each state. A published letter goes back to private or
# draft only by mistake, and a closed one may reopen.
MOVES = {
    State.DRAFT: [State.PRIVATE, State.PUBLISHED],
    State.PRIVATE: [State.PUBLISHED, State.DRAFT],
    State.PUBLISHED: [State.CLOSED, State.PRIVATE],
    State.CLOSED: [State.PUBLISHED],
}


class MoveRefused(ValueError):
    pass


# A state in a sentence (the states' choices are long descriptions for the forms).
STATE_NAMES = {
    State.DRAFT: _("draft"),
    State.PRIVATE: _("private"),
    State.PUBLISHED: _("published"),
    State.CLOSED: _("closed"),
}


def state_move_text(before: str, after: str):
    """ "published → closed", in whatever language it is read in (lazy)."""
    return format_lazy("{} → {}", STATE_NAMES[before], STATE_NAMES[after])


@transaction.atomic
def letter_move(*, letter_id: int, to: str, actor) -> Letter:
    """Move the letter to `to` if its current state allows it. Publishing by hand clears a
    publish_at still to come; reopening clears a closes_at that has passed; unpublishing
    clears a publish_at that has passed (else the schedule would publish it again at once);
    closing by hand sets closes_at to now (the page says when it closed)."""
    letter = Letter.objects.select_for_update().get(pk=letter_id)
    now = timezone.now()
    before = letter.current_state(now)
    if to not in MOVES[before]:
        raise MoveRefused(f"A {before} letter cannot become {to}.")
    if to == State.PUBLISHED:
        if letter.publish_at and letter.publish_at > now:
            letter.publish_at = None
        if letter.closes_at and letter.closes_at <= now:
            letter.closes_at = None
        if letter.published_on is None:
            letter.published_on = timezone.localdate(now)
    if to in (State.DRAFT, State.PRIVATE) and letter.publish_at and letter.publish_at <= now:
        letter.publish_at = None
    if to == State.CLOSED and (letter.closes_at is None or letter.closes_at > now):
        letter.closes_at = now  # the page says when it closed
    letter.state = to
    letter.save(update_fields=["state", "publish_at", "closes_at", "published_on", "updated_at"])
    audit_record(
        letter=letter, actor=actor, action=AuditEntry.Action.STATE, detail=f"{before} → {to}"
    )
    owners_notify(letter=letter, actor=actor, notice="moved", detail=state_move_text(before, to))
    return letter


@transaction.atomic
def letter_new_key(*, letter_id: int, actor) -> Letter:
    """A new private link; the old one stops working at once (keys held in visitors' cookies
    no longer match)."""
    letter = Letter.objects.select_for_update().get(pk=letter_id)
    letter.private_key = new_private_key()
    letter.save(update_fields=["private_key", "updated_at"])
    audit_record(letter=letter, actor=actor, action=AuditEntry.Action.NEW_KEY)
    return letter


@transaction.atomic
def letter_schedule(*, letter_id: int, publish_at, closes_at, actor) -> Letter:
    """New times. A move the clock has already made is written down first, so a new time
    never takes back a launch or a close that happened (beat may not have run yet)."""
    letter = Letter.objects.select_for_update().get(pk=letter_id)
    _write_down(letter, timezone.now())
    letter.publish_at, letter.closes_at = publish_at, closes_at
    letter.save(update_fields=["publish_at", "closes_at", "updated_at"])
    when = lambda moment: moment.isoformat(timespec="minutes") if moment else "none"  # noqa: E731
    detail = f"publish at {when(publish_at)}, close at {when(closes_at)}"
    audit_record(
        letter=letter, actor=actor, action=AuditEntry.Action.LETTER_SCHEDULE, detail=detail
    )
    owners_notify(letter=letter, actor=actor, notice="scheduled", detail=detail + " (UTC)")
    return letter


def schedule_apply(now=None) -> int:
    """Write down the moves the clock has made (audited as the schedule's, with no actor);
    safe to run any number of times. Returns how many letters moved."""
    now = now or timezone.now()
    moved = 0
    for letter_id in Letter.objects.moved_by_clock(now).values_list("pk", flat=True):
        with transaction.atomic():
            letter = Letter.objects.select_for_update().get(pk=letter_id)
            moved += _write_down(letter, now)  # False if another run got here first
    return moved


def _write_down(letter: Letter, now) -> bool:
    """Store the state the clock has moved the (locked) letter to, audited as the
    schedule's; whether it moved."""
    before, after = letter.state, letter.current_state(now)
    if before == after:
        return False
    letter.state = after
    if after == State.PUBLISHED and letter.published_on is None:
        letter.published_on = timezone.localdate(letter.publish_at or now)
    letter.save(update_fields=["state", "published_on", "updated_at"])
    audit_record(
        letter=letter,
        actor=None,
        action=AuditEntry.Action.STATE,
        detail=f"{before} → {after} (scheduled)",
    )
    return True


@shared_task
def schedule_apply_task() -> int:
    return schedule_apply()
