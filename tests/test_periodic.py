"""`make run` has no beat: config/periodic.py runs beat's schedule in-process, so a scheduled
update goes out there too."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from config import periodic
from config.beat import beat_schedule
from updates.models import Update

from .updates.conftest import consenting, write_update

pytestmark = pytest.mark.django_db


def test_every_entry_runs_when_due_and_not_before(letter):
    next_runs: dict[str, float] = {}
    assert sorted(periodic.run_due(next_runs, now=1000.0)) == sorted(beat_schedule())
    assert periodic.run_due(next_runs, now=1000.5) == []  # none is due again yet
    assert "send-updates" in periodic.run_due(next_runs, now=1000.0 + 3600)


def test_a_scheduled_update_goes_out_without_beat(letter, django_capture_on_commit_callbacks):
    consenting(letter, 2)
    update = write_update(letter)
    past = timezone.now() - timedelta(minutes=1)
    Update.objects.filter(pk=update.pk).update(state=Update.State.SCHEDULED, send_at=past)
    with django_capture_on_commit_callbacks(execute=True):
        periodic.run_due({}, now=0.0)
    update.refresh_from_db()
    assert update.state == Update.State.SENT and len(mail.outbox) == 2


def test_make_run_starts_it():
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    assert "python -m config.periodic &" in makefile
