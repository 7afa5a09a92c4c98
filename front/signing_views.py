"""Signers' pages: sign, check your inbox, and the links in their email (confirm, withdraw,
erase). Thin: the rules live in signatures.signing and signatures.defences."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing as cookie_signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ops.addresses import canonical_email
from ops.http import client_ip
from petition.models import Letter
from signatures import defences, signing
from signatures import selectors as signature_selectors
from signatures.counting import letter_count_json
from signatures.models import Signature
from signatures.outbox import signature_links
from signatures.referrals import brought, share_code
from signatures.selectors import place_in_count
from signatures.tokens import (
    Purpose,
    TokenExpired,
    TokenInvalid,
    open_text,
    read_token,
    seal_text,
    token_matches,
)

from . import share
from .access import Access, letter_or_404, readable_letter, refusal
from .deferred_csrf import origin_checked
from .forms import ManageForm, SignForm
from .letter_page import render_letter

log = logging.getLogger(__name__)


@dataclass
class Attempt:
    """What became of one press of "Sign": `outcome` is one of "closed" (the letter takes no
    signatures), "human_check" (the form again with the check), "throttled" (the letter-wide
    ceiling), "invalid" (the form with its errors) or "signed" (`email` is where it went).
    The letter page and the partner sites' embedded form answer each their own way."""

    outcome: str
    form: SignForm | None = None
    over_limit: bool = False
    email: str = ""


def sign_attempt(request: HttpRequest, letter: Letter) -> Attempt:
    """The sign POST's rules, the same wherever the form sits: limits, the human check, the
    form's own checks, blocks and bot traps (kept and emailed all the same), then signing."""
    if not request.letter_access.may_sign:
        return Attempt("closed")
    ip = client_ip(request)
    form = SignForm(request.POST, letter=letter)
    valid = form.is_valid()
    email_key = canonical_email(form.cleaned_data["email"]) if valid else None
    human = defences.human_check_passed(request.POST.get("human", ""))
    limit = defences.sign_throttled(letter=letter, ip=ip, email_key=email_key, human=human)
    if limit in defences.CLIENT_LIMITS or (letter.under_attack and not human):
        # The form again with everything typed; the old solution is spent.
        form = SignForm({**request.POST.dict(), "human": ""}, letter=letter)
        form.is_valid()
        return Attempt("human_check", form, over_limit=bool(limit))
    if limit:
        return Attempt("throttled")
    if not valid:
        return Attempt("invalid", form)
    email = form.cleaned_data["email"]
    signing.signature_sign(
        letter=letter,
        data=form.cleaned_data,
        ip=ip,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        language=get_language(),
        blocked_reason=defences.blocked_reason(letter=letter, email=email, ip=ip) or "",
        # Kept and emailed all the same: confirming from the inbox is the challenge.
        suspicion=defences.automation_reason(request.POST) or "",
    )
    return Attempt("signed", form, email=email)


@origin_checked
@require_POST
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    letter = readable_letter(request, slug)
    attempt = sign_attempt(request, letter)
    if attempt.outcome == "closed":
        return _not_signable(request, letter)
    if attempt.outcome == "human_check":
        return _human_check(request, letter, attempt.form, over_limit=attempt.over_limit)
    if attempt.outcome == "throttled":
        return _throttled(request, letter)
    if attempt.outcome == "invalid":
        return render_letter(request, letter, form=attempt.form, status=400)
    # The same answer whether or not this address had signed before (no enumeration).
    response = _see_other("front:signed", slug=letter.slug, query=request.letter_access.query())
    _remember_sent_to(request, response, attempt.email, letter.pk)
    return response


def _not_signable(request: HttpRequest, letter: Letter) -> HttpResponse:
    """403: closed, or a draft its organisers are still writing."""
    context = {"letter": letter, "state": request.letter_access.state}
    return render(request, "front/closed.html", context, status=403)


