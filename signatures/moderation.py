"""Organisers' actions on signatures, one by one or in bulk. Each goes through the same
journal as signing (exact counters) and writes one audit entry."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from petition.models import AuditEntry, Letter

from .counting import Standing, schedule_tally_fold, tally_changes
from .models import Signature, TallyChange
from .trust import holds_recheck_soon, protect

Action = AuditEntry.Action
State = Signature.State
BATCH = 500


@dataclass(frozen=True)
class Transition:
    applies_to: Q
    fields: tuple[str, ...]
    apply: Callable[[Signature, str], None]


def _set(**values):
    def apply(signature: Signature, reason: str) -> None:
        for name, value in values.items():
            setattr(signature, name, value)

    return apply


def _remove(signature: Signature, reason: str) -> None:
    signature.state = State.REMOVED
    signature.removed_reason = reason


def _restore(signature: Signature, reason: str) -> None:
    signature.state = State.CONFIRMED if signature.confirmed_at else State.PENDING
    signature.removed_reason = ""


TRANSITIONS: dict[str, Transition] = {
    Action.APPROVE: Transition(
        Q(approved=False, state__in=[State.PENDING, State.CONFIRMED]),
        ("approved",),
        _set(approved=True),
    ),
    Action.REMOVE: Transition(
        Q(state__in=[State.PENDING, State.CONFIRMED]), ("state", "removed_reason"), _remove
    ),
    Action.RESTORE: Transition(Q(state=State.REMOVED), ("state", "removed_reason"), _restore),
    Action.MARK_NOTABLE: Transition(Q(notable=False), ("notable",), _set(notable=True)),
    Action.UNMARK_NOTABLE: Transition(
        Q(notable=True),
        ("notable", "notable_verified"),
        _set(notable=False, notable_verified=False),
    ),
    Action.VERIFY_NOTABLE: Transition(
        Q(notable_verified=False),
        ("notable", "notable_verified"),
        _set(notable=True, notable_verified=True),
    ),
    Action.ACCEPT_HOLD: Transition(Q(held=True), ("held",), _set(held=False)),
    Action.VERIFY_ORGANISATION: Transition(
        Q(signing_as=Signature.SigningAs.ORGANISATION, organisation_verified=False),
        ("organisation_verified",),
        _set(organisation_verified=True),
    ),
    # Only as undos (not offered in the queue):
    Action.HOLD: Transition(Q(held=False), ("held",), _set(held=True)),
    Action.UNVERIFY_ORGANISATION: Transition(
        Q(organisation_verified=True),
        ("organisation_verified",),
        _set(organisation_verified=False),
    ),
    Action.UNVERIFY_NOTABLE: Transition(
        Q(notable_verified=True), ("notable_verified",), _set(notable_verified=False)
    ),
    Action.UNAPPROVE: Transition(
        Q(approved=True, state__in=[State.PENDING, State.CONFIRMED]),
        ("approved",),
        _set(approved=False),
    ),
}

# The action that undoes each bulk action, on the signatures that action changed. Undoing
# "unmark notable" marks them notable again, unverified: an organiser verifies anew.
UNDO = {
    Action.REMOVE: Action.RESTORE,
    Action.RESTORE: Action.REMOVE,
    Action.APPROVE: Action.UNAPPROVE,
    Action.UNAPPROVE: Action.APPROVE,
    Action.MARK_NOTABLE: Action.UNMARK_NOTABLE,
    Action.UNMARK_NOTABLE: Action.MARK_NOTABLE,
    Action.VERIFY_NOTABLE: Action.UNVERIFY_NOTABLE,
    Action.UNVERIFY_NOTABLE: Action.VERIFY_NOTABLE,
    Action.ACCEPT_HOLD: Action.HOLD,
    Action.HOLD: Action.ACCEPT_HOLD,
    Action.VERIFY_ORGANISATION: Action.UNVERIFY_ORGANISATION,
    Action.UNVERIFY_ORGANISATION: Action.VERIFY_ORGANISATION,
}
UNDO_ONLY = (
    Action.UNVERIFY_NOTABLE,
    Action.UNAPPROVE,
    Action.HOLD,
    Action.UNVERIFY_ORGANISATION,
)


def signatures_moderate(
    *,
    letter: Letter,
    actor,
    action: str,
    signature_ids: Iterable[int],
    reason: str = "",
    undoes: AuditEntry | None = None,
) -> AuditEntry:
    """Apply `action` to those of `signature_ids` (of this letter) it applies to, in batches
    of 500 rows locked for update. Returns the audit entry, with how many changed."""
    transition = TRANSITIONS[action]
    ids = sorted(set(signature_ids))
    changed: list[int] = []
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            rows = list(
                Signature.objects.select_for_update()
                .filter(transition.applies_to, letter=letter, pk__in=ids[start : start + BATCH])
                .order_by("pk")
            )
            journal: list[TallyChange] = []
            for signature in rows:
                before = Standing.of(signature)
                transition.apply(signature, reason)
                journal += tally_changes(signature=signature, before=before)
            Signature.objects.bulk_update(rows, transition.fields)
            TallyChange.objects.bulk_create(journal)
            changed += [signature.pk for signature in rows]
    entry = AuditEntry.objects.create(
        letter=letter,
        actor=actor,
        action=action,
        signature_ids=changed,
        changed=len(changed),
        reason=reason[:300],
        undoes=undoes,
    )
    transaction.on_commit(lambda: schedule_tally_fold(letter.pk))
    if action == Action.VERIFY_NOTABLE and changed:
        # Their names stay protected, and signatures already using them are held.
        names = list(Signature.objects.filter(pk__in=changed).values_list("name", flat=True))
        protect(letter, names)
        holds_recheck_soon(letter.pk, names)
    return entry


def can_undo(entry: AuditEntry) -> bool:
    return entry.action in UNDO and entry.changed > 0 and not hasattr(entry, "undone_by")


def moderation_undo(*, entry: AuditEntry, actor) -> AuditEntry | None:
    """Undo a bulk action on the signatures it changed (restore what it removed, unmark what
    it marked…), in one transaction; audited as its own entry. None if it was undone
    already (or cannot be)."""
    with transaction.atomic():
        entry = AuditEntry.objects.select_for_update().get(pk=entry.pk)
        if not can_undo(entry):
            return None
        return signatures_moderate(
            letter=entry.letter,
            actor=actor,
            action=UNDO[entry.action],
            signature_ids=entry.signature_ids,
            reason=f"undo of #{entry.pk}",
            undoes=entry,
        )


# What the organisers' queue offers, labelled by AuditEntry.Action.
BULK_ACTIONS = [(action, Action(action).label) for action in TRANSITIONS if action not in UNDO_ONLY]


def verification_clear(*, signature: Signature, why: str) -> None:
    """An organiser verified this person; the signature changed hands or was withdrawn, so
    the badge goes (the caller saves the row) and the audit log says why."""
    signature.notable_verified = False
    AuditEntry.objects.create(
        letter_id=signature.letter_id,
        actor=None,
        action=Action.VERIFICATION_CLEARED,
        signature_ids=[signature.pk],
        changed=1,
        reason=why[:300],
    )
