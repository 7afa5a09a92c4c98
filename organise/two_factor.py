"""Two-factor authentication for everything organisers can reach.

1. Every page and action of the organisers' area and of the Django admin needs it: an
   organiser signed in with a password alone is sent to set it up (and back afterwards) by
   `TwoFactorMiddleware`, whatever the view, so a page added later cannot forget it
   (tests/organise/test_two_factor.py walks the whole URLconf).
2. The moves that hand over a letter or its signers (adding or removing an owner, removing
   any organiser, a block, moving the letter through its states or scheduling it to move)
   also ask for a fresh code: an authenticator code typed in the last
   ORGANISER_FRESH_CODE_SECONDS, at sign-in, on setting two-factor up, or since. Without one
   the organiser is sent to allauth's code page and back to the page they were on, where
   they press the button again: nothing is kept and replayed (a kept request could be
   swapped for another by whoever shares the session, and would keep its headers).
"""

import time
from urllib.parse import urlencode

from allauth.account.internal.flows.login import (
    get_authentication_records,
    record_authentication,
)
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .templatetags.two_factor import AFTER_TWO_FACTOR

GUARDED_NAMESPACES = {"organise", "admin"}
TWO_FACTOR_WHY = gettext_lazy(
    "Organisers see signers' details and can change a letter: every organiser page needs "
    "two-factor authentication. Set it up first."
)


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or not GUARDED_NAMESPACES & set(match.namespaces):
            return None
        user = request.user
        if not user.is_authenticated:
            return None  # the view's own sign-in page
        if "admin" in match.namespaces and not user.is_staff:
            return None  # the admin's own refusal
        if is_mfa_enabled(user):
            request.session.pop(AFTER_TWO_FACTOR, None)  # arrived: no way back to offer
            return None
        messages.info(request, TWO_FACTOR_WHY)
        # allauth shows the recovery codes after set-up, not `next`: the account pages offer
        # a way back (organise/templatetags/two_factor.py).
        if request.method == "GET":
            request.session[AFTER_TWO_FACTOR] = request.get_full_path()
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('mfa_activate_totp')}?{query}")


def has_fresh_code(request: HttpRequest) -> bool:
    """An authenticator code was typed in the last ORGANISER_FRESH_CODE_SECONDS."""
    newest = max(
        (
            record.get("at", 0)
            for record in get_authentication_records(request, request.user)
            if record.get("method") == "mfa"
        ),
        default=0,
    )
    return time.time() - newest < settings.ORGANISER_FRESH_CODE_SECONDS


def ask_for_a_fresh_code(request: HttpRequest) -> HttpResponse | None:
    """None if the request may go on; otherwise the way to allauth's code page, which sends
    the organiser back to this page once the code is typed (nothing is replayed)."""
    if has_fresh_code(request):
        return None
    messages.info(
        request,
        _(
            "This change needs a fresh code from your authenticator app. Type it, then press "
            "the button again."
        ),
    )
    back = request.path  # the page, never the POST: it is pressed again once the code is in
    return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': back})}")


def code_typed_on_set_up(sender, request, user, authenticator, **kwargs) -> None:
    """Turning two-factor on means typing a code: it counts as a fresh one, so a new
    organiser is not asked for another at their first change."""
    if request is not None and authenticator.type == "totp":
        record_authentication(request, user, method="mfa", type="totp")
