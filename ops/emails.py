"""Emails are template trios: emails/<name>-subject.txt, -body.txt and -body.html, rendered
here into plain data and sent here. What decides when to send is an outbox: signers'
confirmations (signatures/outbox.py), updates (updates/sending.py), every other email
(petition/mail.py)."""

import smtplib
from email.utils import make_msgid
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .addresses import ADDRESS_IN_TEXT


def render_email(name: str, *, to: str, context: dict, language: str = "en") -> dict:
    """A rendered email as plain data (it can cross a task queue)."""
    with translation.override(language):
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        text = render_to_string(f"emails/{name}-body.txt", context)
        # Mail clients drop <style> blocks: css-inline writes the CSS into style attributes.
        html = css_inline.inline(render_to_string(f"emails/{name}-body.html", context))
    return {
        "subject": " ".join(subject.split()),
        "body": text,
        "html": html,
        "from_email": settings.DEFAULT_FROM_EMAIL,
        "to": [to],
    }


def site_domain() -> str:
    """The site's own host name, for Message-IDs (not the machine's, which Django uses)."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def send_rendered(message: dict, *, connection=None) -> None:
    """Send a rendered email. Optional keys: `headers` (extra headers), `envelope_from`
    (the SMTP sender, where bounces go, when it differs from the From header), `reply_to`
    (addresses), `metadata` (kept by a provider's API and sent back with its webhooks, as
    anymail's `metadata`; an SMTP server ignores it). Every email is automatic: it says so
    (`Auto-Submitted`, RFC 3834, so auto-responders stay quiet), and its Message-ID is on
    the site's domain unless the caller chose one."""
    headers = {"Auto-Submitted": "auto-generated", **(message.get("headers") or {})}
    if not any(name.lower() == "message-id" for name in headers):
        headers["Message-ID"] = make_msgid(domain=site_domain())
    from_email = message["from_email"]
    if message.get("envelope_from"):
        headers["From"] = from_email  # Django sends from_email as the envelope sender
        from_email = message["envelope_from"]
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=from_email,
        to=message["to"],
        connection=connection,
        headers=headers,
        reply_to=message.get("reply_to") or None,
    )
    if message.get("html"):
        email.attach_alternative(message["html"], "text/html")
    if message.get("metadata"):
        email.metadata = message["metadata"]  # read by anymail's backends
    email.send()


def send_templated(
    name: str,
    *,
    to: str,
    context: dict,
    language: str = "en",
    connection=None,
    metadata: dict | None = None,
) -> None:
    message = render_email(name, to=to, context=context, language=language)
    send_rendered({**message, "metadata": metadata}, connection=connection)


# What a mail server says about one message (as opposed to the connection or the session).
_REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def without_addresses(text: str) -> str:
    """What a mail server or provider said, to keep and show organisers: without the address
    it was about (they quote it; it would reach pages that mask addresses), at most 300
    characters."""
    return ADDRESS_IN_TEXT.sub("[address]", text)[:300]


def refusal_text(exc: Exception) -> str:
    return without_addresses(str(exc) or type(exc).__name__)


def is_permanent_refusal(exc: Exception) -> bool:
    """The server refused this message for good (5xx). Anything else that goes wrong while
    sending (a 4xx, a lost connection, a failed login) is temporary: try again later."""
    if not isinstance(exc, _REFUSALS):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return 500 <= exc.smtp_code < 600
