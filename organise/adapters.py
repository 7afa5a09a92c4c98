import time
from datetime import timedelta

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.urls import reverse
from django.utils import timezone

from ops.http import client_ip
from petition.mail import mail_queue

from .templatetags.two_factor import AFTER_TWO_FACTOR
from .two_factor import TWO_FACTOR_WHY


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        """An organiser without two-factor authentication goes from the password straight to
        setting it up (every page with signer data needs it), then back to their letters."""
        if not is_mfa_enabled(request.user):
            request.session[AFTER_TWO_FACTOR] = reverse("organise:dashboard")
            messages.info(request, TWO_FACTOR_WHY)
            return reverse("mfa_activate_totp")
        return super().get_login_redirect_url(request)

    def get_client_ip(self, request) -> str:
        """The address allauth rate-limits sign-ins by: the site's one rule (ops.http,
        TRUSTED_PROXY_COUNT), so behind the stack's nginx, where gunicorn on a unix socket has
        no REMOTE_ADDR, sign-in works instead of answering 403."""
        return client_ip(request) or super().get_client_ip(request)

    def is_open_for_signup(self, request) -> bool:
        """Organisers invite each other; ACCOUNT_SIGNUP_OPEN=1 opens sign-up to anyone."""
        return settings.ACCOUNT_SIGNUP_OPEN

    def send_mail(self, template_prefix, email, context) -> None:
        """Account mail goes through the outbox like every other one-off email (kept until a
        mail server accepts it)."""
        message = self.render_mail(template_prefix, email, context)
        alternatives = getattr(message, "alternatives", [])
        html = next((body for body, kind in alternatives if kind == "text/html"), "")
        mail_queue(
            {
                "subject": message.subject,
                "body": message.body,
                "from_email": message.from_email,
                "to": list(message.to),
                "html": html,
            },
            kind="account",
        )

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A password typed at sign-in within ACCOUNT_REAUTHENTICATION_TIMEOUT counts as
        recent for two-factor set-up: a new organiser, sent to set it up right after signing
        in, is not asked for the same password again (allauth counts only an explicit
        re-authentication). Every other sensitive step still asks."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        if required and app == "allauth.mfa" and _first_set_up_after_a_password():
            return False
        return required


def _first_set_up_after_a_password() -> bool:
    """Setting two-factor up for the first time, just after typing the password: the set-up
    page and the recovery codes it shows right after. Two-factor that was on before this
    sign-in is managed (codes, turning it off) only after a fresh re-authentication, as
    allauth would ask: a stolen session must not read the codes."""
    request = context.request
    if request is None or not request.user.is_authenticated:
        return False
    window = account_settings.REAUTHENTICATION_TIMEOUT
    if is_mfa_enabled(request.user):
        since = timezone.now() - timedelta(seconds=window)
        if request.user.authenticator_set.filter(created_at__lt=since).exists():
            return False  # it was on before: not the first set-up
    return any(
        record.get("method") == "password" and time.time() - record.get("at", 0) < window
        for record in get_authentication_records(request, request.user)
    )
