"""The outbox of one-off emails (petition/mail.py): invitations, account mail and test
updates are kept until a mail server accepts them, in the recipient's language, once each."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ops.emails import render_email
from petition import mail as mail_outbox
from petition.mail import mail_queue, mail_send_due
from petition.models import OutgoingMail
from petition.organisers import organiser_invite

pytestmark = pytest.mark.django_db


def _message(to="dana@example.org"):
    return {"subject": "Hello", "body": "Text", "html": "", "from_email": "a@b.c", "to": [to]}


def test_an_invitation_is_kept_then_sent_in_the_invitees_language(
    letter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        organiser_invite(
            letter=letter,
            email="Dana@Example.org",
            role="moderator",
            invited_by=None,
            language="ar",
        )
    row = OutgoingMail.objects.get(kind="invitation")
    assert row.state == OutgoingMail.State.SENT and row.letter == letter
    message = mail.outbox[-1]
    assert message.to == ["dana@example.org"]
    assert "دعاك" in message.body or "مدعو" in message.subject
    html = message.alternatives[0][0]
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.extra_headers["Message-ID"] == f"<mail-{row.pk}@testserver>"


def test_once_sent_only_the_subject_is_kept(db):
    mail_queue(_message(), kind="account")
    mail_send_due()
    row = OutgoingMail.objects.get()
    assert row.message == {"subject": "Hello"} and row.sent_at is not None


def test_a_rolled_back_request_sends_nothing(db, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            mail_queue(_message(), kind="account")
            raise RuntimeError
    assert OutgoingMail.objects.count() == 0 and mail.outbox == []


def test_a_mail_server_away_keeps_the_mail_for_a_later_try(db, monkeypatch):
    def away(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(mail_outbox, "send_rendered", away)
    mail_queue(_message(), kind="invitation")
    assert mail_send_due() == 0
    row = OutgoingMail.objects.get()
    assert row.state == OutgoingMail.State.DUE and row.attempts == 1
    assert row.due_at > timezone.now() + timedelta(seconds=20)  # backed off, not hammered
    monkeypatch.undo()
    OutgoingMail.objects.update(due_at=timezone.now())
    assert mail_send_due() == 1 and len(mail.outbox) == 1


def test_a_permanent_refusal_is_recorded_and_not_tried_again(db, monkeypatch):
    def refused(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"x@y.z": (550, b"no such user")})

    monkeypatch.setattr(mail_outbox, "send_rendered", refused)
    mail_queue(_message("x@y.z"), kind="invitation")
    mail_send_due()
    row = OutgoingMail.objects.get()
    assert row.state == OutgoingMail.State.FAILED and "no such user" in row.failure
    monkeypatch.undo()
    assert mail_send_due() == 0


def test_a_dead_workers_claim_runs_out_and_the_mail_goes_once(db, settings):
    mail_queue(_message(), kind="account")
    claimed = mail_outbox.mail_claim(limit=10)  # a worker that dies before sending
    assert len(claimed) == 1 and mail_outbox.mail_claim(limit=10) == []
    OutgoingMail.objects.update(claimed_at=timezone.now() - timedelta(seconds=301))
    assert mail_send_due() == 1 and mail_send_due() == 0
    assert len(mail.outbox) == 1


def test_account_mail_goes_through_the_outbox(visit, db, django_user_model):
    django_user_model.objects.create_user("erin", "erin@example.org", "a-long-password-1")
    visit("/accounts/password/reset/", "post", {"email": "erin@example.org"})
    row = OutgoingMail.objects.get(kind="account")
    assert row.state == OutgoingMail.State.SENT and mail.outbox[-1].to == ["erin@example.org"]


def test_render_email_takes_the_recipients_language(letter):
    message = render_email(
        "invitation",
        to="a@b.c",
        context={"letter_title": "T", "role": "owner", "invited_by": "x", "link": "L"},
        language="fr",
    )
    assert "Vous êtes invité" in message["subject"] or "invité" in message["subject"]


def test_a_refused_mail_keeps_no_body(db, monkeypatch):
    def refused(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"x@y.z": (550, b"5.1.1 <x@y.z> no such user")})

    monkeypatch.setattr(mail_outbox, "send_rendered", refused)
    mail_queue({**_message("x@y.z"), "body": "https://site/reset/SECRET"}, kind="account")
    mail_send_due()
    row = OutgoingMail.objects.get()
    assert row.message == {"subject": "Hello"} and "SECRET" not in str(row.message)
    assert "x@y.z" not in row.failure and "[address]" in row.failure


def test_no_password_mail_goes_to_an_address_without_an_account(visit, db):
    visit("/accounts/password/reset/", "post", {"email": "nobody@example.org"})
    assert not OutgoingMail.objects.exists() and mail.outbox == []
