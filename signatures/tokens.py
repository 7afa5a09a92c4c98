"""Tokens for the links in a signer's email: opaque, authenticated and expiring.

A token is the signature's id, the version of the details its email showed, when it was
made and a fingerprint of the address, sealed with AES-GCM (the `cryptography` package) under
a key derived from SECRET_KEY, the purpose (confirm, withdraw, erase, unsubscribe) bound in as
associated data. Whoever holds one learns nothing from it: not the id, not the address, not
even when it was made (Django's signing and Fernet show their payload or timestamp, hence not
them). Keys from SECRET_KEY_FALLBACKS still open older links after a key rotation.
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import time
from enum import StrEnum

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12


class Purpose(StrEnum):
    CONFIRM = "confirm"
    WITHDRAW = "withdraw"
    ERASE = "erase"
    UNSUBSCRIBE = "unsubscribe"  # updates/: stop (or restart) updates about the letter
    MANAGE = "manage"  # "manage my signature": change details, withdraw, erase


class TokenInvalid(Exception):
    pass


class TokenExpired(TokenInvalid):
    pass


def _max_age_seconds(purpose: Purpose) -> float:
    if purpose == Purpose.CONFIRM:
        return settings.CONFIRM_TOKEN_MAX_AGE.total_seconds()
    if purpose == Purpose.UNSUBSCRIBE:
        return settings.UNSUBSCRIBE_TOKEN_MAX_AGE.total_seconds()
    return settings.WITHDRAW_TOKEN_MAX_AGE.total_seconds()


def _key(secret: str) -> bytes:
    return hashlib.sha256(b"undersigned.signature-links\0" + secret.encode()).digest()


def _fingerprint(email_key: str) -> str:
    # Binds the token to the address too, so a reused row id (SQLite) opens nothing. Sealed
    # inside the token, so a plain hash is enough.
    return hashlib.sha256(email_key.encode()).hexdigest()[:16]


def make_token(*, signature_id: int, email_key: str, purpose: Purpose, version: int = 1) -> str:
    payload = json.dumps(
        [signature_id, version, int(time.time()), _fingerprint(email_key)],
        separators=(",", ":"),
    ).encode()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_key(settings.SECRET_KEY)).encrypt(nonce, payload, purpose.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def _open(token: str, purpose: Purpose) -> list:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, binascii.Error) as exc:
        raise TokenInvalid from exc
    # Base64 decoding forgives: it drops stray characters and unused bits, so other spellings
    # of a link would open it too. A link opens only as it was made.
    if len(raw) <= NONCE_BYTES or base64.urlsafe_b64encode(raw).decode().rstrip("=") != token:
        raise TokenInvalid
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        try:
            payload = AESGCM(_key(secret)).decrypt(nonce, sealed, purpose.encode())
        except InvalidTag:
            continue
        return json.loads(payload)
    raise TokenInvalid


def read_token(token: str, *, purpose: Purpose) -> tuple[int, int, str]:
    """(signature id, details version, address fingerprint); raises TokenExpired or
    TokenInvalid."""
    value = _open(token, purpose)
    if not (
        isinstance(value, list)
        and len(value) == 4
        and all(isinstance(part, int) and not isinstance(part, bool) for part in value[:3])
    ):
        raise TokenInvalid
    signature_id, version, issued, fingerprint = value
    if time.time() - issued > _max_age_seconds(purpose):
        raise TokenExpired
    return signature_id, version, str(fingerprint)


def seal_text(value: str, *, purpose: str) -> str:
    """Any short text sealed the same way (a cookie that must not show an address)."""
    payload = json.dumps([value, int(time.time())], separators=(",", ":")).encode()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_key(settings.SECRET_KEY)).encrypt(nonce, payload, purpose.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def open_text(token: str, *, purpose: str, max_age: float) -> str:
    value = _open(token, purpose)
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], int)):
        raise TokenInvalid
    if time.time() - value[1] > max_age:
        raise TokenExpired
    return str(value[0])


def token_matches(fingerprint: str, email_key: str) -> bool:
    return hmac.compare_digest(fingerprint, _fingerprint(email_key))
