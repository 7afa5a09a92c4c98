from django import template
from django.utils.formats import number_format

from signatures.trust import review_note_text

register = template.Library()


@register.filter
def percent(rate: float | None, digits: int = 1) -> str:
    """A rate (0.0213) as the reader's language writes a percentage ("2.1 %")."""
    if rate is None:
        return ""
    return f"{number_format(rate * 100, decimal_pos=int(digits))} %"


@register.filter
def review_note(note: str) -> str:
    """Why a name is held or flagged, in the organiser's language."""
    return review_note_text(note)
