from django import forms
from django.utils.translation import get_language
from django_countries import countries


def _country_choices():
    return [("", "—"), *countries]  # sorted in the active language when iterated


class CountrySelect(forms.Select):
    """The ~250 country options cost ~20 ms to render through Django's widget templates, yet
    only vary with the language: render each empty variant once per process."""

    _rendered: dict[tuple, str] = {}

    def render(self, name, value, attrs=None, renderer=None):
        if value:
            return super().render(name, value, attrs, renderer)
        key = (get_language(), name, tuple(sorted({**self.attrs, **(attrs or {})}.items())))
        html = self._rendered.get(key)
        if html is None:
            html = self._rendered[key] = super().render(name, value, attrs, renderer)
        return html


class CountryField(forms.ChoiceField):
    """An optional ISO 3166-1 alpha-2 code. Validated by lookup, not by walking the choices."""

    widget = CountrySelect

    def __init__(self, **kwargs):
        super().__init__(choices=_country_choices, **kwargs)

    def valid_value(self, value) -> bool:
        return value in countries.countries
