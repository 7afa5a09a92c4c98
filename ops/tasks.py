import smtplib

from celery import shared_task

from .emails import send_rendered
from .queue import retry_countdown


@shared_task(bind=True, max_retries=8)
def send_email_task(self, message: dict) -> None:
    """Send an already rendered email (account mail, invitations)."""
    try:
        send_rendered(message)
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
