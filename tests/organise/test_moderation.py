import csv
import io

import pytest

from petition.models import AuditEntry, Letter
from signatures.counting import letter_count
from signatures.models import Signature

from ..factories import SignatureFactory
from .form_data import text_data

pytestmark = pytest.mark.django_db


def act(client, letter, action, ids=(), reason="", query="", all_matching=False, confirmed=True):
    data = {"action": action, "ids": list(ids), "reason": reason}
    if all_matching:
        data["all_matching"] = "on"
        if confirmed:
            data["confirmed"] = "on"
    return client.post(f"/organise/letters/{letter.slug}/{query}", data)


def through_services(letter, n, **extra):
    """Counted signatures whose counters are right (recount after writing rows)."""
    from signatures.counting import tally_recount

    rows = SignatureFactory.create_batch(
        n, letter=letter, profession=letter.professions.first(), **extra
    )
    tally_recount(letter_id=letter.pk)
    return rows


def test_bulk_remove_of_500_leaves_the_public_count_exact(cast, as_user, client):
    letter = cast["letter"]
    rows = through_services(letter, 520)
    assert letter_count(letter=letter).signatures == 520
    response = act(
        as_user(cast["bob"]), letter, "remove", [s.pk for s in rows[:500]], reason="spam wave"
    )
    assert response.status_code == 302
    assert letter_count(letter=letter).signatures == 20
    assert client.get(f"/api/letters/{letter.slug}/count").json()["signatures"] == 20
    entry = AuditEntry.objects.get(action="remove")
    assert (entry.changed, entry.actor, entry.reason) == (500, cast["bob"], "spam wave")
    assert sorted(entry.signature_ids) == sorted(s.pk for s in rows[:500])


def test_remove_needs_a_reason(cast, as_user):
    rows = through_services(cast["letter"], 1)
    response = act(as_user(cast["bob"]), cast["letter"], "remove", [rows[0].pk])
    assert response.status_code == 400
    assert Signature.objects.get().state == Signature.State.CONFIRMED


def test_bulk_by_filter_removes_every_match_with_a_preview_count(cast, as_user):
    letter = cast["letter"]
    through_services(letter, 30, country="VA")
    through_services(letter, 5, country="FR")
    client = as_user(cast["alice"])
    preview = client.get(f"/organise/letters/{letter.slug}/?country=VA").content.decode()
    assert "30 signatures match" in preview
    act(client, letter, "remove", reason="Vatican bots", query="?country=VA", all_matching=True)
    assert letter_count(letter=letter).signatures == 5


def test_every_matching_first_shows_the_number_and_changes_nothing_until_confirmed(cast, as_user):
    letter = cast["letter"]
    through_services(letter, 748, country="VA")
    client = as_user(cast["alice"])
    asked = act(
        client,
        letter,
        "remove",
        reason="bots",
        query="?country=VA",
        all_matching=True,
        confirmed=False,
    )
    assert asked.status_code == 200
    body = asked.content.decode()
    assert "748 signatures match these filters" in body and "Remove 748 signatures" in body
    assert letter_count(letter=letter).signatures == 748
    assert not AuditEntry.objects.exists()
    done = act(client, letter, "remove", reason="bots", query="?country=VA", all_matching=True)
    assert done.status_code == 302
    assert letter_count(letter=letter).signatures == 0


def test_the_message_after_an_action_counts_in_words(cast, as_user):
    rows = through_services(cast["letter"], 1)
    client = as_user(cast["bob"])
    act(client, cast["letter"], "remove", [rows[0].pk], reason="spam")
    page = client.get(f"/organise/letters/{cast['letter'].slug}/").content.decode()
    assert "Remove: 1 signature changed." in page


def test_ticked_rows_stay_ticked_after_a_form_error(cast, as_user):
    rows = through_services(cast["letter"], 2)
    response = act(as_user(cast["bob"]), cast["letter"], "remove", [rows[0].pk])  # no reason
    assert response.status_code == 400
    body = response.content.decode()
    assert f'value="{rows[0].pk}" id="sig-{rows[0].pk}" checked' in body
    assert f'value="{rows[1].pk}" id="sig-{rows[1].pk}" checked' not in body


