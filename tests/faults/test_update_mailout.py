"""An update to hundreds of signers through a real Celery worker to a real SMTP server in
this process: each consenting signer gets one copy, even when the worker is SIGKILLed
mid-send or the server defers everything for a while; nobody else gets anything."""

import time
from collections import defaultdict

import pytest

from config.celery import app as celery_app
from signatures.models import Signature
from updates.models import Update
from updates.sending import send_updates_sweep_task, update_start

from ..factories import LetterFactory, ProfessionFactory, SignatureFactory
from ..processes import wait_for
from ..updates.conftest import write_update

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FAST = {
    "UPDATES_PER_MINUTE": "600000",
    "UPDATE_TICK_SECONDS": "1",
    "UPDATE_RETRY_SECONDS": "1",
    "UPDATE_LEASE_SECONDS": "2",
    "UPDATE_STALL_SECONDS": "1",
    "UPDATE_BATCH_SIZE": "20",
}


def _audience(n: int):
    letter = LetterFactory(slug="mail-out")
    profession = ProfessionFactory(letter=letter, key="novelist")
    wanted = SignatureFactory.create_batch(
        n, letter=letter, profession=profession, updates=True, language="en"
    )
    unwanted = [
        SignatureFactory(letter=letter, profession=profession, updates=False),
        SignatureFactory(
            letter=letter, profession=profession, updates=True, state=Signature.State.PENDING
        ),
        SignatureFactory(
            letter=letter, profession=profession, updates=True, state=Signature.State.WITHDRAWN
        ),
        SignatureFactory(
            letter=letter, profession=profession, updates=True, state=Signature.State.REMOVED
        ),
    ]
    return letter, wanted, unwanted


def _worker(background, smtp_server, name: str):
    background(
        name,
        "worker",
        "-Q",
        "updates",
        "--pool",
        "solo",
        "-n",
        f"{name}@%h",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "INFO",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_server.port),
        EMAIL_USE_TLS="0",
        EMAIL_TIMEOUT="5",
        **FAST,
    )
    wait_for(lambda: celery_app.control.ping(timeout=0.5), timeout=60, what=f"worker {name}")


def _sent(update: Update) -> bool:
    update.refresh_from_db()
    if update.state == Update.State.SENT:
        return True
    send_updates_sweep_task.delay()  # what beat does every UPDATE_SWEEP_SECONDS
    return False


def _copies(smtp_server) -> dict[str, list[str]]:
    """recipient → the Message-IDs of what the server accepted for them."""
    copies = defaultdict(list)
    for message in smtp_server.handler.received:
        copies[str(message["To"])].append(str(message["Message-ID"]))
    return copies


def test_an_update_reaches_every_consenting_signer_exactly_once(background, smtp_server):
    letter, wanted, unwanted = _audience(500)
    _worker(background, smtp_server, "updates")
    update = write_update(letter)
    began = time.monotonic()
    assert update_start(update.pk)
    wait_for(lambda: _sent(update), timeout=120, what="the update to go out", every=0.5)
    seconds = time.monotonic() - began
    copies = _copies(smtp_server)
    assert sorted(copies) == sorted(s.email for s in wanted)
    assert all(len(ids) == 1 for ids in copies.values())
    assert not {s.email for s in unwanted} & set(copies)
    assert update.recipients == 500
    print(f"500 messages in {seconds:.1f} s through one worker")


def test_a_worker_killed_mid_send_and_restarted_leaves_one_copy_each(background, smtp_server):
    letter, wanted, _unwanted = _audience(300)
    smtp_server.handler.delay = 0.01  # a slower server: the kill lands mid-batch
    _worker(background, smtp_server, "first")
    update = write_update(letter)
    assert update_start(update.pk)
    wait_for(lambda: len(smtp_server.handler.received) >= 60, timeout=60, what="sending to begin")
    background.processes["first"].kill()  # SIGKILL: no goodbye, its batch still claimed
    background.processes["first"].wait(timeout=10)
    at_kill = len(smtp_server.handler.received)
    assert at_kill < 300
    _worker(background, smtp_server, "second")
    wait_for(lambda: _sent(update), timeout=120, what="the rest after the restart", every=0.5)
    copies = _copies(smtp_server)
    assert sorted(copies) == sorted(s.email for s in wanted)
    # One message each: a re-send (only the one in flight at the kill can be re-sent) has
    # the same Message-ID, which mail providers and clients show once.
    assert all(len(set(ids)) == 1 for ids in copies.values())
    resent = sum(len(ids) for ids in copies.values()) - len(copies)
    assert resent <= 1
    print(f"killed after {at_kill} messages; {resent} re-sent with its Message-ID")


def test_a_server_deferring_for_a_while_loses_no_one(background, smtp_server):
    letter, wanted, _unwanted = _audience(200)
    smtp_server.handler.replies = {"example.org": "451 4.7.1 try again later"}
    _worker(background, smtp_server, "updates")
    update = write_update(letter)
    assert update_start(update.pk)
    time.sleep(3)  # several retries meet the deferral
    assert smtp_server.handler.received == []
    smtp_server.handler.replies = {}
    wait_for(lambda: _sent(update), timeout=120, what="the update after the deferral", every=0.5)
    copies = _copies(smtp_server)
    assert sorted(copies) == sorted(s.email for s in wanted)
    assert all(len(ids) == 1 for ids in copies.values())
