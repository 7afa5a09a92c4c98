from django import forms
from django_countries import countries


def _country_choices():
    return [("", "—"), *countries]  # sorted in the active language when iterated


class CountryField(forms.ChoiceField):
    """An optional ISO 3166-1 alpha-2 code. Validated by lookup, not by walking the choices
    (the ~250 options are rendered only with the form, inside the page's fragment cache)."""

    def __init__(self, **kwargs):
        super().__init__(choices=_country_choices, **kwargs)

    def valid_value(self, value) -> bool:
        return value in countries.countries
