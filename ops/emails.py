"""Emails are template trios: emails/<name>-subject.txt, -body.txt and -body.html. Rendered
here, sent here or by the task beside (account mail, invitations; signers' confirmations
have their own outbox in signatures/outbox.py)."""

import smtplib

import css_inline
from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .queue import enqueue, retry_countdown


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


def send_rendered(message: dict, *, connection=None) -> None:
    """Send a rendered email. Optional keys: `headers` (extra headers), `envelope_from`
    (the SMTP sender, where bounces go, when it differs from the From header)."""
    headers = dict(message.get("headers") or {})
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
    )
    if message.get("html"):
        email.attach_alternative(message["html"], "text/html")
    email.send()


def send_templated(
    name: str, *, to: str, context: dict, language: str = "en", connection=None
) -> None:
    send_rendered(
        render_email(name, to=to, context=context, language=language), connection=connection
    )


@shared_task(bind=True, max_retries=8)
def send_email_task(self, message: dict) -> None:
    """Send an already rendered email, retrying while the mail server is away."""
    try:
        send_rendered(message)
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


def send_later(message: dict) -> None:
    """Through Celery (with retries); in-process if the broker is down, since the few emails
    sent this way (account mail, invitations) have a person waiting for them."""
    if not enqueue(send_email_task, message):
        send_email_task.apply(args=[message])
