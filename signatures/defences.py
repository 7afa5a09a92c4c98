"""Defences of the sign form: rate limits, bot traps, block lists, and the human check that
lets a person on a busy shared network through a rate limit.

Rate limits are fixed windows counted in Redis when REDIS_URL is set, so every web process
shares them (ops/ratelimit.py). Bot traps and organisers' blocks are silent: the bot gets
the normal answer, so it learns nothing to change; nothing a person sent is thrown away.
"""

import ipaddress
import logging
import secrets
import threading
import time
from datetime import timedelta

import altcha
from cachetools import TTLCache, cached
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from ops.ratelimit import Limit, first_exceeded
from petition.models import Letter

from .models import Block

log = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"
STARTED_FIELD = "started"
_STARTED_SALT = "undersigned.sign-form.started"


def client_network(ip: str) -> str:
    """What the per-address limits count by: an IPv4 address, or an IPv6 address's /64 (one
    subscriber gets a whole /64, so counting single IPv6 addresses limits nobody)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def sign_throttled(
    *, letter: Letter, ip: str, email_key: str | None, human: bool = False
) -> str | None:
    """Which limit this attempt breaks, if any. Every attempt counts against its own
    client's limits, valid or not: bots that send garbage spend their allowance too.
    Re-signing is how a confirmation is resent, so each address has a limit of its own. The
    letter-wide ceiling comes last: an attempt already refused for its client does not spend
    everyone else's allowance."""
    limits = []
    if not human:  # a solved human check passes the limits a stranger can spend for you
        client = client_network(ip)
        limits += [
            Limit("sign-ip-burst", f"{letter.pk}:{client}", settings.RATELIMIT_SIGN_IP_BURST),
            Limit("sign-ip-hourly", f"{letter.pk}:{client}", settings.RATELIMIT_SIGN_IP_HOURLY),
        ]
        if email_key:
            # One inbox, however it is spelt: +tags folded on every domain for this limit.
            local, _at, domain = email_key.rpartition("@")
            inbox = f"{local.split('+', 1)[0]}@{domain}"
            limits.append(
                Limit("sign-email", f"{letter.pk}:{inbox}", settings.RATELIMIT_SIGN_EMAIL)
            )
    limits.append(Limit("sign-letter", str(letter.pk), settings.RATELIMIT_SIGN_LETTER))
    return first_exceeded(limits)


def started_token() -> str:
    """When this person started on the form: in the rendered form, and fresh from /csrf/ when
    they start typing on a page shared through the edge (so it is theirs, not the page's)."""
    return signing.dumps([int(time.time()), secrets.token_hex(4)], salt=_STARTED_SALT)


def automation_reason(data) -> str | None:
    """Why this submission looks automated, or None: a filled honeypot, a form sent back
    sooner than a person could fill it, no form timestamp, a forged or stale one. Such a
    submission is kept and emailed like any other (confirming from the inbox is the
    challenge) and organisers see why it was suspected; a person who autofills and presses
    Sign at once loses nothing."""
    if (data.get(HONEYPOT_FIELD) or "").strip():
        return "honeypot filled"
    token = data.get(STARTED_FIELD)
    if not token:
        return "no form timestamp"
    try:
        started, _nonce = signing.loads(
            token, salt=_STARTED_SALT, max_age=settings.SIGN_FORM_MAX_AGE_SECONDS
        )
    except signing.SignatureExpired:
        return "stale form timestamp"
    except (signing.BadSignature, TypeError, ValueError):
        return "forged form timestamp"
    if not isinstance(started, int) or time.time() - started < settings.SIGN_MIN_SECONDS:
        return "form filled too fast"
    return None


@cached(TTLCache(maxsize=1024, ttl=settings.LOCAL_CACHE_SECONDS), lock=threading.Lock())
def _blocks(letter_id: int) -> tuple[tuple[str, str, object], ...]:
    """The blocks for a letter, networks parsed; kept a few seconds in this process (every
    signature asks; saving a Block clears it here at once, see apps.py)."""
    blocks = []
    for block in Block.objects.filter(Q(letter_id=letter_id) | Q(letter__isnull=True)):
        network = None
        if block.kind == Block.Kind.NETWORK:
            try:
                network = ipaddress.ip_network(block.value, strict=False)
            except ValueError:
                continue
        blocks.append((block.kind, block.value, network))
    return tuple(blocks)


forget_blocks = _blocks.cache_clear


def blocked_reason(*, letter: Letter, email: str, ip: str) -> str | None:
    """The organisers' block that matches this signature, if any."""
    domain = email.rpartition("@")[2].lower()
    address = None
    if ip:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            address = None
    for kind, value, network in _blocks(letter.pk):
        if kind == Block.Kind.DOMAIN and (domain == value or domain.endswith("." + value)):
            return f"blocked domain {value}"
        if network is not None and address is not None and address.version == network.version:
            if address in network:
                return f"blocked network {value}"
    return None


# The human check -------------------------------------------------------------------------
# Over a per-address limit (many real people share one address: a carrier, an office, an
# event's Wi-Fi), or for every signer while a letter's owners say it is under attack, the
# sign form comes back with everything typed and a proof-of-work check: the browser finds a
# number whose SHA-256 with a salt matches the challenge (ALTCHA's protocol, through its
# Python library), a few seconds of one core for a person, real cost for a bot wave. No
# third party is asked and nothing is tracked.
HUMAN_CHECK_MAX_NUMBER = 60_000  # about a second or two in a phone's browser
HUMAN_CHECK_SECONDS = 600  # a challenge is good for this long, and once
# Limits a person may pass with the check: their network's (shared with strangers), and
# their address's (a stranger may have spent it by signing it: the daily email cap,
# outbox.email_allowed, still bounds what reaches the inbox).
CLIENT_LIMITS = ("sign-ip-burst", "sign-ip-hourly", "sign-email")


def human_check_challenge() -> dict:
    challenge = altcha.create_challenge_v1(
        hmac_key=settings.SECRET_KEY,
        max_number=HUMAN_CHECK_MAX_NUMBER,
        expires=timezone.now() + timedelta(seconds=HUMAN_CHECK_SECONDS),
    )
    return {
        "algorithm": challenge.algorithm,
        "challenge": challenge.challenge,
        "maxnumber": challenge.max_number,
        "salt": challenge.salt,
        "signature": challenge.signature,
    }


def human_check_passed(payload: str) -> bool:
    """A solved challenge, signed by us, not expired and not used before."""
    if not payload or len(payload) > 2000:
        return False
    try:
        verified, _error = altcha.verify_solution_v1(payload, settings.SECRET_KEY, True)
    except (ValueError, TypeError, KeyError, AttributeError):
        return False
    if not verified:
        return False
    try:  # once: a solved challenge replayed by a bot wave lets nobody else through
        return cache.add(f"human-check:{payload[-64:]}", 1, timeout=HUMAN_CHECK_SECONDS)
    except Exception:  # noqa: BLE001 - without the cache, a valid solution is enough
        return True
