"""Too many attempts from one address (contract, changed 2026-12-06): the answer is the
form with everything typed and a proof-of-work check that lets a person through at once; a
letter under attack asks every signer; the letter-wide ceiling stays a plain 429."""

import base64
import html
import json

import altcha
import pytest

from signatures.models import Signature

from ..conftest import away_from_a_minute_edge

pytestmark = pytest.mark.django_db

ADDRESS = {"REMOTE_ADDR": "198.51.100.7"}


@pytest.fixture
def limits(settings):
    away_from_a_minute_edge()
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_SIGN_IP_BURST = "2/m"
    return settings


def solve(body: str) -> str:
    """What the page's script does: find the number, and encode the answer."""
    start = body.index('data-human-check="') + len('data-human-check="')
    raw = html.unescape(body[start : body.index('"', start)])  # as the browser reads it
    challenge = json.loads(raw)
    solution = altcha.solve_challenge_v1(
        challenge["challenge"], challenge["salt"], challenge["algorithm"], challenge["maxnumber"]
    )
    answer = {**challenge, "number": solution.number}
    answer.pop("maxnumber")
    return base64.b64encode(json.dumps(answer).encode()).decode()


def test_over_the_address_limit_the_form_comes_back_kept_with_a_check(
    letter, sign, sign_data, limits
):
    for n in range(2):
        sign(letter, {**sign_data, "email": f"p{n}@example.org"}, **ADDRESS)
    third = {**sign_data, "email": "third@example.org", "name": "Thea Third", "role": "Poet"}
    answer = sign(letter, third, **ADDRESS)
    assert answer.status_code == 429 and answer["Retry-After"]
    body = answer.content.decode()
    assert "data-human-check" in body and "js/human_check.js" in body
    assert 'value="Thea Third"' in body and 'value="third@example.org"' in body
    assert 'value="Poet"' in body
    assert not Signature.objects.filter(email="third@example.org").exists()
    through = sign(letter, {**third, "human": solve(body)}, **ADDRESS)
    assert through.status_code == 303
    assert Signature.objects.filter(email="third@example.org").exists()


def test_a_solved_check_works_once(letter, sign, sign_data, limits):
    for n in range(2):
        sign(letter, {**sign_data, "email": f"p{n}@example.org"}, **ADDRESS)
    body = sign(letter, {**sign_data, "email": "a@example.org"}, **ADDRESS).content.decode()
    answer = solve(body)
    assert (
        sign(
            letter, {**sign_data, "email": "a@example.org", "human": answer}, **ADDRESS
        ).status_code
        == 303
    )
    again = sign(letter, {**sign_data, "email": "b@example.org", "human": answer}, **ADDRESS)
    assert again.status_code == 429  # replayed: asked again
    assert not Signature.objects.filter(email="b@example.org").exists()


@pytest.mark.parametrize("forged", ["", "garbage", base64.b64encode(b"{}").decode(), "x" * 5000])
def test_a_forged_check_is_asked_again_never_a_500(letter, sign, sign_data, limits, forged):
    for n in range(2):
        sign(letter, {**sign_data, "email": f"p{n}@example.org"}, **ADDRESS)
    answer = sign(letter, {**sign_data, "email": "f@example.org", "human": forged}, **ADDRESS)
    assert answer.status_code == 429 and "data-human-check" in answer.content.decode()


def test_under_attack_every_signer_is_asked_first(letter, sign, sign_data):
    letter.under_attack = True
    letter.save()
    asked = sign(letter, sign_data)
    assert asked.status_code == 200 and "data-human-check" in asked.content.decode()
    assert not Signature.objects.exists()
    assert sign(letter, {**sign_data, "human": solve(asked.content.decode())}).status_code == 303
    assert Signature.objects.count() == 1


def test_the_letter_wide_ceiling_stays_a_plain_429(letter, sign, sign_data, limits):
    limits.RATELIMIT_SIGN_LETTER = "1/m"
    sign(letter, sign_data)
    answer = sign(letter, {**sign_data, "email": "other@example.org"}, REMOTE_ADDR="203.0.113.5")
    assert answer.status_code == 429 and "data-human-check" not in answer.content.decode()
