from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from ops.emails import send_later


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Organisers invite each other; ACCOUNT_SIGNUP_OPEN=1 opens sign-up to anyone."""
        return settings.ACCOUNT_SIGNUP_OPEN

    def send_mail(self, template_prefix, email, context) -> None:
        """Account mail goes through Celery like every other email."""
        message = self.render_mail(template_prefix, email, context)
        alternatives = getattr(message, "alternatives", [])
        html = next((body for body, kind in alternatives if kind == "text/html"), "")
        send_later(
            {
                "subject": message.subject,
                "body": message.body,
                "from_email": message.from_email,
                "to": list(message.to),
                "html": html,
            }
        )
