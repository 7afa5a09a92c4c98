from django.conf import settings
from django.http import HttpRequest


def accounts(request: HttpRequest) -> dict:
    """What the account pages need to know: whether anyone may sign up (normally organisers
    are invited, so the sign-in page does not offer a sign-up that would refuse them)."""
    return {"signup_open": settings.ACCOUNT_SIGNUP_OPEN}
