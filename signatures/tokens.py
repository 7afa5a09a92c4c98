"""Signed, expiring tokens for the links in a signer's email (Django's signing)."""

import hashlib
from enum import StrEnum

from django.conf import settings
from django.core import signing


class Purpose(StrEnum):
    CONFIRM = "confirm"
    WITHDRAW = "withdraw"
    ERASE = "erase"


class TokenInvalid(Exception):
    pass


class TokenExpired(TokenInvalid):
    pass


def _max_age(purpose: Purpose):
    return {
        Purpose.CONFIRM: settings.CONFIRM_TOKEN_MAX_AGE,
        Purpose.WITHDRAW: settings.WITHDRAW_TOKEN_MAX_AGE,
        Purpose.ERASE: settings.WITHDRAW_TOKEN_MAX_AGE,
    }[purpose]


def _fingerprint(email_key: str) -> str:
    # Binds the token to the address too, so a reused row id (SQLite) opens nothing.
    return hashlib.sha256(email_key.encode()).hexdigest()[:12]


def make_token(*, signature_id: int, email_key: str, purpose: Purpose) -> str:
    return signing.dumps(
        [signature_id, _fingerprint(email_key)], salt=f"undersigned.signature.{purpose}"
    )


def read_token(token: str, *, purpose: Purpose) -> tuple[int, str]:
    """(signature id, fingerprint); raises TokenExpired or TokenInvalid."""
    try:
        value = signing.loads(
            token, salt=f"undersigned.signature.{purpose}", max_age=_max_age(purpose)
        )
    except signing.SignatureExpired as exc:
        raise TokenExpired from exc
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise TokenInvalid from exc
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        raise TokenInvalid
    return value[0], str(value[1])


def token_matches(fingerprint: str, email_key: str) -> bool:
    return fingerprint == _fingerprint(email_key)
