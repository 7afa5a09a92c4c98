"""What counts is defined once (COUNTED); `Signature.counts`, for a row in hand, agrees."""

import itertools

import pytest

from signatures.models import COUNTED, Signature

from ..factories import SignatureFactory

pytestmark = pytest.mark.django_db


def test_the_row_property_and_the_query_agree_on_every_state(letter):
    profession = letter.professions.first()
    rows = [
        SignatureFactory(letter=letter, profession=profession, state=state, approved=approved)
        for state, approved in itertools.product(Signature.State.values, (True, False))
    ]
    counted = set(Signature.objects.filter(COUNTED).values_list("pk", flat=True))
    assert {row.pk for row in rows if row.counts} == counted
    assert len(counted) == 1  # confirmed and approved, nothing else


def test_the_organisers_state_counts_follow_the_same_rule(letter):
    from signatures.selectors import state_counts

    profession = letter.professions.first()
    for state, approved, n in [
        ("pending", True, 2),
        ("confirmed", True, 3),
        ("confirmed", False, 1),
        ("withdrawn", True, 1),
        ("removed", True, 4),
    ]:
        SignatureFactory.create_batch(
            n, letter=letter, profession=profession, state=state, approved=approved
        )
    assert state_counts(letter=letter) == {
        "pending": 2,
        "awaiting": 1,
        "counted": 3,
        "withdrawn": 1,
        "removed": 4,
    }