def _human_check(
    request: HttpRequest, letter: Letter, form: SignForm, *, over_limit: bool
) -> HttpResponse:
    """The form again with everything typed, and a human check the browser solves at once;
    without scripts, a wait. 429 over a limit; 200 while the letter is under attack."""
    response = render_letter(
        request,
        letter,
        form=form,
        status=429 if over_limit else 200,
        human_check=defences.human_check_challenge(),
    )
    if over_limit:
        response["Retry-After"] = "60"
    return response


def _throttled(request: HttpRequest, letter: Letter) -> HttpResponse:
    response = render(request, "front/throttled.html", {"letter": letter}, status=429)
    response["Retry-After"] = "60"
    return response


def _see_other(viewname: str, *, query: str = "", **kwargs) -> HttpResponse:
    response = HttpResponseRedirect(reverse(viewname, kwargs=kwargs) + query)
    response.status_code = 303
    return response


# The check-your-inbox page says where the email went: what the person typed, masked, in a
# signed cookie of an hour (no session row, and the same work whoever signs).
SENT_TO_COOKIE = "signed_to"


def masked_email(email: str) -> str:
    """ "ada@example.org" → "a••@example.org": enough to spot a typo, not to read it out."""
    local, _at, domain = email.rpartition("@")
    return f"{local[:1]}{'•' * min(max(len(local) - 1, 2), 6)}@{domain}"


RESEND_COOKIE = "resend_to"


def _remember_sent_to(
    request: HttpRequest, response: HttpResponse, email: str, letter_id: int
) -> None:
    """The inbox page shows where the email went (masked) and can send it again: the address
    itself only sealed (AES-GCM), in a cookie of this browser, for an hour."""
    value = cookie_signing.dumps(masked_email(email), salt=SENT_TO_COOKIE)  # ASCII, always
    for name, cookie in (
        (SENT_TO_COOKIE, value),
        (RESEND_COOKIE, seal_text(f"{letter_id}:{email}", purpose=RESEND_COOKIE)),
    ):
        response.set_cookie(
            name, cookie, max_age=3600, secure=request.is_secure(), httponly=True, samesite="Lax"
        )


def _sent_to(request: HttpRequest) -> str | None:
    value = request.COOKIES.get(SENT_TO_COOKIE, "")
    try:
        return cookie_signing.loads(value, salt=SENT_TO_COOKIE, max_age=3600)
    except cookie_signing.BadSignature:
        return None


def signed(request: HttpRequest, slug: str) -> HttpResponse:
    letter = readable_letter(request, slug)
    context = {
        "letter": letter,
        "sent_to": _sent_to(request),
        "can_resend": RESEND_COOKIE in request.COOKIES,
        "resent": request.GET.get("resent") == "1",
        "undeliverable": _undeliverable(request, letter),
    }
    return render(request, "front/check_inbox.html", context)


def _undeliverable(request: HttpRequest, letter: Letter) -> bool:
    """Whether this browser's own signing's confirmation bounced (its sealed cookie says
    which address: nobody else can ask about one)."""
    try:
        sealed = open_text(
            request.COOKIES.get(RESEND_COOKIE, ""), purpose=RESEND_COOKIE, max_age=3600
        )
    except TokenInvalid:
        return False
    letter_id, _colon, email = sealed.partition(":")
    if letter_id != str(letter.pk):
        return False
    return signature_selectors.confirmation_undeliverable(letter=letter, email=email)


@never_cache
def signed_status(request: HttpRequest, slug: str) -> JsonResponse:
    """What the open check-your-inbox page polls: whether the email bounced."""
    letter = readable_letter(request, slug)
    return JsonResponse({"undeliverable": _undeliverable(request, letter)})


