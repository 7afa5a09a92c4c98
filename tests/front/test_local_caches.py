"""Letters and blocks are kept a few seconds per process; a save clears them at once."""

import pytest

from petition.selectors import letter_by_slug
from signatures.defences import blocked_reason
from signatures.models import Block

pytestmark = pytest.mark.django_db


def test_a_saved_letter_is_seen_at_once(letter, settings, django_assert_num_queries):
    settings.LOCAL_CACHE_SECONDS = 60
    assert letter_by_slug(letter.slug).may_sign()
    with django_assert_num_queries(0):
        cached = letter_by_slug(letter.slug)
        assert [p.key for p in cached.professions.all()][0] == "illustrator"
    letter.state = "closed"
    letter.save()
    assert not letter_by_slug(letter.slug).may_sign()
    letter.texts.filter(language="en").update(title="Renamed")  # no signal: still cached
    assert letter_by_slug(letter.slug).title("en") != "Renamed"
    text = letter.texts.get(language="en")
    text.save()  # a text saved through the model clears the copies too
    assert letter_by_slug(letter.slug).title("en") == "Renamed"


def test_callers_get_their_own_copy(letter):
    mine = letter_by_slug(letter.slug)
    mine.organiser_name = "Changed here only"
    assert letter_by_slug(letter.slug).organiser_name != "Changed here only"


def test_a_new_block_applies_to_the_next_signature(letter):
    assert blocked_reason(letter=letter, email="a@spam.example", ip="203.0.113.9") is None
    Block.objects.create(letter=letter, kind="network", value="203.0.113.0/24")
    reason = blocked_reason(letter=letter, email="a@ok.example", ip="203.0.113.9")
    assert reason == "blocked network 203.0.113.0/24"
    # An IPv6 signer is not matched against an IPv4 network, and does not break the check.
    assert blocked_reason(letter=letter, email="a@ok.example", ip="2001:db8::1") is None
    Block.objects.all().delete()
    assert blocked_reason(letter=letter, email="a@ok.example", ip="203.0.113.9") is None