def test_restore_counts_again(cast, as_user):
    letter = cast["letter"]
    rows = through_services(letter, 3)
    client = as_user(cast["bob"])
    act(client, letter, "remove", [s.pk for s in rows], reason="mistake")
    act(client, letter, "restore", [s.pk for s in rows])
    assert letter_count(letter=letter).signatures == 3
    assert AuditEntry.objects.filter(letter=letter).count() == 2


def test_approve_on_a_pre_moderated_letter_makes_signatures_count(cast, as_user):
    letter = cast["letter"]
    Letter.objects.filter(pk=letter.pk).update(moderation="pre")
    rows = through_services(letter, 4, approved=False)
    assert letter_count(letter=letter).signatures == 0
    act(as_user(cast["alice"]), letter, "approve", [s.pk for s in rows[:3]])
    assert letter_count(letter=letter).signatures == 3


def test_verified_notable_shows_a_badge_publicly(cast, as_user, client):
    letter = cast["letter"]
    (row,) = through_services(letter, 1, name="Famous Composer")
    act(as_user(cast["alice"]), letter, "verify_notable", [row.pk])
    assert letter_count(letter=letter).notable == 1
    page = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "Famous Composer" in page and 'class="badge"' in page
    api = client.get(f"/api/letters/{letter.slug}/signatures?notable=1").json()
    assert api["results"][0]["verified"] is True


def test_every_action_is_written_to_the_audit_log(cast, as_user):
    letter = cast["letter"]
    rows = through_services(letter, 2)
    client = as_user(cast["alice"])
    for action in ["mark_notable", "verify_notable", "unmark_notable", "approve"]:
        act(client, letter, action, [rows[0].pk])
    act(client, letter, "remove", [rows[1].pk], reason="dup")
    act(client, letter, "restore", [rows[1].pk])
    logged = set(AuditEntry.objects.filter(letter=letter).values_list("action", flat=True))
    assert logged == {
        "mark_notable",
        "verify_notable",
        "unmark_notable",
        "approve",
        "remove",
        "restore",
    }
    page = client.get(f"/organise/letters/{letter.slug}/audit/").content.decode()
    assert "alice@example.org" in page and "dup" in page


def test_queue_masks_emails_until_asked_and_audits_the_asking(cast, as_user):
    letter = cast["letter"]
    through_services(letter, 1, email="findme@example.org", email_key="findme@example.org")
    through_services(letter, 1)
    client = as_user(cast["bob"])
    url = f"/organise/letters/{letter.slug}/"
    body = client.get(url).content.decode()
    assert "findme@example.org" not in body and "f•••@example.org" in body
    assert "2 signatures match" in body
    assert not AuditEntry.objects.filter(action="reveal_emails").exists()
    shown = client.get(f"{url}?reveal=1").content.decode()
    assert "findme@example.org" in shown
    entry = AuditEntry.objects.get(action="reveal_emails")
    assert entry.actor == cast["bob"] and entry.changed == 2


def test_searching_the_queue_by_address_is_audited_and_only_with_an_at(cast, as_user):
    letter = cast["letter"]
    through_services(letter, 1, email="findme@example.org", email_key="findme@example.org")
    client = as_user(cast["bob"])
    bare = client.get(f"/organise/letters/{letter.slug}/?q=findme").content.decode()
    assert "No signature matches." in bare  # a bare word never matches an address
    found = client.get(f"/organise/letters/{letter.slug}/?q=findme@").content.decode()
    assert "1 signature matches" in found
    assert AuditEntry.objects.filter(action="reveal_emails", actor=cast["bob"]).count() == 1


def test_queue_filters_by_state(cast, as_user):
    letter = cast["letter"]
    through_services(letter, 2)
    through_services(letter, 3, state=Signature.State.PENDING, confirmed_at=None)
    body = (
        as_user(cast["bob"]).get(f"/organise/letters/{letter.slug}/?state=pending").content.decode()
    )
    assert "3 signatures match" in body


