"""Pages an edge cache may serve to everyone (nginx in `make stack`, a CDN in production).

In a letter's viral hour most requests are first visits to its page, and on one small box
Django cannot render them all. So a first visit (no cookie at all) gets the same bytes as
everyone: no cookie is set, and the forms' CSRF field is left empty, to be filled by
static/js/csrf.js from /csrf/ when someone starts filling in a form (without JavaScript,
the first submission comes back with a token and the person's details; see
signatures.views.csrf_failure). Anyone who has a cookie gets a page of their own, private.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


def _private_cookies() -> tuple[str, ...]:
    # A language chosen by cookie is not in Vary (only Accept-Language is), so it is private.
    return (
        settings.CSRF_COOKIE_NAME,
        settings.SESSION_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        "messages",
    )


def share_with_everyone(request: HttpRequest) -> bool:
    """Whether this request may get the page everyone gets; if so, its forms defer the token."""
    shared = request.method in ("GET", "HEAD") and not any(
        name in request.COOKIES for name in _private_cookies()
    )
    request.csrf_deferred = shared
    return shared


def mark_cacheable(response: HttpResponse, *, shared: bool) -> HttpResponse:
    """Browsers always ask again (the count moves); shared caches keep a shared page for
    EDGE_CACHE_SECONDS and may serve it a little stale while they fetch a fresh one."""
    if shared:
        patch_cache_control(
            response,
            public=True,
            max_age=0,
            s_maxage=settings.EDGE_CACHE_SECONDS,
            stale_while_revalidate=settings.EDGE_CACHE_SECONDS * 10,
        )
    else:
        patch_cache_control(response, private=True)
    return response
