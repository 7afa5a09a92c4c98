from django import template

from front.deferred_csrf import csrf_field as render_csrf_field

register = template.Library()


@register.simple_tag(takes_context=True)
def csrf_field(context) -> str:
    """{% csrf_token %} that a page shared through the edge cache leaves empty
    (front/deferred_csrf.py)."""
    return render_csrf_field(context)
