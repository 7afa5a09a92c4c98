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

    from signatures.models import Signature

    def down(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(Signature.objects, "bulk_create", down)
    response = client.post(f"/letters/{letter.slug}/sign/", sign_data)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "nothing you sent was recorded" in response.content.decode()
