from django import forms
from django_countries import countries

from signatures.normalise import search_key


def _country_choices():
    """The countries by their name in the reader's language, in that language's order: the
    names folded as name search folds them (case, accents, Arabic alef and hamza forms), since
    django-countries left the Arabic list in the order of the English names."""
    return [("", "—"), *sorted(countries, key=lambda country: search_key(str(country.name)))]


class CountryField(forms.ChoiceField):
    """An optional ISO 3166-1 alpha-2 code. Validated by lookup, not by walking the choices
    (the ~250 options are rendered only with the form, inside the page's fragment cache)."""

    def __init__(self, **kwargs):
        super().__init__(choices=_country_choices, **kwargs)

    def valid_value(self, value) -> bool:
        return value in countries.countries


def country_rows(by_country: dict[str, int], *, most: int = 15) -> list[dict]:
    """The countries signers gave, most first, each with the largest (its bar's scale); the
    rest summed as one line."""
    rows = list(by_country.items())
    if len(rows) == most + 1:
        most += 1  # one country more is named rather than folded into "Other countries"
    top, rest = rows[:most], sum(n for _code, n in rows[most:])
    largest = max((n for _code, n in top), default=1)
    shown = [
        {"code": code, "name": countries.name(code) or code, "n": n, "of": largest}
        for code, n in top
    ]
    if rest:
        shown.append({"code": "", "name": None, "n": rest, "of": max(largest, rest)})
    return shown
