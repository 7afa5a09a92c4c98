"""Redis (the broker, the cache, the rate-limit store) goes away under load and comes back:
the workers survive it, the public count catches up within seconds, and nothing is lost."""

import threading
import time

import pytest
from django.db import connection

from signatures import signing
from signatures.counting import letter_count
from signatures.models import Signature

from ..factories import LetterFactory, ProfessionFactory, SignatureFactory
from ..processes import wait_for
from .conftest import start_like_the_stack

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _confirm_steadily(ids: list[int], stop: threading.Event, per_second: float) -> None:
    try:
        for signature_id in ids:
            if stop.is_set():
                return
            signing.signature_confirm(signature_id=signature_id, version=1)
            time.sleep(1 / per_second)
    finally:
        connection.close()


def test_workers_survive_a_redis_outage_and_the_count_catches_up(
    background, redis_server, tmp_path
):
    letter = LetterFactory(slug="outage")
    profession = ProfessionFactory(letter=letter, key="novelist")
    pending = SignatureFactory.create_batch(
        240, letter=letter, profession=profession, state="pending", confirmed_at=None
    )
    start_like_the_stack(background, tmp_path)

    stop = threading.Event()
    confirming = threading.Thread(
        target=_confirm_steadily, args=([s.pk for s in pending], stop, 20.0)
    )
    confirming.start()
    time.sleep(3)
    redis_server.stop()  # killed mid-load, as in the fault run
    time.sleep(8)
    redis_server.start()
    confirming.join(timeout=60)
    stop.set()

    counted = Signature.objects.filter(letter=letter).counted().count()
    assert counted == 240
    started = time.monotonic()
    wait_for(
        lambda: letter_count(letter=letter).signatures == counted,
        timeout=15,
        what="the count to catch up after Redis came back",
    )
    caught_up = time.monotonic() - started
    for name, process in background.processes.items():
        log = (tmp_path / f"{name}.log").read_text()
        assert process.poll() is None, f"{name} exited during the outage:\n{log[-3000:]}"
    print(f"count caught up {caught_up:.1f} s after the last confirmation")
