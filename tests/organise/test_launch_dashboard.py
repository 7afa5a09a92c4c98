"""The launch dashboard and where signers came from: `?ref=` kept on the signature, partner
share links, per-hour and per-day charts with axes, confirmation rate, email figures."""

import html
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from petition.models import AuditEntry, Source
from signatures.models import Signature

from ..factories import SignatureFactory

pytestmark = pytest.mark.django_db


def test_a_share_links_ref_is_kept_on_the_signature(client, sign, letter, sign_data):
    page = client.get(f"/letters/{letter.slug}/?ref=EWC").content.decode()
    assert 'name="ref" value="ewc"' in page
    sign(letter, {**sign_data, "ref": "ewc"})
    assert Signature.objects.get().source == "ewc"
    sign(letter, {**sign_data, "ref": "someone-else"})  # signing again keeps the first
    assert Signature.objects.get().source == "ewc"


@pytest.mark.parametrize("ref", ["<script>", "x" * 41, "../etc", "ünï", " "])
def test_a_bad_ref_is_dropped_and_never_costs_a_signature(client, sign, letter, sign_data, ref):
    assert 'name="ref"' in client.get(f"/letters/{letter.slug}/", {"ref": ref}).content.decode()
    response = sign(letter, {**sign_data, "ref": ref})
    assert response.status_code == 303
    assert Signature.objects.get().source == ""


def test_organisers_make_labelled_links(cast, as_user):
    letter = cast["letter"]
    bob = as_user(cast["bob"])  # a moderator may make them too
    path = f"/organise/letters/{letter.slug}/sources/"
    response = bob.post(path, {"label": "European Writers' Council", "key": ""})
    assert response.status_code == 302
    source = Source.objects.get(letter=letter)
    assert source.key == "european-writers-council"
    assert bob.post(path, {"label": "Again", "key": "european-writers-council"}).status_code == 400
    assert bob.post(path, {"label": "", "key": ""}).status_code == 400
    page = bob.get(path).content.decode()
    assert f"/letters/{letter.slug}/?ref=european-writers-council" in page
    assert AuditEntry.objects.filter(action="source").exists()


def test_the_dashboard_breaks_the_count_down_by_source(cast, as_user):
    letter = cast["letter"]
    Source.objects.create(letter=letter, key="ewc", label="European Writers' Council")
    SignatureFactory.create_batch(3, letter=letter, source="ewc")
    SignatureFactory.create_batch(2, letter=letter, source="")
    SignatureFactory(letter=letter, source="newsletter", state=Signature.State.PENDING)
    page = as_user(cast["bob"]).get(f"/organise/letters/{letter.slug}/overview/")
    body = page.content.decode()
    assert page.status_code == 200
    rows = re.findall(
        r"<tr>\s*<td>(.*?)</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>", body, re.S
    )
    by_source = {
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", label)).split()): (int(c), int(a))
        for label, c, a in rows
    }
    assert by_source["European Writers' Council ewc"] == (3, 3)
    assert by_source["Direct (no ref)"] == (2, 2)
    assert by_source["newsletter (no label)"] == (0, 1)


def test_the_dashboard_charts_hours_and_days_with_axes(cast, as_user):
    letter = cast["letter"]
    now = timezone.now()
    SignatureFactory.create_batch(4, letter=letter, confirmed_at=now)
    SignatureFactory.create_batch(2, letter=letter, confirmed_at=now - timedelta(hours=5))
    body = (
        as_user(cast["alice"])
        .get(f"/organise/letters/{letter.slug}/overview/", HTTP_ACCEPT_LANGUAGE="ar")
        .content.decode()
    )
    hourly = body[body.index('aria-labelledby="chart-hourly"') :]
    hourly = hourly[: hourly.index("</svg>")]
    rects = re.findall(r'<rect x="([^"]*)" y="([^"]*)" width="([^"]*)" height="([^"]*)"', hourly)
    assert len(rects) == 48
    for value in (v for rect in rects for v in rect):
        float(value)  # never "500,0", whatever the language
    heights = [float(rect[3]) for rect in rects]
    assert heights[-1] > heights[-6] > 0 and heights.count(0.0) == 46
    assert len(re.findall(r'<text x="[^"]*" y="[^"]*" text-anchor="end"', hourly)) == 3  # y axis
    assert len(re.findall(r'text-anchor="middle"', hourly)) == 8  # an hour label every 6
    daily = body[body.index('aria-labelledby="chart-daily"') :]
    daily = daily[: daily.index("</svg>")]
    day_labels = re.findall(r'text-anchor="middle">([^<]*)</text>', daily)
    assert day_labels and all(label.strip() for label in day_labels)  # dates, not blanks


def test_the_dashboard_shows_confirmation_rate_and_email_figures(cast, as_user):
    letter = cast["letter"]
    SignatureFactory.create_batch(3, letter=letter)
    SignatureFactory(letter=letter, state=Signature.State.PENDING, confirmed_at=None)
    SignatureFactory(
        letter=letter,
        state=Signature.State.PENDING,
        confirmed_at=None,
        email_failed_at=timezone.now(),
        email_failure="550 5.1.1 no such user",
    )
    SignatureFactory(letter=letter, state=Signature.State.PENDING, confirmed_at=None,
                     email_requested_at=timezone.now())  # fmt: skip
    body = as_user(cast["alice"]).get(f"/organise/letters/{letter.slug}/overview/").content.decode()
    assert "Last 48 hours: 50.0% (3 of 6 signings confirmed)" in body
    assert "550 5.1.1 no such user" in body


def test_the_export_has_the_source(cast, as_user):
    letter = cast["letter"]
    SignatureFactory(letter=letter, source="ewc")
    body = b"".join(
        as_user(cast["alice"]).get(f"/organise/letters/{letter.slug}/export.csv").streaming_content
    ).decode()
    header, row = body.lstrip("\ufeff").splitlines()[:2]
    assert "source" in header.split(",")
    assert row.split(",")[header.split(",").index("source")] == "ewc"


def test_the_xlsx_export_takes_the_filters_and_opens_as_a_spreadsheet(cast, as_user):
    letter = cast["letter"]
    SignatureFactory(letter=letter, country="VA", name="=HYPERLINK(1)", source="ewc")
    SignatureFactory(letter=letter, country="GB")
    client = as_user(cast["alice"])
    queue = client.get(f"/organise/letters/{letter.slug}/?country=VA").content.decode()
    assert f"/organise/letters/{letter.slug}/export.xlsx?country=VA" in queue
    response = client.get(f"/organise/letters/{letter.slug}/export.xlsx?country=VA")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header, *rows = list(workbook.active.values)
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["name"] == "=HYPERLINK(1)"  # text, not a formula
    assert row["source"] == "ewc" and row["country"] == "VA" and row["notable_verified"] is False
    assert {"organisation", "organisation_verified", "held", "public_figure"} <= set(header)
    assert AuditEntry.objects.filter(action="export", detail__startswith="xlsx").exists()


def test_the_daily_chart_never_shows_days_before_the_letter_existed(cast, as_user):
    from petition.models import Letter

    letter = cast["letter"]
    Letter.objects.filter(pk=letter.pk).update(created_at=timezone.now() - timedelta(days=3))
    client = as_user(cast["alice"])
    for path in (f"/organise/letters/{letter.slug}/overview/", "/organise/"):
        body = client.get(path).content.decode()
        daily = body[body.rindex("<svg") :]
        daily = daily[: daily.index("</svg>")]
        assert len(re.findall(r"<rect ", daily)) == 4  # three days ago, and today
        assert ' dir="' not in daily[:200]  # the svg takes its direction from its box
