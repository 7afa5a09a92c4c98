"""The public JSON API. Never an email; cacheable by a CDN."""

import time
from datetime import datetime

from django.http import Http404, HttpRequest, JsonResponse
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


def _not_found(slug: str) -> JsonResponse:
    return JsonResponse(
        {"error": "not_found", "detail": f"No letter with slug {slug!r}."}, status=404
    )


def _public(response: JsonResponse, cache_control: str) -> JsonResponse:
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
        return JsonResponse({"error": "bad_request", "fields": form.errors}, status=400)
    page = public_signatures(letter=letter, **form.selector_arguments())
    next_url = None
    if page.next_cursor:
        next_url = request.build_absolute_uri(
            "?" + next_page_query(request, cursor=page.next_cursor)
        )
    body = {"results": [_signature_json(s) for s in page.results], "next": next_url}
    return _public(JsonResponse(body), LIST_CACHE_CONTROL)
