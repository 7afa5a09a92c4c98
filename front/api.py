"""The public JSON API. Never an email; cacheable by a CDN."""

import time
from datetime import datetime
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.http import http_date
from django.views.decorators.http import conditional_page, require_GET

from ops.http import next_page_query
from signatures.counting import letter_count_json
from signatures.selectors import public_signatures

from .access import readable_letter
from .forms import SignatureFilterForm

# The count changes every second while a letter is hot: a CDN or browser may reuse an answer
# for a second and serve a stale one for ten while it refetches, or five minutes if we fail.
COUNT_CACHE_CONTROL = "public, max-age=1, s-maxage=1, stale-while-revalidate=10, stale-if-error=300"
LIST_CACHE_CONTROL = "public, max-age=10, stale-while-revalidate=30, stale-if-error=300"


SCHEMA = Path(__file__).with_name("openapi.json")


@require_GET
def openapi(request: HttpRequest) -> HttpResponse:
    """The API's OpenAPI 3.1 description, checked in beside it (tests hold every answer to
    it, and schemathesis runs over it)."""
    response = HttpResponse(SCHEMA.read_bytes(), content_type="application/json")
    return _public(response, "public, max-age=3600")


class ApiErrorsMiddleware:
    """Under /api/, a 404 or 405 is JSON like every other answer there (`error`, `detail`),
    not an HTML page: a path that does not exist, or a method a path does not take."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
            body = {"error": "not_found", "detail": "No such path in this API."}
        else:
            allowed = response.get("Allow", "GET")
            body = {
                "error": "method_not_allowed",
                "detail": f"This path takes {allowed} only.",
            }
        json_response = JsonResponse(body, status=response.status_code)
        if response.has_header("Allow"):
            json_response["Allow"] = response["Allow"]
        json_response["Access-Control-Allow-Origin"] = "*"
        return json_response


def _not_found(slug: str) -> JsonResponse:
    return JsonResponse(
        {"error": "not_found", "detail": f"No letter with slug {slug!r}."}, status=404
    )


def _public(response, cache_control: str):
    response["Cache-Control"] = cache_control
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@conditional_page
def count(request: HttpRequest, slug: str) -> JsonResponse:
    try:
        readable_letter(request, slug, in_its_language=False)
    except Http404:
        return _not_found(slug)
    body = letter_count_json(slug=slug)
    if body is None:
        return _not_found(slug)
    response = _public(JsonResponse(body), COUNT_CACHE_CONTROL)
    updated_at = datetime.fromisoformat(body["updated_at"])
    response["Last-Modified"] = http_date(updated_at.timestamp())
    # For an nginx edge, which counts lifetimes in whole seconds (max-age=1 lives one to
    # two there): good until the end of this second. CDNs go by Cache-Control.
    response["X-Accel-Expires"] = f"@{int(time.time())}"
    return response


def _signature_json(signature) -> dict:
    return {
        "name": signature.name,
        "profession": signature.profession.key,
        "role": signature.role,
        "country": signature.country.code or None,
        "link": signature.link or None,
        "notable": signature.notable,
        "verified": signature.notable_verified,
        "signed_at": signature.signed_at.isoformat(),
    }


@require_GET
@conditional_page
def signatures(request: HttpRequest, slug: str) -> JsonResponse:
    try:
        letter = readable_letter(request, slug, in_its_language=False)
    except Http404:
        return _not_found(slug)
    form = SignatureFilterForm(request.GET, letter=letter)
    if not form.is_valid():
        body = {"error": "bad_request", "detail": "A filter is not valid.", "fields": form.errors}
        return JsonResponse(body, status=400)
    page = public_signatures(letter=letter, **form.selector_arguments())
    next_url = None
    if page.next_cursor:
        next_url = request.build_absolute_uri(
            "?" + next_page_query(request, cursor=page.next_cursor)
        )
    body = {"results": [_signature_json(s) for s in page.results], "next": next_url}
    return _public(JsonResponse(body), LIST_CACHE_CONTROL)
