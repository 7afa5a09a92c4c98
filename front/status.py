"""Operational pages: /healthz for monitoring, and the dev mailbox while DEBUG."""

import logging
import time

import redis
from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from ops import mailbox
from signatures import counting, outbox

log = logging.getLogger(__name__)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        log.warning("healthz: database unreachable", exc_info=True)
        return "error"


def _redis_status() -> str:
    if not settings.REDIS_URL:
        return "absent"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
        return "ok"
    except redis.RedisError:
        return "error"


def _age_seconds(since) -> float:
    return round((timezone.now() - since).total_seconds(), 1) if since else 0.0


def _email_worker_status() -> dict:
    """With a broker, whether an email worker ran a task lately (beat's sweep every
    EMAIL_SWEEP_SECONDS is one): "silent" past HEALTH_WORKER_SILENT_SECONDS. In-process
    there is no worker to miss."""
    if not settings.REDIS_URL:
        return {"email_worker": "absent"}
    seen = outbox.last_seen()
    if seen is None:
        return {"email_worker": "silent", "email_worker_seen_seconds_ago": None}
    ago = round(time.time() - seen, 1)
    silent = ago > settings.HEALTH_WORKER_SILENT_SECONDS
    return {"email_worker": "silent" if silent else "ok", "email_worker_seen_seconds_ago": ago}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Whether this process can work (the database; 503 without it), and whether the
    background work keeps up: the age of the oldest change not yet in the public count and of
    the oldest email still due, "stale"/"late" past their thresholds, and when an email
    worker was last seen ("silent" past its threshold). ?strict=1 answers 503
    for anything not ok, for monitors that look only at the status code."""
    status = {"database": _database_status(), "redis": _redis_status()}
    if status["database"] == "ok":
        count_lag = _age_seconds(counting.unfolded_since())
        email_lag = _age_seconds(outbox.oldest_due())
        status |= {
            "count": "stale" if count_lag > settings.HEALTH_COUNT_STALE_SECONDS else "ok",
            "count_lag_seconds": count_lag,
            "email": "late" if email_lag > settings.HEALTH_EMAIL_LATE_SECONDS else "ok",
            "email_lag_seconds": email_lag,
        }
    status |= _email_worker_status()
    checks = ("database", "redis", "count", "email", "email_worker")
    healthy = all(status.get(k, "ok") in ("ok", "absent") for k in checks)
    if status["database"] != "ok" or (request.GET.get("strict") and not healthy):
        return JsonResponse(status, status=503)
    return JsonResponse(status)


def _require_mailbox() -> None:
    if not settings.DEV_MAILBOX_ENABLED:
        raise Http404("The dev mailbox exists only while DEBUG is on and no SMTP server is set.")


@never_cache
def mailbox_index(request: HttpRequest) -> HttpResponse:
    _require_mailbox()
    return render(request, "front/mailbox.html", {"messages_list": mailbox.list_messages()})


@never_cache
def mailbox_message(request: HttpRequest, message_id: str) -> HttpResponse:
    _require_mailbox()
    message = mailbox.get_message(message_id)
    if message is None:
        raise Http404("No such message.")
    return render(request, "front/mailbox_message.html", {"message": message})
