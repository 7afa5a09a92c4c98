"""Deferred CSRF: the letter page shared through an edge cache, and how its forms get a token.

In a letter's viral hour most requests are first visits to its page, and on one small box
Django cannot render them all. So a first visit (no cookie at all) gets the same bytes as
everyone, which an edge cache (nginx in `make stack`, a CDN in production) may keep for
EDGE_CACHE_SECONDS: no cookie is set, and the forms' CSRF field is left empty. The parts:

1. `share_with_everyone` decides that a request gets the shared page, and `mark_cacheable`
   sets the Cache-Control that lets an edge keep it (anyone with a cookie gets a private page).
2. `csrf_field` (the `{% csrf_field %}` tag) renders an empty field on a shared page.
3. static/js/csrf.js fetches a token from `csrf_token` (GET /csrf/) when someone starts
   filling in a form, which also sets the CSRF cookie, so their next pages are their own; it
   brings a fresh form timestamp (signatures.defences) too.
4. The sign POST (`origin_checked`) goes by the browser's word on where it comes from,
   in place of the token: `Sec-Fetch-Site` (every current browser sends it) must say
   same-origin, or, without it, `Origin` must be this site; a cross-site POST is refused.
   So a visitor without JavaScript signs in one press from the shared page. A client that
   sends neither header (an old browser, a script) needs the token, as everywhere else.
5. A refused sign POST (`csrf_failure`, CSRF_FAILURE_VIEW) answers the letter page with the
   person's details and a token, to press Sign once more; nothing is signed from it.

Why this is safe: a forged cross-site POST is exactly what those headers expose, and a
browser never lets a page set or drop them; a non-browser client that forges them could sign
just as well through the form itself, which it can always fetch. Every other POST of the
site keeps Django's token check.
"""

import logging
from functools import wraps

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.template.defaulttags import CsrfTokenNode
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from signatures.defences import started_token

from .access import readable_letter
from .forms import SignForm
from .letter_page import render_letter

log = logging.getLogger(__name__)


def _private_cookies() -> tuple[str, ...]:
    # A language chosen by cookie is not in Vary (only Accept-Language is), so it is private.
    return (
        settings.CSRF_COOKIE_NAME,
        settings.SESSION_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        "messages",
    )


def share_with_everyone(request: HttpRequest, *, public: bool = True) -> bool:
    """Whether this request may get the page everyone gets (only a `public` letter's is
    shared); if so, its forms defer the token."""
    shared = (
        public
        and request.method in ("GET", "HEAD")
        and not any(name in request.COOKIES for name in _private_cookies())
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


class SharedPageGZipMiddleware(GZipMiddleware):
    """Gzip the shared page (a first visit's letter page, home page or embedded form: 22 to
    26 KiB of HTML, a third of that gzipped) and nothing else Django renders. Compressing a
    page that holds a secret next to something an attacker can reflect into it (a CSRF
    token, an email address) is what BREACH reads secrets through; the shared page holds
    neither (its CSRF field is empty), so it is safe, and it is most of the HTML a launch
    serves. Static files are compressed ahead of time by whitenoise."""

    def process_response(self, request, response):
        if not getattr(request, "csrf_deferred", False) or response.cookies:
            return response
        return super().process_response(request, response)


def csrf_field(context) -> str:
    """{% csrf_token %}, except on a shared page: there the field starts empty."""
    request = context.get("request")
    if request is not None and getattr(request, "csrf_deferred", False):
        return format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="" data-csrf-url="{}">',
            reverse("front:csrf"),
        )
    return CsrfTokenNode().render(context)


@never_cache
def csrf_token(request: HttpRequest) -> JsonResponse:
    """A token for a form on a shared page (it sets the CSRF cookie too), and a form
    timestamp of this person's own, since the shared page's is everyone's."""
    return JsonResponse({"token": get_token(request), "started": started_token()})


def _trusted_origins(request: HttpRequest) -> set[str]:
    return {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}


def same_origin_post(request: HttpRequest) -> bool | None:
    """The browser's word on where a POST comes from: True (this site), False (elsewhere),
    or None when it says nothing (no Fetch Metadata, no Origin)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site:
        return site in ("same-origin", "none")  # "none": typed or bookmarked, no page at all
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return origin in _trusted_origins(request)
    return None


def origin_checked(view):
    """CSRF protection for the sign POST by origin rather than by token (module docstring,
    part 4); without a browser's word on the origin, Django's token check as usual."""

    @csrf_exempt
    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        verdict = same_origin_post(request) if request.method == "POST" else True
        if verdict is None:
            refused = CsrfViewMiddleware(lambda r: None).process_view(request, view, args, kwargs)
            if refused is not None:
                return refused
        elif not verdict:
            return csrf_failure(request, reason="a cross-site POST")
        return view(request, *args, **kwargs)

    return checked


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a sign POST comes back as the letter page with the person's details
    and a token (403); anything else gets the plain 403 page."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if request.method == "POST" and match and match.view_name == "front:sign":
        try:
            data = request.POST
            letter = readable_letter(request, match.kwargs["slug"])
        except (BadRequest, MultiPartParserError, UnicodeDecodeError, Http404):
            data = None  # a body nobody can read, or no letter to show: the plain 403 below
        if data is not None and request.letter_access.may_sign:
            form = SignForm(data, letter=letter)
            form.is_valid()  # shows any mistakes now rather than on the second try
            return render_letter(request, letter, form=form, status=403, csrf_retry=True)
    log.info("csrf: refused %s %s: %s", request.method, request.path, reason)
    return render(request, "403_csrf.html", status=403)
