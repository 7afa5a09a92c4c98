"""Every bulk action can be undone from its audit entry, once, itself audited; the count
follows."""

import pytest

from petition.models import AuditEntry
from signatures.counting import letter_count, tally_fold, tally_recount
from signatures.models import Signature
from signatures.moderation import moderation_undo, signatures_moderate

from ..factories import SignatureFactory

pytestmark = pytest.mark.django_db


def _count(letter) -> int:
    tally_fold(letter_id=letter.pk)
    return letter_count(letter=letter).signatures


def test_undoing_a_bulk_remove_restores_exactly_what_it_removed(cast, as_user):
    letter = cast["letter"]
    bots = SignatureFactory.create_batch(4, letter=letter, country="VA")
    SignatureFactory.create_batch(2, letter=letter, country="GB")
    removed_before = SignatureFactory(letter=letter, state=Signature.State.REMOVED, country="VA")
    tally_recount(letter_id=letter.pk)  # factories write rows, not counts
    client = as_user(cast["bob"])
    client.post(
        f"/organise/letters/{letter.slug}/?country=VA",
        {"action": "remove", "reason": "bots", "all_matching": "on", "confirmed": "on"},
    )
    assert _count(letter) == 2
    entry = AuditEntry.objects.get(action="remove")
    page = client.get(f"/organise/letters/{letter.slug}/audit/{entry.pk}/undo/")
    assert page.status_code == 200 and "4 signatures" in page.content.decode()
    assert _count(letter) == 2  # the GET changed nothing
    response = client.post(f"/organise/letters/{letter.slug}/audit/{entry.pk}/undo/")
    assert response.status_code == 302
    assert _count(letter) == 6
    assert set(Signature.objects.filter(state="confirmed").values_list("pk", flat=True)) >= {
        b.pk for b in bots
    }
    removed_before.refresh_from_db()
    assert removed_before.state == Signature.State.REMOVED  # not this action's doing
    undo = AuditEntry.objects.get(undoes=entry)
    assert (undo.action, undo.changed, undo.actor) == ("restore", 4, cast["bob"])
    # Once only.
    client.post(f"/organise/letters/{letter.slug}/audit/{entry.pk}/undo/")
    assert AuditEntry.objects.filter(action="restore").count() == 1
    audit = client.get(f"/organise/letters/{letter.slug}/audit/").content.decode()
    assert "Undone" in audit


@pytest.mark.parametrize(
    ("action", "inverse", "field", "before", "after"),
    [
        ("mark_notable", "unmark_notable", "notable", False, True),
        ("verify_notable", "unverify_notable", "notable_verified", False, True),
        ("approve", "unapprove", "approved", False, True),
    ],
)
def test_each_bulk_action_has_its_undo(letter, action, inverse, field, before, after):
    rows = SignatureFactory.create_batch(3, letter=letter, **{field: before})
    entry = signatures_moderate(
        letter=letter, actor=None, action=action, signature_ids=[r.pk for r in rows]
    )
    assert all(getattr(Signature.objects.get(pk=r.pk), field) == after for r in rows)
    undo = moderation_undo(entry=entry, actor=None)
    assert undo.action == inverse and undo.changed == 3
    assert all(getattr(Signature.objects.get(pk=r.pk), field) == before for r in rows)
    assert moderation_undo(entry=entry, actor=None) is None


def test_other_letters_entries_and_settings_entries_cannot_be_undone(cast, as_user):
    other = cast["other"]
    entry = signatures_moderate(
        letter=other,
        actor=None,
        action="mark_notable",
        signature_ids=[SignatureFactory(letter=other).pk],
    )
    bob = as_user(cast["bob"])
    assert (
        bob.get(f"/organise/letters/{cast['letter'].slug}/audit/{entry.pk}/undo/").status_code
        == 404
    )
    assert bob.post(f"/organise/letters/{other.slug}/audit/{entry.pk}/undo/").status_code == 404
    settings_entry = AuditEntry.objects.create(letter=cast["letter"], action="settings")
    response = bob.post(f"/organise/letters/{cast['letter'].slug}/audit/{settings_entry.pk}/undo/")
    assert response.status_code == 302 and not AuditEntry.objects.filter(undoes=settings_entry)
