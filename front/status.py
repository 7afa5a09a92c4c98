"""Operational pages: /healthz for monitoring, and the dev mailbox while DEBUG."""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from ops import mailbox

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


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    status = {"database": _database_status(), "redis": _redis_status()}
    return JsonResponse(status, status=200 if status["database"] == "ok" else 503)


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
