"""Details of the organisers' area a launch-day team relies on."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from ..factories import SignatureFactory
from .form_data import settings_data

pytestmark = pytest.mark.django_db


def test_the_arabic_chart_writes_svg_numbers_with_a_decimal_point(cast, as_user):
    letter = cast["letter"]
    SignatureFactory.create_batch(
        3, letter=letter, profession=letter.professions.first(), confirmed_at=timezone.now()
    )
    body = as_user(cast["alice"]).get("/organise/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    numbers = re.findall(r'<rect x="([^"]*)" y="([^"]*)" width="([^"]*)" height="([^"]*)"', svg)
    assert len(numbers) == 1  # a letter made today: one day, none before it existed
    for value in (v for rect in numbers for v in rect):
        float(value)  # "500,0" would raise: browsers cannot read it either


def test_the_audit_log_names_the_command_line_and_field_labels(cast, as_user):
    letter = cast["letter"]
    call_command("add_organiser", letter.slug, "gina@example.org", "--role", "moderator")
    client = as_user(cast["alice"])
    data = settings_data(letter, featured="on", organiser_name="The coalition")
    assert client.post(f"/organise/letters/{letter.slug}/settings/", data).status_code == 302
    body = client.get(f"/organise/letters/{letter.slug}/audit/").content.decode()
    assert "None" not in body
    assert "the command line" in body
    assert "organiser_name" not in body and "Organised by (public name)" in body
