import json

from django import template

register = template.Library()


@register.filter
def json_attr(value) -> str:
    """A value as JSON for a data- attribute (autoescaping quotes it safely)."""
    return json.dumps(value, separators=(",", ":"))
