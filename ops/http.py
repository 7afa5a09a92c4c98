"""Small helpers about requests that every page app needs."""

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


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


# Django (5.2) reads form bodies as UTF-8 only, spelled so, and raises on anything else.
READABLE_CHARSETS = {"utf-8"}


class RefuseUnreadableCharsetMiddleware:
    """Answer 400 to a POST in a charset Django cannot parse (utf-16, utf-7, latin-1, an
    unknown name) before anything touches request.POST: the CSRF check would fail on it, and
    its failure page, reading the body again, answered a bare 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        charset = request.content_params.get("charset") if request.content_params else None
        if charset and request.method not in ("GET", "HEAD", "OPTIONS"):
            if charset.lower() not in READABLE_CHARSETS:
                return HttpResponse(
                    "Unsupported charset: send this form as UTF-8.\n",
                    status=400,
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """The database went away (a restart, a failover): answer 503 with a page that says
    nothing was saved and to try again, rather than a bare 500. A 303 is only ever sent
    after the row was committed, so no signature is lost either way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        try:
            body = render_to_string("503.html", request=request)
        except DatabaseError:  # the page's own context needed the database too
            body = "The site is briefly unavailable. Nothing was saved; please try again.\n"
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "30"
        return response


class NoStoreForPeopleMiddleware:
    """The organisers' area, account pages and the admin show signers' details and people's
    own settings: no browser or proxy keeps a copy (`private, no-store`)."""

    PREFIXES = ("/organise/", "/accounts/", "/admin/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(self.PREFIXES):
            response["Cache-Control"] = "private, no-store"
        return response
