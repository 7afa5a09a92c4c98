"""Mail providers' tracking webhooks, `/hooks/email/<provider>/`: anymail's own views, which
check the HTTP basic auth of EMAIL_WEBHOOK_SECRET (and Mailgun's signature), parse each
provider's payload into one kind of event and send anymail's `tracking` signal
(signatures/bounces.py takes it from there). Served only once EMAIL_WEBHOOK_SECRET is set,
for every provider whatever sends the mail (a provider's SMTP relay reports bounces too)."""

import logging

from anymail.exceptions import AnymailError
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt

log = logging.getLogger(__name__)

VIEWS = {
    "postmark": PostmarkTrackingWebhookView,
    "amazon_ses": AmazonSESTrackingWebhookView,
    "mailgun": MailgunTrackingWebhookView,
    "sendgrid": SendGridTrackingWebhookView,
    "brevo": BrevoTrackingWebhookView,
}


def _available(provider: str) -> bool:
    if not settings.EMAIL_WEBHOOK_SECRET or provider not in VIEWS:
        return False
    # Mailgun signs its calls and anymail insists on the key: without it, no Mailgun hook.
    anymail = getattr(settings, "ANYMAIL", {})
    return provider != "mailgun" or bool(
        anymail.get("MAILGUN_WEBHOOK_SIGNING_KEY") or anymail.get("MAILGUN_API_KEY")
    )


@csrf_exempt  # the caller is a provider, authenticated by basic auth (and a signature)
def email_webhook(request: HttpRequest, provider: str) -> HttpResponse:
    if not _available(provider):
        raise Http404("No such webhook.")
    try:
        return VIEWS[provider].as_view()(request)
    except (AnymailError, ValueError, TypeError, AttributeError, LookupError) as exc:
        # A payload anymail cannot read (not JSON, a field missing, a list for an object):
        # the caller's mistake, never a 5xx. A provider retries what it meant.
        log.warning("%s webhook refused: %s", provider, exc)
        return HttpResponseBadRequest("Not a payload this webhook reads.")