@require_POST
def resend(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Send it again" on the inbox page: the same email, within the per-address limit."""
    letter = readable_letter(request, slug)
    try:
        sealed = open_text(
            request.COOKIES.get(RESEND_COOKIE, ""), purpose=RESEND_COOKIE, max_age=3600
        )
    except TokenInvalid:
        return _see_other("front:signed", slug=letter.slug, query=request.letter_access.query())
    letter_id, _colon, email = sealed.partition(":")
    ip = client_ip(request)
    if (
        letter_id != str(letter.pk)
        or not request.letter_access.may_sign
        or defences.blocked_reason(letter=letter, email=email, ip=ip)
    ):
        # Nothing to send; answered as if sent, as a blocked signing is (bots learn nothing).
        return _resent(request, letter)
    if defences.sign_throttled(
        letter=letter, ip=client_ip(request), email_key=canonical_email(email)
    ):
        return _throttled(request, letter)
    signing.signature_resend(letter=letter, email=email)
    return _resent(request, letter)


def _resent(request: HttpRequest, letter: Letter) -> HttpResponse:
    query = request.letter_access.query().replace("?", "&")
    return _see_other("front:signed", slug=letter.slug, query=f"?resent=1{query}")


def _signature_from_link(request, letter: Letter, token: str, purpose: Purpose):
    """(signature, None) for a good link; (None, error response) for a bad one. The token is
    the access: the letter's state does not matter, but its pages stay out of search engines
    while it is unpublished (front.access)."""
    claims, error = _read_link(request, letter, token, purpose)
    if error:
        return None, error
    signature_id, version, fingerprint = claims
    signature = Signature.objects.filter(pk=signature_id, letter=letter).first()
    if signature is None or not token_matches(fingerprint, signature.email_key):
        return None, _link_error(request, letter, expired=False)
    signature.link_version = version
    _speak_to(request, letter, signature)
    return signature, None


def _read_link(request, letter: Letter, token: str, purpose: Purpose):
    """((signature id, details version, address fingerprint), None) from a link's token, or
    (None, error response); reads nothing from the database."""
    request.letter_access = Access(letter)
    request.letter_languages = letter.languages()
    try:
        return read_token(token, purpose=purpose), None
    except TokenExpired:  # a link we sent: its holder knows the letter exists
        return None, _link_error(request, letter, expired=True)
    except TokenInvalid:
        return None, _link_error(request, letter, expired=False)


def _speak_to(request, letter: Letter, signature: Signature) -> None:
    """The pages an email links to speak the browser's language where the letter has it, else
    the one the email was written in: the signer's."""
    said = (
        settings.LANGUAGE_COOKIE_NAME in request.COOKIES or "HTTP_ACCEPT_LANGUAGE" in request.META
    )
    asked = translation.get_language() if said else None
    translation.activate(asked if asked in letter.languages() else signature.language)
    request.LANGUAGE_CODE = translation.get_language()


def _link_error(request, letter: Letter, *, expired: bool) -> HttpResponse:
    if not expired and not request.letter_access.public:
        raise refusal(request)  # a made-up link to an unpublished letter: as no letter at all
    return render(
        request,
        "front/link_invalid.html",
        {"letter": letter, "expired": expired},
        status=410 if expired else 400,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])  # POST: an invitee's consent button
def confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    letter = letter_or_404(request, slug)
    claims, error = _read_link(request, letter, token, Purpose.CONFIRM)
    if error:
        return error
    signature_id, version, fingerprint = claims
    # One locked read confirms a pending signature and makes the signer's own link. Safe to
    # repeat: mail scanners open this link too, and only a pending signature changes.
    signature = signing.signature_confirm_from_link(
        letter=letter,
        signature_id=signature_id,
        fingerprint=fingerprint,
        version=version,
        pressed=request.method == "POST",
    )
    if signature is None:
        return _link_error(request, letter, expired=False)
    _speak_to(request, letter, signature)
    if signature.added_by_id and signature.state == Signature.State.PENDING:
        # Someone else entered this name: consent is a button the person presses, never a
        # link a mail scanner opens.
        context = {"letter": letter, "signature": signature}
        return render(request, "front/consent.html", context)
    if signature.details_version != version:
        # A later signing with this address changed the details: this link shows old ones,
        # whether or not the newer ones have been confirmed since.
        context = {"letter": letter}
        return render(request, "front/confirm_superseded.html", context, status=409)
    count = letter_count_json(slug=letter.slug)
    own = letter.current_state() in Letter.PUBLIC_STATES and signature.counts
    context = {
        "letter": letter,
        "signature": signature,
        # The moment people most want to share: the count, and their own share link.
        "count": count,
        "place": place_in_count(signature=signature, total=count["signatures"]) if count else None,
        "letter_url": share.letter_url(letter, ref=share_code(signature) if own else ""),
        "share_links": share.share_links(
            letter, get_language(), ref=share_code(signature) if own else ""
        ),
        "own_link": own,
    }
    return render(request, "front/confirmed.html", context)


