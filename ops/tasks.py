import smtplib

from celery import shared_task

from .emails import send_rendered


@shared_task(bind=True, max_retries=8)
def send_email_task(self, message: dict) -> None:
    """Send an already rendered email (account mail, invitations)."""
    try:
        send_rendered(message)
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
        raise self.retry(exc=exc, countdown=min(3600, 30 * 2**self.request.retries)) from exc
