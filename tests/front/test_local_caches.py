"""Letters and blocks are kept a few seconds per process; a save clears them at once."""

import pytest

from letters.selectors import letter_by_slug
from signatures.defences import blocked_reason
from signatures.models import Block

pytestmark = pytest.mark.django_db


def test_a_saved_letter_is_seen_at_once(letter, settings, django_assert_num_queries):
    settings.LOCAL_CACHE_SECONDS = 60
    assert letter_by_slug(letter.slug).is_open
    with django_assert_num_queries(0):
        cached = letter_by_slug(letter.slug)
        assert [p.key for p in cached.professions.all()][0] == "illustrator"
    letter.is_open = False
    letter.save()
    assert not letter_by_slug(letter.slug).is_open


def test_callers_get_their_own_copy(letter):
    mine = letter_by_slug(letter.slug)
    mine.title_en = "Changed here only"
    assert letter_by_slug(letter.slug).title_en != "Changed here only"


def test_a_new_block_applies_to_the_next_signature(letter):
    assert blocked_reason(letter=letter, email="a@spam.example", ip="203.0.113.9") is None
    Block.objects.create(letter=letter, kind="network", value="203.0.113.0/24")
    reason = blocked_reason(letter=letter, email="a@ok.example", ip="203.0.113.9")
    assert reason == "blocked network 203.0.113.0/24"
    # An IPv6 signer is not matched against an IPv4 network, and does not break the check.
    assert blocked_reason(letter=letter, email="a@ok.example", ip="2001:db8::1") is None
    Block.objects.all().delete()
    assert blocked_reason(letter=letter, email="a@ok.example", ip="203.0.113.9") is None
