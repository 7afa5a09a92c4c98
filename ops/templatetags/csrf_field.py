from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def csrf_field(context) -> str:
    """{% csrf_token %}, except on a page shared with everyone (ops/edge.py): there the field
    starts empty and static/js/csrf.js fills it from /csrf/."""
    request = context.get("request")
    if request is not None and getattr(request, "csrf_deferred", False):
        return format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="" data-csrf-url="{}">',
            reverse("ops:csrf"),
        )
    return CsrfTokenNode().render(context)