def test_export_has_exactly_the_counted_rows_the_public_count_says(cast, as_user, client):
    letter = cast["letter"]
    through_services(letter, 7)
    through_services(letter, 2, state=Signature.State.PENDING, confirmed_at=None)
    through_services(letter, 1, state=Signature.State.WITHDRAWN)
    through_services(letter, 3, show_name=False)
    response = as_user(cast["bob"]).get(f"/organise/letters/{letter.slug}/export.csv")
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert len(rows) == 13
    counted = [r for r in rows if r["counted"] == "true"]
    public = client.get(f"/api/letters/{letter.slug}/count").json()["signatures"]
    assert len(counted) == public == 10
    assert all("@" in r["email"] for r in rows)


def test_export_neutralises_spreadsheet_formulas(cast, as_user):
    letter = cast["letter"]
    through_services(letter, 1, name='=HYPERLINK("http://evil")', role="+1+2", link="")
    body = b"".join(
        as_user(cast["alice"]).get(f"/organise/letters/{letter.slug}/export.csv").streaming_content
    )
    text = body.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1+2" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_export_of_another_letter_is_404(cast, as_user):
    assert (
        as_user(cast["charlie"])
        .get(f"/organise/letters/{cast['letter'].slug}/export.csv")
        .status_code
        == 404
    )


def test_owner_edits_and_closes_the_letter(cast, as_user, client, sign_data):
    letter = cast["letter"]
    owner = as_user(cast["alice"])
    text = text_data(letter, "en", title="New title", body="Body **bold** <script>x</script>")
    response = owner.post(f"/organise/letters/{letter.slug}/languages/en/", text)
    assert response.status_code == 302
    moved = owner.post(
        f"/organise/letters/{letter.slug}/publishing/",
        {"action": "move", "to": "closed", "confirmed": "1"},
    )
    assert moved.status_code == 302
    letter.refresh_from_db()
    assert letter.title("en") == "New title" and not letter.may_sign()
    page = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "<script>x</script>" not in page and "<strong>bold</strong>" in page
    assert "closed" in page
    assert client.post(f"/letters/{letter.slug}/sign/", sign_data).status_code == 403
    assert AuditEntry.objects.filter(action="settings").exists()


def test_organiser_adds_a_block(cast, as_user):
    letter = cast["letter"]
    response = as_user(cast["bob"]).post(
        f"/organise/letters/{letter.slug}/blocks/", {"kind": "network", "value": "203.0.113.5/24"}
    )
    assert response.status_code == 302
    assert letter.blocks.get().value == "203.0.113.0/24"
    bad = as_user(cast["bob"]).post(
        f"/organise/letters/{letter.slug}/blocks/", {"kind": "network", "value": "nope"}
    )
    assert bad.status_code == 400


def test_no_action_is_chosen_for_the_organiser_unless_each_signature_awaits_approval(cast, as_user):
    from petition.models import Letter

    letter = cast["letter"]
    client = as_user(cast["alice"])
    page = client.get(f"/organise/letters/{letter.slug}/").content.decode()
    assert '<option value="" selected>Choose an action…</option>' in page
    Letter.objects.filter(pk=letter.pk).update(moderation=Letter.Moderation.PRE)
    page = client.get(f"/organise/letters/{letter.slug}/").content.decode()
    assert '<option value="approve" selected>' in page


def test_the_message_after_a_change_offers_to_undo_it(cast, as_user):
    letter = cast["letter"]
    through_services(letter, 2, country="VA")
    client = as_user(cast["alice"])
    ids = list(letter.signatures.values_list("pk", flat=True))
    response = client.post(
        f"/organise/letters/{letter.slug}/",
        {"action": "remove", "reason": "bots", "ids": ids},
        follow=True,
    )
    entry = AuditEntry.objects.get()
    assert f'<a href="/organise/letters/{letter.slug}/audit/{entry.pk}/undo/">Undo</a>' in (
        response.content.decode()
    )
