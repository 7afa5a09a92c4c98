"""publish_at and closes_at act on time with nobody present: pages and the API follow the
clock at once, and beat's task writes the moves down and audits them. The clock is frozen
and moved by hand (time-machine)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache

from config.beat import beat_schedule
from petition.life import schedule_apply, schedule_apply_task
from petition.models import AuditEntry, Letter
from signatures.counting import letter_count_json, tally_recount
from signatures.models import Signature

from ..conftest import links_in
from ..factories import LetterFactory, ProfessionFactory
from .conftest import make_user

pytestmark = pytest.mark.django_db

LAUNCH = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
CLOSE = LAUNCH + timedelta(days=7)


@pytest.fixture
def scheduled(db):
    letter = LetterFactory(slug="launch-day", state="private", publish_at=LAUNCH, closes_at=CLOSE)
    ProfessionFactory(letter=letter, key="novelist")
    return letter


def _page(client, letter):
    cache.clear()
    return client.get(f"/letters/{letter.slug}/")


def test_the_letter_publishes_and_closes_on_time(scheduled, client, sign_data, visit):
    letter = scheduled
    data = {**sign_data, "profession": "novelist"}
    with time_machine.travel(LAUNCH - timedelta(minutes=1), tick=False):
        assert _page(client, letter).status_code == 404
        assert schedule_apply() == 0

    with time_machine.travel(LAUNCH + timedelta(seconds=1), tick=False):
        # Before any worker has run: the page, the API and the index follow the clock.
        page = _page(client, letter)
        assert page.status_code == 200 and "X-Robots-Tag" not in page
        assert "Signatures close on" in page.content.decode()
        assert client.get(f"/api/letters/{letter.slug}/count").status_code == 200
        assert letter.slug in client.get("/letters/").content.decode()
        assert Letter.objects.get(pk=letter.pk).state == "private"
        # Then beat's task writes it down, once.
        assert schedule_apply_task.apply().get() == 1
        assert schedule_apply() == 0
        stored = Letter.objects.get(pk=letter.pk)
        assert stored.state == "published" and stored.published_on == LAUNCH.date()
        # A signature made now, confirmed only after the letter closes.
        assert visit(f"/letters/{letter.slug}/sign/", "post", data).status_code == 303
        confirm = links_in(mail.outbox[-1])["confirm"]

    with time_machine.travel(CLOSE + timedelta(seconds=1), tick=False):
        page = _page(client, letter).content.decode()
        assert "no longer accepts signatures" in page and 'class="sign-form"' not in page
        late = {**data, "email": "late@example.org"}
        assert visit(f"/letters/{letter.slug}/sign/", "post", late).status_code == 403
        assert (
            "This letter is closed."
            in client.get(f"/letters/{letter.slug}/embed/").content.decode()
        )
        # The earlier signature still counts when confirmed after closing (the contract).
        assert visit(confirm).status_code == 200
        assert Signature.objects.get(email="ada@example.org").state == Signature.State.CONFIRMED
        tally_recount(letter_id=letter.pk)
        cache.clear()
        assert letter_count_json(slug=letter.slug)["signatures"] == 1
        assert schedule_apply() == 1
        assert Letter.objects.get(pk=letter.pk).state == "closed"
        assert letter.slug not in client.get("/letters/").content.decode()
        assert f"/letters/{letter.slug}/" in client.get("/sitemap.xml").content.decode()

    moves = AuditEntry.objects.filter(letter=letter, action="state", actor=None)
    assert [m.detail for m in moves.order_by("pk")] == [
        "private → published (scheduled)",
        "published → closed (scheduled)",
    ]


def test_owners_set_the_schedule_and_bad_times_are_a_400(scheduled, as_user):
    letter = scheduled
    owner = make_user("olga")
    letter.organisers.create(user=owner, role="owner")
    url = f"/organise/letters/{letter.slug}/publishing/"
    with time_machine.travel(LAUNCH - timedelta(days=2), tick=False):
        client = as_user(owner)  # signed in at this time (a session from today has expired)
        good = {"action": "schedule", "publish_at": "2027-03-02T10:00", "closes_at": ""}
        response = client.post(url, good)
        assert response.status_code == 302 and response["Location"] == url
        letter.refresh_from_db()
        assert letter.publish_at == datetime(2027, 3, 2, 10, 0, tzinfo=UTC)
        assert letter.closes_at is None
        assert AuditEntry.objects.filter(letter=letter, action="letter_schedule").exists()
        for bad in (
            {"publish_at": "2020-01-01T00:00"},  # the past
            {"publish_at": "not a time"},
            {"publish_at": "2027-03-05T10:00", "closes_at": "2027-03-04T10:00"},  # before
        ):
            response = client.post(url, {"action": "schedule", "closes_at": "", **bad})
            assert response.status_code == 400
            assert "Please correct the highlighted fields." in response.content.decode()


def test_publishing_by_hand_before_the_time_drops_the_scheduled_time(scheduled, as_user):
    letter = scheduled
    owner = make_user("omar")
    letter.organisers.create(user=owner, role="owner")
    with time_machine.travel(LAUNCH - timedelta(days=1), tick=False):
        url = f"/organise/letters/{letter.slug}/publishing/"
        moved = as_user(owner).post(url, {"action": "move", "to": "published", "confirmed": "1"})
        assert moved.status_code == 302 and moved["Location"] == url
    letter.refresh_from_db()
    assert letter.state == "published" and letter.publish_at is None
    assert letter.closes_at == CLOSE


def test_the_schedule_task_is_in_beats_schedule():
    entry = beat_schedule()["apply-letter-schedules"]
    assert entry["task"] == schedule_apply_task.name


def test_a_new_time_never_takes_back_a_move_the_clock_made(scheduled, as_user):
    letter = scheduled
    owner = make_user("oona")
    letter.organisers.create(user=owner, role="owner")
    url = f"/organise/letters/{letter.slug}/publishing/"
    with time_machine.travel(LAUNCH + timedelta(seconds=5), tick=False):
        client = as_user(owner)
        # Published by the clock, not yet written down; the owner clears publish_at.
        data = {"action": "schedule", "publish_at": "", "closes_at": "2027-03-08T09:00"}
        assert client.post(url, data).status_code == 302
        letter.refresh_from_db()
        assert letter.state == "published" and letter.publish_at is None
        assert letter.current_state() == "published"
        far = {"action": "schedule", "publish_at": "", "closes_at": "9999-12-31T23:59"}
        assert client.post(url, far).status_code == 400
