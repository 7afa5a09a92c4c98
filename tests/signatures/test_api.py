"""The public JSON API, exactly as the README's "Pages and API" table says."""

import time

import pytest

from signatures.counting import tally_recount
from signatures.models import Signature

from ..factories import SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(letter):
    novelist = letter.professions.get(key="novelist")
    actor = letter.professions.get(key="actor")
    rows = [
        SignatureFactory(letter=letter, profession=novelist, name="José Núñez", country="ES"),
        SignatureFactory(letter=letter, profession=actor, name="لَيْلَى مَنْصُور", country="LB"),
        SignatureFactory(
            letter=letter,
            profession=actor,
            name="Star Person",
            notable=True,
            notable_verified=True,
            country="US",
        ),
        SignatureFactory(letter=letter, profession=novelist, name="Hidden Name", show_name=False),
        SignatureFactory(
            letter=letter,
            profession=novelist,
            name="Unconfirmed Person",
            state=Signature.State.PENDING,
        ),
        SignatureFactory(
            letter=letter, profession=novelist, name="Gone Person", state=Signature.State.WITHDRAWN
        ),
    ]
    tally_recount(letter_id=letter.pk)
    return rows


def test_count_answers_the_contract_shape(client, letter, signed):
    response = client.get(f"/api/letters/{letter.slug}/count")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "slug",
        "signatures",
        "notable",
        "organisations",
        "by_profession",
        "by_country",
        "updated_at",
    }
    assert body["slug"] == letter.slug
    assert body["signatures"] == 4  # hidden names count; pending and withdrawn do not
    assert body["notable"] == 1
    assert body["by_profession"] == {"illustrator": 0, "actor": 2, "composer": 0, "novelist": 2}


def test_count_is_cacheable_by_a_cdn(client, letter):
    response = client.get(f"/api/letters/{letter.slug}/count")
    cache_control = response["Cache-Control"]
    assert "public" in cache_control
    assert "max-age=" in cache_control and "stale-while-revalidate=" in cache_control
    assert response["ETag"]
    assert response["Last-Modified"]
    # An nginx edge keeps it to the end of the current second (nginx counts whole seconds).
    expires = int(response["X-Accel-Expires"].removeprefix("@"))
    assert abs(expires - time.time()) < 2
    again = client.get(f"/api/letters/{letter.slug}/count", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_unknown_letter_answers_404_json(client, db):
    for path in ("/api/letters/nope/count", "/api/letters/nope/signatures"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def test_signatures_lists_notable_first_then_newest_and_never_an_email(client, letter, signed):
    response = client.get(f"/api/letters/{letter.slug}/signatures")
    assert response.status_code == 200
    body = response.json()
    names = [r["name"] for r in body["results"]]
    assert names == ["Star Person", "لَيْلَى مَنْصُور", "José Núñez"]
    assert body["next"] is None
    assert set(body["results"][0]) >= {
        "name",
        "profession",
        "role",
        "country",
        "notable",
        "signed_at",
    }
    assert "@" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=jose", ["José Núñez"]),
        ("q=NUNEZ", ["José Núñez"]),
        ("q=ليلى", ["لَيْلَى مَنْصُور"]),
        ("q=منصور", ["لَيْلَى مَنْصُور"]),
        ("profession=actor", ["Star Person", "لَيْلَى مَنْصُور"]),
        ("country=ES", ["José Núñez"]),
        ("notable=1", ["Star Person"]),
        ("q=hidden", []),
        ("q=unconfirmed", []),
    ],
)
def test_signatures_filters(client, letter, signed, query, expected):
    response = client.get(f"/api/letters/{letter.slug}/signatures?{query}")
    assert [r["name"] for r in response.json()["results"]] == expected


@pytest.mark.parametrize(
    "query",
    [
        "profession=astronaut",
        "country=XX",
        "notable=yes",
        "cursor=%%%",
        "cursor=WzEsIngiXQ",
        "q=" + "x" * 101,
    ],
)
def test_bad_parameters_answer_400_json(client, letter, query):
    response = client.get(f"/api/letters/{letter.slug}/signatures?{query}")
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_cursor_pages_are_stable_when_people_sign_meanwhile(client, letter):
    profession = letter.professions.first()
    SignatureFactory.create_batch(120, letter=letter, profession=profession)
    first = client.get(f"/api/letters/{letter.slug}/signatures").json()
    assert len(first["results"]) == 50
    SignatureFactory.create_batch(10, letter=letter, profession=profession)  # new signers
    seen = [r["name"] for r in first["results"]]
    url = first["next"]
    while url:
        page = client.get(url).json()
        seen += [r["name"] for r in page["results"]]
        url = page["next"]
    assert len(seen) == 120 == len(set(seen))


def test_next_link_keeps_the_filters(client, letter):
    profession = letter.professions.get(key="actor")
    SignatureFactory.create_batch(55, letter=letter, profession=profession, country="FR")
    body = client.get(f"/api/letters/{letter.slug}/signatures?country=FR&profession=actor").json()
    assert "country=FR" in body["next"] and "profession=actor" in body["next"]
    assert len(client.get(body["next"]).json()["results"]) == 5