def _button_link(request, slug: str, token: str, *, purpose: Purpose, act, page: str):
    """A link from the email whose GET shows a page with a button; only the POST acts (mail
    scanners open every link)."""
    letter = letter_or_404(request, slug)
    signature, error = _signature_from_link(request, letter, token, purpose)
    if error:
        return error
    context = {"letter": letter, "signature": signature, "done": False}
    if request.method == "POST":
        act(signature_id=signature.pk)
        context["done"] = True
    return render(request, f"front/{page}.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    return _button_link(
        request,
        slug,
        token,
        purpose=Purpose.WITHDRAW,
        act=signing.signature_withdraw,
        page="withdraw",
    )


@never_cache
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    return _button_link(
        request, slug, token, purpose=Purpose.ERASE, act=signing.signature_erase, page="erase"
    )


# RFC 8058 one-click: mail providers POST to the List-Unsubscribe link with no cookie and no
# CSRF token. The sealed token in the URL is what authorises it (only the recipient has it),
# and the most a forged POST could do is stop or restart one person's updates.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """GET shows the choice and a button; POST unsubscribes at once (or, with
    `action=subscribe`, asks for updates again)."""
    letter = letter_or_404(request, slug)
    signature, error = _signature_from_link(request, letter, token, Purpose.UNSUBSCRIBE)
    if error:
        return error
    done = None
    if request.method == "POST":
        wanted = request.POST.get("action") == "subscribe"
        signing.signature_set_updates(signature_id=signature.pk, wanted=wanted)
        signature.updates, signature.updates_refused_at = wanted, None
        done = "subscribed" if wanted else "unsubscribed"
    # A mail server that refused an update for good stops them too, until asked again.
    receiving = signature.updates and signature.updates_refused_at is None
    context = {"letter": letter, "signature": signature, "done": done, "receiving": receiving}
    return render(request, "front/unsubscribe.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """ "Manage my signature", from the link in every email: GET shows a form and changes
    nothing; POST applies what needs no new confirmation at once, and sends a fresh
    confirmation for a new name or profession (published only once it is confirmed)."""
    letter = letter_or_404(request, slug)
    signature, error = _signature_from_link(request, letter, token, Purpose.MANAGE)
    if error:
        return error
    if signature.state not in (Signature.State.PENDING, Signature.State.CONFIRMED):
        return render(request, "front/manage.html", {"letter": letter, "signature": signature})
    own_link = ""
    if signature.counts and letter.current_state() in Letter.PUBLIC_STATES:
        own_link = share.letter_url(letter, ref=share_code(signature))
    form = ManageForm(request.POST if request.method == "POST" else None, signature=signature)
    done = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if form.needs_confirmation():
            signing.signature_sign(
                letter=letter,
                data={
                    **data,
                    "email": signature.email,
                    "signing_as": signature.signing_as,
                    "organisation": signature.organisation,
                    "public_figure": signature.public_figure,
                    "claim_link": signature.claim_link,
                },
                language=signature.language,
                change=signature.state == Signature.State.CONFIRMED,
            )
            done = "confirm"
        else:
            details = {field: data[field] for field in signing.MINOR_DETAILS}
            signing.signature_update_minor(
                signature_id=signature.pk, details=details, updates=data["updates"]
            )
            done = "saved"
    context = {
        "letter": letter,
        "signature": signature,
        "form": form,
        "done": done,
        "links": signature_links(signature),
        "own_link": own_link,
        "brought": brought(signature) if own_link else 0,
    }
    return render(request, "front/manage.html", context, status=400 if form.errors else 200)
