from allauth.mfa.utils import is_mfa_enabled
from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

# Where an organiser was going when they were sent to set up two-factor authentication.
AFTER_TWO_FACTOR = "organise-after-two-factor"


@register.simple_tag(takes_context=True)
def continue_after_two_factor(context) -> str:
    """On the account pages: once two-factor authentication is on, a link back to the page
    that asked for it (allauth goes on to the recovery codes, which must be seen first)."""
    request = context.get("request")
    path = request.session.get(AFTER_TWO_FACTOR) if request is not None else None
    if not path or not path.startswith("/organise/") or not is_mfa_enabled(request.user):
        return ""
    return format_html(
        '<p class="notice continue">{} <a href="{}">{}</a></p>',
        _("Two-factor authentication is on. Keep your recovery codes somewhere safe, then"),
        path,
        _("continue where you were going"),
    )
