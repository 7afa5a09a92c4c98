"""Watched (contract, "Operations"): /metrics in Prometheus text for the holder of
METRICS_TOKEN only; errors to Sentry with no signer's email or name; JSON logs on request."""

import json
import logging

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from ops.observability import scrub, sentry_init

pytestmark = pytest.mark.django_db

TOKEN = "a-long-metrics-token"


def test_metrics_answer_404_without_the_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


def test_metrics_give_the_contracts_figures(client, letter, sign, sign_data, settings, visit):
    from django.core import mail

    from ..conftest import links_in

    settings.METRICS_TOKEN = TOKEN
    sign(letter, sign_data)
    visit(links_in(mail.outbox[-1])["confirm"])
    answer = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/plain")
    text = answer.content.decode()
    for name in (
        "undersigned_http_requests_total",
        "undersigned_http_request_seconds_bucket",
        "undersigned_signings_total",
        "undersigned_confirmations_total",
        "undersigned_confirmation_emails_due",
        "undersigned_confirmation_email_oldest_due_seconds",
        "undersigned_count_lag_seconds",
        "undersigned_updates_sending",
    ):
        assert f"\n{name}" in text, name
    assert 'undersigned_signatures_counted{letter="ai-training"} 1.0' in text
    assert 'view="front:sign"' in text and "ada@example.org" not in text


class Captured(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.payload.json:
                self.events.append(item.payload.json)


def test_sentry_gets_errors_without_a_signers_email_or_name():
    transport = Captured()
    sentry_init("https://public@sentry.example.invalid/1", environment="test", transport=transport)
    try:
        sentry_sdk.set_user({"email": "ada@example.org"})
        sentry_sdk.set_context("signing", {"name": "Ada Lovelace", "email": "ada@example.org"})
        sentry_sdk.capture_message("could not send to ada@example.org")
        sentry_sdk.flush()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # no DSN: off again
    sent = json.dumps(transport.events)
    assert transport.events and "could not send to [email]" in sent
    assert "ada@example.org" not in sent and "Ada Lovelace" not in sent


def test_scrubbing_drops_the_request_body_cookies_and_user():
    event = {
        "user": {"email": "a@b.org"},
        "request": {
            "data": {"name": "Ada"},
            "cookies": {"sessionid": "x"},
            "headers": {"Cookie": "x", "User-Agent": "UA", "Authorization": "Bearer t"},
        },
        "extra": {"signature": {"name": "Ada Lovelace", "email_key": "a@b.org"}},
    }
    clean = scrub(event)
    assert "user" not in clean and "data" not in clean["request"]
    assert clean["request"]["headers"] == {"User-Agent": "UA"}
    assert clean["extra"]["signature"] == {"name": "[scrubbed]", "email_key": "[scrubbed]"}


def test_json_logs_on_request():
    from pythonjsonlogger.json import JsonFormatter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    line = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s").format(record)
    assert json.loads(line)["message"] == "hello world"
