"""Small helpers about requests that every page app needs."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The caller's address. Behind N trusted proxies (TRUSTED_PROXY_COUNT), the N-th
    address from the right of X-Forwarded-For; a client cannot forge the ones proxies add."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def next_page_query(request: HttpRequest, **changes) -> str:
    """The current query string with `changes` applied: the link to the next page of a
    keyset-paginated list keeps every filter the reader chose."""
    params = request.GET.copy()
    for name, value in changes.items():
        params[name] = value
    return params.urlencode()
