"""The sign form for partner sites' iframes (`/letters/<slug>/embed/form/`).

Browsers block cookies in third-party frames, so nothing here needs one: the form's bot traps
travel in the form itself (the signed "started" timestamp and the honeypot field,
signatures.defences), the sign POST is checked by origin rather than by a CSRF cookie
(front.deferred_csrf.origin_checked: the frame posts to its own origin, so the browser says
same-origin), and the check-your-inbox answer is rendered in place instead of a redirect to
a page that would read cookies. The rules are the letter page's own
(signing_views.sign_attempt). This path, and only this path, may be framed by any site.
"""

from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods

from petition.refs import clean_ref
from signatures import defences
from signatures.counting import letter_count_json

from . import share
from .access import readable_letter
from .deferred_csrf import mark_cacheable, origin_checked, share_with_everyone
from .forms import SignForm
from .signing_views import masked_email, sign_attempt

FRAMED = {"frame-ancestors": ["*"]}


@xframe_options_exempt
@csp_replace(FRAMED)
@origin_checked
@require_http_methods(["GET", "HEAD", "POST"])
def embed_form(request: HttpRequest, slug: str) -> HttpResponse:
    letter = readable_letter(request, slug)
    if request.method != "POST":
        form = SignForm(letter=letter, initial={"ref": clean_ref(request.GET.get("ref"))})
        shared = share_with_everyone(request, public=request.letter_access.public)
        response = _render(request, letter, form=form)
        return mark_cacheable(response, shared=shared)
    attempt = sign_attempt(request, letter)
    if attempt.outcome == "closed":
        return _render(request, letter, status=403)
    if attempt.outcome == "human_check":
        response = _render(
            request,
            letter,
            form=attempt.form,
            status=429 if attempt.over_limit else 200,
            human_check=defences.human_check_challenge(),
        )
    elif attempt.outcome == "throttled":
        response = _render(request, letter, throttled=True, status=429)
    elif attempt.outcome == "invalid":
        return _render(request, letter, form=attempt.form, status=400)
    else:
        # The same answer whether or not this address had signed before (no enumeration).
        return _render(request, letter, sent_to=masked_email(attempt.email))
    if response.status_code == 429:
        response["Retry-After"] = "60"
    return response


def _render(request: HttpRequest, letter, *, status: int = 200, **context) -> HttpResponse:
    language = get_language()
    context = {
        "letter": letter,
        "title": letter.title(language),
        "count": letter_count_json(slug=letter.slug),
        "letter_url": share.letter_url(letter),
        "fragment_seconds": settings.LETTER_FRAGMENT_CACHE_SECONDS,
        "sign_action": reverse("front:embed-form", kwargs={"slug": letter.slug})
        + request.letter_access.query(),
        **context,
    }
    response = render(request, "front/embed_form.html", context, status=status)
    if request.method == "POST":
        response["Cache-Control"] = "private, no-store"
    return response
