"""Mail that arrives (README, "Deliverability"): providers' webhooks for bounces,
complaints and rejections, the suppression list they build, and the headers every email
carries. Payloads as each provider documents them (the shapes anymail parses)."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.core import mail

from petition.models import AuditEntry, MailEvent, Suppression
from signatures.models import Signature

from ..conftest import links_in

pytestmark = pytest.mark.django_db

SECRET = "hook:a-long-webhook-secret"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}
MAILGUN_KEY = "key-for-signing-mailgun-hooks"
TO = "ada@example.org"


@pytest.fixture(autouse=True)
def hooks_on(settings):
    settings.EMAIL_WEBHOOK_SECRET = SECRET
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}


def postmark(kind: str) -> dict:
    record = "SpamComplaint" if kind == "complaint" else "Bounce"
    bounce_type = {"hard": "HardBounce", "soft": "SoftBounce", "complaint": "SpamComplaint"}
    return {
        "RecordType": record,
        "Type": bounce_type[kind],
        "TypeCode": 1,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Email": TO,
        "BouncedAt": "2026-12-06T10:00:00Z",
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Metadata": {"letter": "ai-training"},
    }


def amazon_ses(kind: str) -> tuple[dict, dict]:
    mail_object = {"messageId": "0100-ses", "destination": [TO], "headers": []}
    if kind == "complaint":
        event = {
            "eventType": "Complaint",
            "complaint": {
                "complainedRecipients": [{"emailAddress": TO}],
                "complaintFeedbackType": "abuse",
            },
            "mail": mail_object,
        }
    else:
        event = {
            "eventType": "Bounce",
            "bounce": {
                "bounceType": "Permanent" if kind == "hard" else "Transient",
                "bounceSubType": "General" if kind == "hard" else "MailboxFull",
                "bouncedRecipients": [{"emailAddress": TO, "diagnosticCode": "smtp; 550"}],
            },
            "mail": mail_object,
        }
    sns = {
        "Type": "Notification",
        "MessageId": f"sns-{kind}",
        "TopicArn": "arn:aws:sns:eu-west-1:123456789012:ses-events",
        "Message": json.dumps(event),
        "Timestamp": "2026-12-06T10:00:00.000Z",
    }
    headers = {
        "HTTP_X_AMZ_SNS_MESSAGE_TYPE": "Notification",
        "HTTP_X_AMZ_SNS_MESSAGE_ID": f"sns-{kind}",
    }
    return sns, headers


def mailgun(kind: str) -> dict:
    token, timestamp = "a" * 50, str(int(time.time()))
    signature = hmac.new(MAILGUN_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    event = {"complaint": "complained"}.get(kind, "failed")
    data = {
        "event": event,
        "timestamp": time.time(),
        "id": "mailgun-event",
        "recipient": TO,
        "user-variables": {"letter": "ai-training"},
        "message": {"headers": {"message-id": "mg-1@example.org"}},
    }
    if event == "failed":
        data["severity"] = "permanent" if kind == "hard" else "temporary"
        data["reason"] = "bounce" if kind == "hard" else "generic"
        data["delivery-status"] = {"code": 550, "message": "No such user", "description": ""}
    return {
        "signature": {"token": token, "timestamp": timestamp, "signature": signature.hexdigest()},
        "event-data": data,
    }


def sendgrid(kind: str) -> list[dict]:
    event = {
        "email": TO,
        "timestamp": int(time.time()),
        "event": "spamreport" if kind == "complaint" else "bounce",
        "sg_event_id": f"sg-{kind}",
        "sg_message_id": "sg-message",
        "letter": "ai-training",  # custom args come back beside the event's own keys
    }
    if kind != "complaint":
        event |= {"type": "bounce" if kind == "hard" else "blocked", "reason": "550 5.1.1"}
    return [event]


def brevo(kind: str) -> dict:
    event = {"hard": "hard_bounce", "soft": "soft_bounce", "complaint": "spam"}[kind]
    return {
        "event": event,
        "email": TO,
        "id": 1,
        "date": "2026-12-06 10:00:00",
        "ts_epoch": int(time.time() * 1000),
        "message-id": "<brevo-1@example.org>",
        "reason": "550 No such user",
        "X-Mailin-custom": json.dumps({"letter": "ai-training"}),
    }


def post(client, provider: str, kind: str, *, auth: bool = True):
    extra = dict(AUTH) if auth else {}
    if provider == "amazon_ses":
        body, headers = amazon_ses(kind)
        extra |= headers
    else:
        body = {"postmark": postmark, "mailgun": mailgun, "sendgrid": sendgrid, "brevo": brevo}[
            provider
        ](kind)
    return client.post(
        f"/hooks/email/{provider}/", json.dumps(body), content_type="application/json", **extra
    )


PROVIDERS = ["postmark", "amazon_ses", "mailgun", "sendgrid", "brevo"]


@pytest.fixture
def pending(letter, sign, sign_data):
    sign(letter, sign_data)
    return Signature.objects.get(email=TO)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_hard_bounce_suppresses_the_address_and_tells_the_signer(
    client, provider, pending, letter
):
    assert post(client, provider, "hard").status_code == 200
    suppression = Suppression.objects.get(email_key=TO)
    assert suppression.reason == "bounced" and suppression.lifted_at is None
    assert MailEvent.objects.filter(letter=letter, kind="bounced").count() == 1
    pending.refresh_from_db()
    assert pending.email_failed_at is not None
    body = client.get(f"/letters/{letter.slug}/signed/").content.decode()
    assert "We could not deliver" in body  # the signer's own browser (its sealed cookie)
    assert client.get(f"/letters/{letter.slug}/signed/status").json() == {"undeliverable": True}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_soft_bounce_never_suppresses(client, provider, pending):
    assert post(client, provider, "soft").status_code == 200
    assert not Suppression.objects.exists()
    assert MailEvent.objects.filter(kind="soft").count() == 1
    pending.refresh_from_db()
    assert pending.email_failed_at is None


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_complaint_suppresses(client, provider, pending):
    assert post(client, provider, "complaint").status_code == 200
    assert Suppression.objects.get(email_key=TO).reason == "complained"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_unauthenticated_or_forged_call_changes_nothing(client, provider, pending):
    answer = post(client, provider, "hard", auth=False)
    assert answer.status_code in (400, 401, 403)
    assert not Suppression.objects.exists() and not MailEvent.objects.exists()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_garbage_is_a_400_never_a_500(client, provider):
    for body in ("not json", "[]", "{}", '{"event-data": {}}', json.dumps([{"x": 1}])):
        answer = client.post(
            f"/hooks/email/{provider}/", body, content_type="application/json", **AUTH
        )
        assert answer.status_code < 500, (provider, body)
    assert not Suppression.objects.exists()


def test_without_a_secret_there_are_no_webhooks(client, settings):
    settings.EMAIL_WEBHOOK_SECRET = ""
    assert post(client, "postmark", "hard").status_code == 404
    assert client.post("/hooks/email/nonsense/").status_code == 404


def test_a_suppressed_address_gets_no_confirmation_on_any_letter(
    letter, sign, sign_data, smtp_server
):
    Suppression.objects.create(
        email_key=TO, reason="bounced", provider="Postmark", event_at="2026-12-06T10:00Z"
    )
    sign(letter, sign_data)
    assert smtp_server.handler.received == []  # a real SMTP server received nothing
    signature = Signature.objects.get(email=TO)
    assert signature.email_failure == "suppressed" and signature.email_requested_at is None


def test_a_bounced_signer_signs_again_with_the_right_address_and_confirms(
    client, letter, sign, sign_data, visit
):
    sign(letter, {**sign_data, "email": "ada@exmaple.org"})  # a typo
    post_bounce = {**postmark("hard"), "Email": "ada@exmaple.org"}
    client.post(
        "/hooks/email/postmark/", json.dumps(post_bounce), content_type="application/json", **AUTH
    )
    assert "We could not deliver" in client.get(f"/letters/{letter.slug}/signed/").content.decode()
    mail.outbox.clear()
    sign(letter, sign_data)  # the right address
    assert (
        "We could not deliver" not in client.get(f"/letters/{letter.slug}/signed/").content.decode()
    )
    assert visit(links_in(mail.outbox[-1])["confirm"]).status_code == 200
    assert Signature.objects.get(email=TO).state == Signature.State.CONFIRMED


def test_every_email_says_it_is_automatic_with_a_message_id_on_the_sites_domain(
    letter, sign, sign_data, settings
):
    settings.SITE_URL = "https://letters.example.net"
    sign(letter, sign_data)
    message = mail.outbox[-1].message()
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].rstrip(">").endswith("@letters.example.net")


def test_the_dashboard_shows_the_rates_warns_and_lifts_a_suppression(cast, as_user):
    from ..factories import SignatureFactory

    letter = cast["letter"]
    profession = letter.professions.first()
    for n in range(10):
        SignatureFactory(
            letter=letter, profession=profession, email=f"s{n}@example.org", emails_sent=1
        )
    from petition.deliverability import mail_event_record

    mail_event_record(
        address="s1@example.org",
        kind="bounced",
        provider="Postmark",
        description="550",
        at="2026-12-06T10:00Z",
        letter_ids=[letter.pk],
    )
    client = as_user(cast["alice"])
    page = client.get(f"/organise/letters/{letter.slug}/overview/").content.decode()
    assert "Above 2 % of emails bounce" in page and "s•••@example.org" in page
    assert (
        client.post(
            f"/organise/letters/{letter.slug}/overview/", {"email_key": "s1@example.org"}
        ).status_code
        == 302
    )
    assert Suppression.objects.get(email_key="s1@example.org").lifted_at is not None
    assert AuditEntry.objects.filter(action="lift_suppression", letter=letter).exists()
    assert (
        client.post(
            f"/organise/letters/{letter.slug}/overview/", {"email_key": "nobody@example.org"}
        ).status_code
        == 404
    )


def test_updates_skip_suppressed_addresses_and_reply_to_the_organisers(letter, settings):
    from updates.models import Update, UpdateText
    from updates.sending import update_start

    from ..factories import SignatureFactory

    letter.contact = "press@example.org"
    letter.save()
    profession = letter.professions.first()
    for email in ("keep@example.org", "gone@example.org"):
        SignatureFactory(letter=letter, profession=profession, email=email, updates=True)
    Suppression.objects.create(
        email_key="gone@example.org",
        reason="complained",
        provider="Postmark",
        event_at="2026-12-06T10:00Z",
    )
    update = Update.objects.create(letter=letter)
    UpdateText.objects.create(update=update, language="en", subject="News", body="Hello.")
    update_start(update.pk)
    from updates.sending import send_update_task

    send_update_task.apply(args=[update.pk])
    assert [m.to for m in mail.outbox] == [["keep@example.org"]]
    assert mail.outbox[0].reply_to == ["press@example.org"]


def test_invitations_skip_suppressed_addresses(letter, django_capture_on_commit_callbacks):
    from petition.models import OutgoingMail
    from petition.organisers import organiser_invite

    Suppression.objects.create(
        email_key="dana@example.org",
        reason="bounced",
        provider="Postmark",
        event_at="2026-12-06T10:00Z",
    )
    with django_capture_on_commit_callbacks(execute=True):
        organiser_invite(letter=letter, email="dana@example.org", role="moderator", invited_by=None)
    assert mail.outbox == []
    assert OutgoingMail.objects.get().state == OutgoingMail.State.FAILED


def test_through_a_providers_api_each_email_carries_its_letter(letter, sign, sign_data, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    sign(letter, sign_data)
    assert mail.outbox[-1].metadata == {"letter": letter.slug}


def test_email_provider_chooses_anymails_backend_and_refuses_an_unknown_one():
    import os
    import subprocess
    import sys

    from ..layout import ROOT

    def backend(provider: str) -> subprocess.CompletedProcess:
        code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
        env = {
            **os.environ,
            "EMAIL_PROVIDER": provider,
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        env.pop("EMAIL_BACKEND", None)
        return subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )

    assert backend("postmark").stdout.strip() == "anymail.backends.postmark.EmailBackend"
    refused = backend("carrier-pigeon")
    assert refused.returncode != 0 and "EMAIL_PROVIDER must be one of" in refused.stderr


def test_the_providers_words_are_kept_without_the_address(client, pending):
    payload = {**postmark("hard"), "Description": "550 5.1.1 <ada@example.org> unknown user"}
    client.post(
        "/hooks/email/postmark/", json.dumps(payload), content_type="application/json", **AUTH
    )
    assert "ada@example.org" not in Suppression.objects.get().description
    assert "[address]" in MailEvent.objects.get().description
