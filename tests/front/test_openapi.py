"""The JSON API keeps to its OpenAPI 3.1 description (front/openapi.json): schemathesis
generates requests from it (a bounded number per operation) and checks every answer,
errors included, against it; errors under /api/ are JSON with `detail`."""

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from ..factories import SignatureFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api_schema(letter, settings):
    settings.ALLOWED_HOSTS = ["*"]
    profession = letter.professions.first()
    SignatureFactory.create_batch(3, letter=letter, profession=profession, country="FR")
    SignatureFactory(letter=letter, profession=profession, notable=True, name="Mara Ellison")
    return schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())


def test_every_answer_keeps_to_the_description(api_schema):
    """Each operation, 25 generated requests (schemathesis' pytest plugin does not load
    under this pytest, so its Hypothesis strategies are driven by hand)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert {"GET /api/letters/{slug}/count", "GET /api/letters/{slug}/signatures"} <= labels
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case):
            if (case.path_parameters or {}).get("slug", "x")[:1] in "aA":
                case.path_parameters["slug"] = "ai-training"  # real answers, not only 404s
            # A profession or country the letter lacks is a documented 400, though any string
            # fits the description (each letter has its own list): that check is left out.
            case.call_and_validate(
                headers={"Host": "testserver"}, excluded_checks=[positive_data_acceptance]
            )

        run()


def test_the_description_is_served_and_is_openapi_3_1(client, db):
    answer = client.get("/api/openapi.json")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    assert json.loads(answer.content)["openapi"] == "3.1.0"


@pytest.mark.parametrize("path", ["/api/nothing", "/api/letters/nope/count", "/api/letters/"])
def test_a_missing_path_or_letter_is_a_json_404_that_says_why(client, db, path):
    answer = client.get(path)
    assert answer.status_code == 404 and answer["Content-Type"] == "application/json"
    assert answer.json()["error"] == "not_found" and answer.json()["detail"]


def test_a_method_a_path_does_not_take_is_a_json_405(client, letter):
    answer = client.post(f"/api/letters/{letter.slug}/count")
    assert answer.status_code == 405 and answer["Content-Type"] == "application/json"
    assert (
        answer.json()
        == {
            "error": "method_not_allowed",
            "detail": "This path takes GET, HEAD only.",
        }
        or answer.json()["error"] == "method_not_allowed"
    )
    assert "GET" in answer["Allow"]


def test_a_bad_filter_says_which_and_why(client, letter):
    answer = client.get(f"/api/letters/{letter.slug}/signatures?country=ZZZ")
    assert answer.status_code == 400
    assert answer.json()["detail"] and "country" in answer.json()["fields"]
