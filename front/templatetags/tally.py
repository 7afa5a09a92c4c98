from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, ngettext

register = template.Library()

# One number in each of the plural categories (CLDR: zero, one, two, few, many, other) of
# the interface's languages, so the page can carry every form and static/js/live.js pick
# the right one as the count moves (Intl.PluralRules), with no catalogue in the browser.
SAMPLES = {
    "en": {"one": 1, "other": 2},
    "ar": {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 11, "other": 100},
}


def _phrase(n: int) -> str:
    return ngettext("person has signed", "people have signed", n)


def signed_phrase_text(n: int) -> str:
    """The phrase as plain text (the share image draws it)."""
    return _phrase(n)


@register.simple_tag
def signed_phrase(count: int) -> str:
    """ "people have signed" after the live count, in the plural form the number needs."""
    samples = SAMPLES.get((get_language() or "en")[:2], SAMPLES["en"])
    forms = format_html_join(" ", 'data-{}="{}"', ((k, _phrase(n)) for k, n in samples.items()))
    return format_html("<span data-count-phrase {}>{}</span>", forms, _phrase(count or 0))
