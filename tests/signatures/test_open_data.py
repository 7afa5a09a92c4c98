"""Open data (contract, "Reach"): /letters/<slug>/signatures.csv streams every listed signer
of a public letter, never an email, at most a few minutes old, and 404 for a letter that is
not public; the signer list shows where signers are, as a chart with a table."""

import csv
import io
import os
import time

import pytest
from django.test import Client

from petition.models import Letter
from signatures.open_data import open_data_file

from ..factories import SignatureFactory

pytestmark = pytest.mark.django_db


def _rows(answer) -> list[dict]:
    body = b"".join(answer.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def signers(letter, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    profession = letter.professions.get(key="novelist")
    SignatureFactory(
        letter=letter,
        profession=profession,
        name="Listed Person",
        country="FR",
        email="listed@example.org",
    )
    SignatureFactory(
        letter=letter,
        profession=profession,
        name="Hidden Person",
        show_name=False,
        email="hidden@example.org",
    )
    SignatureFactory(letter=letter, profession=profession, name="Held Person", held=True)
    SignatureFactory(
        letter=letter, profession=profession, name="Unconfirmed", state="pending", confirmed_at=None
    )
    SignatureFactory(
        letter=letter,
        profession=profession,
        name="Signer For",
        signing_as="organisation",
        organisation="Authors' Guild",
        organisation_verified=True,
    )
    SignatureFactory(letter=letter, profession=profession, name="=HYPERLINK(1)")
    return letter


def test_the_csv_lists_the_listed_signers_and_never_an_email(client, signers):
    answer = client.get(f"/letters/{signers.slug}/signatures.csv")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = _rows(answer)
    names = {row["name"] for row in rows}
    assert names == {"Listed Person", "Signer For", "'=HYPERLINK(1)"}  # formulas defused
    assert list(rows[0]) == [
        "name",
        "profession",
        "role",
        "country",
        "organisation",
        "notable",
        "signed_at",
    ]
    listed = next(row for row in rows if row["name"] == "Listed Person")
    assert (listed["profession"], listed["country"]) == ("Novelist", "FR")
    assert next(r for r in rows if r["name"] == "Signer For")["organisation"] == "Authors' Guild"
    body = b"".join(client.get(f"/letters/{signers.slug}/signatures.csv").streaming_content)
    assert b"@example.org" not in body


def test_it_is_regenerated_at_most_every_few_minutes(client, signers, settings):
    settings.OPEN_DATA_MAX_AGE_SECONDS = 300
    first = open_data_file(signers)
    written = first.stat().st_mtime
    profession = signers.professions.first()
    SignatureFactory(letter=signers, profession=profession, name="Late Signer")
    assert open_data_file(signers).stat().st_mtime == written  # not a pass per request
    assert "Late Signer" not in {
        r["name"] for r in _rows(client.get(f"/letters/{signers.slug}/signatures.csv"))
    }
    os.utime(first, (time.time() - 301, time.time() - 301))  # five minutes on
    assert "Late Signer" in {
        r["name"] for r in _rows(client.get(f"/letters/{signers.slug}/signatures.csv"))
    }


@pytest.mark.parametrize("state", ["draft", "private"])
def test_a_letter_that_is_not_public_answers_404(client, signers, state):
    Letter.objects.filter(pk=signers.pk).update(state=state)
    assert client.get(f"/letters/{signers.slug}/signatures.csv").status_code == 404
    key = Letter.objects.get(pk=signers.pk).private_key
    assert client.get(f"/letters/{signers.slug}/signatures.csv?key={key}").status_code == 404


def test_the_signer_list_links_it_with_its_licence_and_shows_where_signers_are(signers):
    from signatures.counting import tally_recount

    tally_recount(letter_id=signers.pk)
    body = Client().get(f"/letters/{signers.slug}/signatures/").content.decode()
    assert f'href="/letters/{signers.slug}/signatures.csv"' in body and "CC BY 4.0" in body
    assert "Where signers are" in body and '<th scope="row">France</th>' in body
    assert '<meter class="country-chart__bar"' in body


def test_the_letter_page_shows_where_signers_are_as_a_chart_with_its_table(signers):
    from signatures.counting import tally_recount

    tally_recount(letter_id=signers.pk)
    body = Client().get(f"/letters/{signers.slug}/").content.decode()
    chart = body[body.index('<section class="by-country"') :]
    chart = chart[: chart.index("</section>")]
    assert '<th scope="row">France</th>' in chart and "<caption" in chart
    assert 'aria-hidden="true"' in chart  # the bars; a screen reader reads the numbers
    arabic = Client().get(f"/letters/{signers.slug}/?lang=ar").content.decode()
    assert '<th scope="row">فرنسا</th>' in arabic


def test_a_single_country_beyond_the_chart_is_named_not_folded():
    from front.countries import country_rows

    rows = country_rows({"FR": 5, "GB": 3, "SE": 1}, most=2)
    assert [row["code"] for row in rows] == ["FR", "GB", "SE"]
    rows = country_rows({"FR": 5, "GB": 3, "SE": 1, "NO": 1}, most=2)
    assert [row["code"] for row in rows] == ["FR", "GB", ""] and rows[-1]["n"] == 2
