"""Operational pages: /healthz for monitoring, and the dev mailbox while DEBUG."""

import logging
import time

import redis
from csp.decorators import csp_replace
from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from prometheus_client.core import GaugeMetricFamily

from ops import mailbox
from ops.metrics import exposition
from petition.models import OutgoingMail
from signatures import counting, outbox
from signatures.models import Signature, Tally
from updates.models import Update

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


# The email's own HTML, as its recipient's mail client shows it: in a sandboxed frame of the
# message page, with a policy of its own (its inline styles allowed, nothing else: no script,
# no request anywhere), framed by this site only.
_EMAIL_AS_SENT = {
    "default-src": ["'none'"],
    "script-src": ["'none'"],
    "connect-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "frame-ancestors": ["'self'"],
    "sandbox": ["allow-popups", "allow-popups-to-escape-sandbox"],
}


@never_cache
@xframe_options_sameorigin
@csp_replace(_EMAIL_AS_SENT)
def mailbox_html(request: HttpRequest, message_id: str) -> HttpResponse:
    _require_mailbox()
    message = mailbox.get_message(message_id)
    if message is None or not message.html:
        raise Http404("No such message, or it has no HTML part.")
    # Its links open in a new tab, as from a mail client (the site's pages refuse frames).
    html = message.html.replace("<head>", '<head><base target="_blank">', 1)
    return HttpResponse(html, content_type="text/html; charset=utf-8")


class LiveFigures:
    """What /metrics reads from the database and the cache at scrape time: the background
    work's backlog and lag (the figures behind /healthz), and each letter's count."""

    def collect(self):
        def gauge(name: str, text: str, value: float) -> GaugeMetricFamily:
            return GaugeMetricFamily(f"undersigned_{name}", text, value=value)

        due = Signature.objects.filter(email_requested_at__isnull=False)
        yield gauge("confirmation_emails_due", "Confirmation emails waiting", due.count())
        yield gauge(
            "confirmation_email_oldest_due_seconds",
            "Age of the oldest confirmation email still due",
            _age_seconds(outbox.oldest_due()),
        )
        yield gauge(
            "count_lag_seconds",
            "Age of the oldest change not yet in the public count",
            _age_seconds(counting.unfolded_since()),
        )
        yield gauge(
            "updates_sending",
            "Updates to signers being sent",
            Update.objects.filter(state=Update.State.SENDING).count(),
        )
        yield gauge(
            "other_emails_due",
            "Invitations, notices and account emails waiting",
            OutgoingMail.objects.filter(state=OutgoingMail.State.DUE).count(),
        )
        seen = outbox.last_seen()
        if seen is not None:
            yield gauge(
                "email_worker_seen_seconds_ago",
                "Since an email worker last ran a task",
                round(time.time() - seen, 1),
            )
        counted = GaugeMetricFamily(
            "undersigned_signatures_counted", "Counted signatures, by letter", labels=["letter"]
        )
        for slug, total in Tally.objects.values_list("letter__slug", "total"):
            counted.add_metric([slug], total)
        yield counted


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text for whoever holds METRICS_TOKEN (`Authorization: Bearer <token>`);
    a 404 for everyone else, as if there were no such page."""
    token = settings.METRICS_TOKEN
    presented = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not constant_time_compare(presented, token):
        raise Http404("No such page.")
    return exposition(LiveFigures())
