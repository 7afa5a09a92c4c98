"""Defences of the sign form: rate limits, bot traps, block lists.

Rate limits use django-ratelimit (fixed windows kept in the Django cache: Redis when
REDIS_URL is set, so every web process shares them). Bot traps and organisers' blocks are
silent: the bot gets the normal answer, so it learns nothing to change.
"""

import ipaddress
import logging
import time

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from petition.models import Letter

from .models import Block

log = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"
STARTED_FIELD = "started"
_STARTED_SALT = "undersigned.sign-form.started"


def _limited(request: HttpRequest, group: str, value: str, rate: str) -> bool:
    if not rate:
        return False
    try:
        return is_ratelimited(
            request, group=group, key=lambda _group, _request: value, rate=rate, increment=True
        )
    except Exception:  # noqa: BLE001 - a cache outage must not stop people signing
        log.warning("rate-limit store unavailable; %s not enforced", group, exc_info=True)
        return False


def sign_throttled(*, request: HttpRequest, letter: Letter, ip: str) -> str | None:
    """Which limit this attempt breaks, if any. Counted before validation: bots that send
    garbage spend their allowance too."""
    checks = [
        ("sign-ip-burst", f"{letter.pk}:{ip}", settings.RATELIMIT_SIGN_IP_BURST),
        ("sign-ip-hourly", f"{letter.pk}:{ip}", settings.RATELIMIT_SIGN_IP_HOURLY),
        ("sign-letter", str(letter.pk), settings.RATELIMIT_SIGN_LETTER),
    ]
    for group, value, rate in checks:
        if _limited(request, group, value, rate):
            return group
    return None


def email_throttled(*, request: HttpRequest, letter: Letter, email_key: str) -> bool:
    """Re-signing is how a confirmation is resent: limit it per address."""
    value = f"{letter.pk}:{email_key}"
    return _limited(request, "sign-email", value, settings.RATELIMIT_SIGN_EMAIL)


def started_token() -> str:
    """Hidden in the form when it is rendered: when the person started filling it in."""
    return signing.dumps(int(time.time()), salt=_STARTED_SALT)


def automation_reason(data) -> str | None:
    """Why this submission looks automated, or None. A filled honeypot, or a form sent back
    sooner than a person could fill it. A client that never rendered the form (no token)
    is not judged on timing; the rate limits still apply to it."""
    if (data.get(HONEYPOT_FIELD) or "").strip():
        return "honeypot filled"
    token = data.get(STARTED_FIELD)
    if not token:
        return None
    try:
        started = signing.loads(token, salt=_STARTED_SALT)
    except signing.BadSignature:
        return "forged form timestamp"
    if not isinstance(started, int) or time.time() - started < settings.SIGN_MIN_SECONDS:
        return "form filled too fast"
    return None


def blocked_reason(*, letter: Letter, email: str, ip: str) -> str | None:
    """The organisers' block that matches this signature, if any."""
    domain = email.rpartition("@")[2].lower()
    blocks = Block.objects.filter(Q(letter=letter) | Q(letter__isnull=True))
    for block in blocks.only("kind", "value"):
        if block.kind == Block.Kind.DOMAIN and (
            domain == block.value or domain.endswith("." + block.value)
        ):
            return f"blocked domain {block.value}"
        if block.kind == Block.Kind.NETWORK and ip:
            try:
                if ipaddress.ip_address(ip) in ipaddress.ip_network(block.value, strict=False):
                    return f"blocked network {block.value}"
            except ValueError:
                continue
    return None
