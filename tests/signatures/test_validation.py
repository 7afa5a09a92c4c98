"""Bad input answers 400 with the form and its errors, and writes nothing."""

import pytest

from signatures.models import Signature

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["name", "email", "profession"])
def test_each_required_field_missing_answers_400(letter, sign, sign_data, field):
    response = sign(letter, {k: v for k, v in sign_data.items() if k != field})
    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("profession", "astronaut"),
        ("country", "XX"),
        ("country", "gbr"),
        ("link", "not a url"),
        ("link", "javascript:alert(1)"),
        ("link", "ftp://example.org/work"),
        ("email", "not-an-email"),
        ("name", "x" * 10_000),
        ("name", "   "),
        ("name", "\u202e\u200b"),
        ("role", "r" * 500),
        ("name", "Ada\x00Lovelace"),
    ],
)
def test_invalid_value_answers_400_and_writes_nothing(letter, sign, sign_data, field, value):
    response = sign(letter, {**sign_data, field: value})
    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_error_page_keeps_what_was_typed_and_names_the_field(letter, sign, sign_data):
    response = sign(letter, {**sign_data, "link": "not a url"})
    body = response.content.decode()
    assert 'value="Ada Lovelace"' in body
    assert 'id="id_link_error"' in body


def test_profession_of_another_letter_is_refused(letter, sign, sign_data):
    from ..factories import ProfessionFactory

    ProfessionFactory(key="astronaut")
    response = sign(letter, {**sign_data, "profession": "astronaut"})
    assert response.status_code == 400


def test_optional_fields_may_be_empty(letter, sign, sign_data):
    data = {**sign_data, "role": "", "country": "", "link": ""}
    data.pop("show_name")
    response = sign(letter, data)
    assert response.status_code == 303
    signature = Signature.objects.get()
    assert signature.show_name is False
    assert signature.country == ""


def test_bidi_and_zero_width_characters_are_stripped_from_names(letter, sign, sign_data):
    sign(letter, {**sign_data, "name": "Ada\u202e Love\u200blace\u2066"})
    assert Signature.objects.get().name == "Ada Lovelace"


def test_get_on_sign_url_is_not_allowed(letter, client):
    assert client.get(f"/letters/{letter.slug}/sign/").status_code == 405
