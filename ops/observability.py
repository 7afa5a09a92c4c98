"""Errors to Sentry (or any service that speaks its protocol) with nothing of a signer's in
them: no request body, cookies, user, local variables or email address, and no value of a
field that holds a name. Used only when SENTRY_DSN is set (config/settings.py)."""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from .addresses import ADDRESS_IN_TEXT

# Keys whose values are a person's: dropped wherever they appear in an event.
PERSONAL = {
    "name",
    "email",
    "email_key",
    "organisation",
    "role",
    "link",
    "claim_link",
    "to",
    "recipient",
    "submitted",
    "name_search",
    "user_agent",
}
_DROP_FROM_REQUEST = ("data", "cookies", "query_string", "env")
_DROP_HEADERS = {"cookie", "authorization", "x-forwarded-for", "x-real-ip"}


def _scrubbed(value):
    if isinstance(value, str):
        return ADDRESS_IN_TEXT.sub("[email]", value)
    if isinstance(value, dict):
        return {
            key: "[scrubbed]" if str(key).lower() in PERSONAL else _scrubbed(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


def scrub(event: dict, hint: dict | None = None) -> dict:
    """An event (error or breadcrumb) without signers' data."""
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        for key in _DROP_FROM_REQUEST:
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                k: v for k, v in headers.items() if k.lower() not in _DROP_HEADERS
            }
    return _scrubbed(event)


def sentry_init(dsn: str, *, environment: str, transport=None) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # What the SDK itself collects: no user, no bodies, no local variables (a frame's
        # `signature` would carry a name and an address); scrub() removes what is left.
        data_collection={
            "user_info": False,
            "http_bodies": [],
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        max_request_body_size="never",
        before_send=scrub,
        before_breadcrumb=scrub,
        traces_sample_rate=0.0,
        transport=transport,
    )
