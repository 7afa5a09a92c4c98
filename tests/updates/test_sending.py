"""Sending an update in-process: who receives it, in which language, with which headers,
exactly once; refusals recorded; the schedule kept by beat's sweep."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from signatures import signing
from signatures.models import Signature
from updates import selectors, sending, writing
from updates.models import Delivery, Update

from ..factories import SignatureFactory
from .conftest import consenting, write_update

pytestmark = pytest.mark.django_db


def start(update, capture):
    with capture(execute=True):  # the sending task runs on commit, in-process here
        assert sending.update_start(update.pk)
    update.refresh_from_db()
    return update


def test_only_counted_consenting_signers_receive_it_once_each(
    letter, django_capture_on_commit_callbacks
):
    wanted = consenting(letter, 3)
    SignatureFactory(letter=letter, updates=False)  # did not tick the box
    SignatureFactory(letter=letter, updates=True, state=Signature.State.PENDING)
    SignatureFactory(letter=letter, updates=True, state=Signature.State.WITHDRAWN)
    SignatureFactory(letter=letter, updates=True, state=Signature.State.REMOVED)
    SignatureFactory(letter=letter, updates=True, approved=False)  # awaiting approval
    SignatureFactory(letter=letter, updates=True, updates_refused_at=timezone.now())
    other = consenting(SignatureFactory().letter, 1)  # another letter's signer
    update = start(write_update(letter), django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in wanted)
    assert update.state == Update.State.SENT and update.recipients == 3
    assert other[0].email not in [m.to[0] for m in mail.outbox]
    # Starting again, or the sweep, sends nobody a second copy.
    assert not sending.update_start(update.pk)
    sending.send_updates_sweep_task()
    assert len(mail.outbox) == 3


def test_each_signer_gets_their_language_or_the_first(letter, django_capture_on_commit_callbacks):
    english, arabic, french = (
        consenting(letter, 1, language=language)[0] for language in ("en", "ar", "fr")
    )
    start(write_update(letter), django_capture_on_commit_callbacks)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[english.email] == "The consultation answered"
    assert subjects[arabic.email] == "ردّت الاستشارة"
    assert subjects[french.email] == "The consultation answered"  # no French text: the first
    arabic_html = next(m for m in mail.outbox if m.to[0] == arabic.email).alternatives[0][0]
    assert 'lang="ar" dir="rtl"' in arabic_html and "<strong>اليوم</strong>" in arabic_html


def test_the_message_carries_what_bulk_mail_needs(
    letter, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BOUNCE_ADDRESS = "bounces@letters.example"
    signer = consenting(letter, 1)[0]
    update = start(write_update(letter), django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    headers = message.message()
    assert message.from_email == "bounces@letters.example"  # the envelope sender
    assert headers["From"] == settings.DEFAULT_FROM_EMAIL
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith(f"<http://testserver/letters/{letter.slug}/")
    assert headers["Message-ID"] == f"<update-{update.pk}.{signer.pk}@testserver>"
    assert headers["Precedence"] == "bulk" and headers["Date"]
    assert message.body.startswith("The government **replied** today.")  # plain text
    assert "/unsubscribe/" in message.body
    html = message.alternatives[0][0]
    assert "<strong>replied</strong>" in html and "/unsubscribe/" in html
    assert "<img" not in html  # no tracking pixel


def test_the_body_is_sanitised_as_the_statement_is(letter, django_capture_on_commit_callbacks):
    consenting(letter, 1)
    texts = {"en": ("News", "Hi <script>alert(1)</script> [x](javascript:alert(1))")}
    start(write_update(letter, texts=texts), django_capture_on_commit_callbacks)
    html = mail.outbox[0].alternatives[0][0]
    assert "<script" not in html and "javascript:" not in html


def test_someone_who_leaves_after_the_start_is_skipped(letter):
    stays, leaves, withdraws = consenting(letter, 3)
    update = write_update(letter)
    sending.update_start(update.pk)  # on-commit work not run: nothing sent yet
    signing.signature_set_updates(signature_id=leaves.pk, wanted=False)
    signing.signature_withdraw(signature_id=withdraws.pk)
    sending.send_update_task(update.pk)
    assert [m.to[0] for m in mail.outbox] == [stays.email]
    states = dict(Delivery.objects.values_list("signature_id", "state"))
    assert states == {stays.pk: "sent", leaves.pk: "skipped", withdraws.pk: "skipped"}


def test_a_tick_sends_at_most_its_budget(letter, settings):
    settings.UPDATES_PER_MINUTE = 60
    settings.UPDATE_TICK_SECONDS = 5  # 60/min in ticks of 5 s: 5 a tick
    settings.UPDATE_BATCH_SIZE = 2
    consenting(letter, 12)
    update = write_update(letter)
    sending.update_start(update.pk)
    assert sending.tick_budget() == 5
    run = sending.update_send(update.pk, most=sending.tick_budget())
    assert (run.sent, run.more_due) == (5, True)
    assert len(mail.outbox) == 5


def test_beat_starts_a_scheduled_update_when_its_time_comes(letter, settings):
    consenting(letter, 2)
    update = write_update(letter)
    soon = timezone.now() + timedelta(minutes=5)
    Update.objects.filter(pk=update.pk).update(state=Update.State.SCHEDULED, send_at=soon)
    assert sending.updates_due(timezone.now())["start"] == []
    assert sending.updates_due(soon + timedelta(seconds=1))["start"] == [update.pk]
    Update.objects.filter(pk=update.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    sending.send_updates_sweep_task()
    sending.send_update_task(update.pk)  # what the queued task does
    update.refresh_from_db()
    assert update.state == Update.State.SENT and len(mail.outbox) == 2


def test_beat_resumes_an_update_that_stopped_moving(letter, settings):
    consenting(letter, 3)
    update = write_update(letter)
    sending.update_start(update.pk)  # its task message was lost: nothing sent
    settings.UPDATE_STALL_SECONDS = 60
    assert sending.updates_due(timezone.now())["resume"] == []
    later = timezone.now() + timedelta(seconds=61)
    assert sending.updates_due(later)["resume"] == [update.pk]
    Update.objects.filter(pk=update.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    sending.send_updates_sweep_task()  # in-process: the resumed task runs at once
    assert len(mail.outbox) == 3
    update.refresh_from_db()
    assert update.state == Update.State.SENT


def test_a_deferring_server_loses_no_one_and_a_refusal_is_never_tried_again(letter, smtp_server):
    ok = consenting(letter, 1, email="ok@fine.example", email_key="ok@fine.example")[0]
    later = consenting(letter, 1, email="x@slow.example", email_key="x@slow.example")[0]
    gone = consenting(letter, 1, email="gone@old.example", email_key="gone@old.example")[0]
    smtp_server.handler.replies = {
        "slow.example": "451 4.3.0 try later",
        "old.example": "550 5.1.1 no such user",
    }
    update = write_update(letter)
    sending.update_start(update.pk)
    run = sending.update_send(update.pk, most=None)
    assert run.temporary_error  # stopped at the deferral; the rest stays due
    smtp_server.handler.replies = {"old.example": "550 5.1.1 no such user"}
    sending.update_send(update.pk, most=None)
    assert sending.update_finish_if_done(update.pk)
    assert sorted(smtp_server.handler.recipients()) == sorted([ok.email, later.email])
    refused = Delivery.objects.get(signature=gone)
    assert refused.state == "failed" and "no such user" in refused.failure
    gone.refresh_from_db()
    assert gone.updates_refused_at is not None and gone.updates  # consent untouched
    # The next update does not knock on that door again.
    second = write_update(letter)
    sending.update_start(second.pk)
    assert not Delivery.objects.filter(update=second, signature=gone).exists()


def test_a_mail_server_away_at_connect_keeps_everyone_due_and_retries(
    letter, settings, monkeypatch
):
    consenting(letter, 2)
    update = write_update(letter)
    sending.update_start(update.pk)
    queued = []
    monkeypatch.setattr(sending, "enqueue", lambda *a, **k: queued.append((a, k)) or True)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert sending.send_update_task(update.pk, 1) == 0
    assert Delivery.objects.filter(state="due", claimed_at__isnull=True).count() == 2
    [(arguments, options)] = queued
    assert arguments[1:] == (update.pk, 1) and options["countdown"] == settings.UPDATE_RETRY_SECONDS


def test_a_task_of_a_replaced_chain_sends_nothing(letter, settings):
    consenting(letter, 3)
    update = write_update(letter)
    sending.update_start(update.pk)  # chain 1; its task message "lost"
    chain = sending.update_new_chain(update.pk)  # what the sweep does for a stalled update
    assert chain == 2
    assert sending.send_update_task(update.pk, 1) == 0  # the old chain, arriving late
    assert mail.outbox == []
    assert sending.send_update_task(update.pk, 2) == 3


def test_a_slow_server_keeps_the_batch_leased(letter, settings, monkeypatch):
    """Every message slower than a third of the lease: the batch renews its own lease, so
    no other worker takes the rows it is still sending."""
    settings.UPDATE_LEASE_SECONDS = 3
    consenting(letter, 3)
    update = write_update(letter)
    sending.update_start(update.pk)
    clock = iter(range(0, 1000, 2))  # each message takes "2 s"
    monkeypatch.setattr(sending.time, "monotonic", lambda: next(clock))
    renewed = []
    real = sending._renew
    monkeypatch.setattr(sending, "_renew", lambda *a: renewed.append(len(a[1])) or real(*a))
    sending.update_send(update.pk, most=None)
    assert renewed and len(mail.outbox) == 3


def test_asking_again_after_a_refusal_tries_again(letter):
    signer = consenting(letter, 1, updates_refused_at=timezone.now())[0]
    assert signing.signature_set_updates(signature_id=signer.pk, wanted=True)
    signer.refresh_from_db()
    assert signer.updates and signer.updates_refused_at is None


def test_an_update_once_started_cannot_be_edited(letter):
    update = write_update(letter)
    sending.update_start(update.pk)
    texts = {"en": ("Changed", "Changed")}
    assert (
        writing.update_save(letter=letter, actor=None, texts=texts, public=False, update=update)
        is None
    )
    assert update.texts.get(language="en").subject == "The consultation answered"


def test_progress_counts_the_rows_left_after_an_erasure(letter):
    stays, erases = consenting(letter, 2)
    update = write_update(letter)
    sending.update_start(update.pk)
    signing.signature_erase(signature_id=erases.pk)
    sending.send_update_task(update.pk)
    progress = selectors.update_progress(Update.objects.get(pk=update.pk))
    assert (progress.sent, progress.total, progress.percent) == (1, 1, 100)
