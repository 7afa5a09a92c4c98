import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_redis(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"] == ("ok" if settings.REDIS_URL else "absent")


def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_healthz_reports_a_dead_redis_without_failing(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["redis"] == "error"


def test_healthz_says_the_count_is_stale_when_changes_wait_unfolded(client, letter, settings):
    from datetime import timedelta

    from django.utils import timezone

    from signatures.models import TallyChange

    settings.HEALTH_COUNT_STALE_SECONDS = 30
    assert client.get("/healthz").json()["count"] == "ok"
    change = TallyChange.objects.create(
        letter=letter, profession=letter.professions.first(), total=1, notable=0
    )
    TallyChange.objects.filter(pk=change.pk).update(
        created_at=timezone.now() - timedelta(seconds=45)
    )
    body = client.get("/healthz").json()
    assert body["count"] == "stale" and body["count_lag_seconds"] >= 45
    assert client.get("/healthz").status_code == 200  # the web is fine: no 503 for a balancer
    assert client.get("/healthz?strict=1").status_code == 503  # but monitors can have one


def test_healthz_says_email_is_late_when_one_waits_too_long(client, letter, settings):
    from datetime import timedelta

    from django.utils import timezone

    from ..signatures.test_email_delivery import due_signature

    settings.HEALTH_EMAIL_LATE_SECONDS = 600
    due_signature(letter, email_requested_at=timezone.now() - timedelta(minutes=20))
    body = client.get("/healthz").json()
    assert body["email"] == "late" and body["email_lag_seconds"] >= 1200


def test_a_database_outage_during_signing_is_a_503_that_says_nothing_was_saved(
    client, letter, sign_data, monkeypatch
):
    from django.db import OperationalError

    from signatures import signing

    def down(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(signing, "upsert_row", down)  # the signing's one statement
    response = client.post(f"/letters/{letter.slug}/sign/", sign_data)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "nothing you sent was recorded" in response.content.decode()


def test_healthz_says_when_no_email_worker_has_been_seen(client, settings, monkeypatch):
    import time

    from django.core.cache import cache

    from signatures import outbox

    settings.REDIS_URL = settings.REDIS_URL or "redis://127.0.0.1:6379/0"  # a broker: a worker
    settings.HEALTH_WORKER_SILENT_SECONDS = 180
    cache.delete(outbox.HEARTBEAT_KEY)
    body = client.get("/healthz").json()
    assert body["email_worker"] == "silent"  # never seen
    outbox.send_pending_confirmations_task.apply()  # what beat sends every minute
    body = client.get("/healthz").json()
    assert body["email_worker"] == "ok" and body["email_worker_seen_seconds_ago"] < 5
    cache.set(outbox.HEARTBEAT_KEY, time.time() - 600, timeout=None)  # a killed worker
    assert client.get("/healthz").json()["email_worker"] == "silent"
    assert client.get("/healthz?strict=1").status_code == 503


def test_without_a_broker_there_is_no_worker_to_miss(client, settings):
    settings.REDIS_URL = ""
    assert client.get("/healthz").json()["email_worker"] == "absent"


def test_a_long_batch_keeps_its_lease_while_a_short_one_frees_a_killed_workers_emails(
    letter, sign, sign_data, settings, monkeypatch
):
    """The lease is short (a killed worker's emails wait EMAIL_LEASE_SECONDS, not five
    minutes) and a slow batch renews it as it goes."""
    from datetime import timedelta

    from django.utils import timezone

    from signatures import outbox
    from signatures.models import Signature

    settings.EMAIL_LEASE_SECONDS = 3
    monkeypatch.setattr(outbox, "schedule_email_batch", lambda: None)  # claimed by hand
    sign(letter, sign_data)
    sign(letter, {**sign_data, "email": "b@example.org"})
    first, second = Signature.objects.order_by("pk")
    Signature.objects.update(email_claimed_at=timezone.now() - timedelta(seconds=10))
    renewed = []
    monkeypatch.setattr(outbox, "_renew", lambda rows: renewed.append(len(rows)))
    clock = iter([0.0, 0.0, 5.0, 5.0, 10.0, 10.0, 10.0])
    monkeypatch.setattr(outbox.time, "monotonic", lambda: next(clock, 10.0))
    assert outbox.signatures_email_batch(limit=10).sent == 2  # the dead worker's lease ran out
    assert renewed  # the batch stamped its lease again partway
