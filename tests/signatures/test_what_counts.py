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
