"""The two writes written by hand for the signers' path (ops/db.py) do what the ORM's would."""

from datetime import timedelta

from django.utils import timezone

from ops.db import update_rows, upsert_row
from signatures.models import Signature

from ..factories import SignatureFactory


def test_update_rows_saves_the_named_fields_of_each_row_and_nothing_else(letter):
    first, second = SignatureFactory(letter=letter), SignatureFactory(letter=letter)
    when = timezone.now() - timedelta(hours=1)
    for n, row in enumerate([first, second]):
        row.email_browsers = ["network", str(n)]  # JSON
        row.emails_day_from = when  # an aware date-time
        row.submitted = None  # SQL NULL in a JSON column
        row.name = "not saved"
    update_rows([first, second], ["email_browsers", "emails_day_from", "submitted"])
    for n, row in enumerate([first, second]):
        stored = Signature.objects.get(pk=row.pk)
        assert stored.email_browsers == ["network", str(n)]
        assert stored.emails_day_from == when
        assert stored.submitted is None
        assert stored.name != "not saved"
    update_rows([], ["name"])  # nothing to do: no statement


def test_upsert_row_inserts_a_new_row_with_its_defaults(letter):
    row = Signature(
        letter=letter,
        email="new@example.org",
        email_key="new@example.org",
        name="New Signer",
        profession=letter.professions.first(),
        submitted={"name": "New Signer"},
    )
    upsert_row(row, unique_fields=["letter", "email_key"], update_fields=["submitted"])
    stored = Signature.objects.get(letter=letter, email_key="new@example.org")
    assert stored.name == "New Signer" and stored.submitted == {"name": "New Signer"}
    assert stored.state == Signature.State.PENDING and stored.details_version == 1
    assert stored.signed_at is not None  # auto_now_add, as a save would set it
    assert stored.email_browsers == []


def test_upsert_row_on_an_existing_row_sets_only_the_update_fields(letter):
    existing = SignatureFactory(letter=letter, email="a@example.org", email_key="a@example.org")
    again = Signature(
        letter=letter,
        email="a@example.org",
        email_key="a@example.org",
        name="Someone Else",
        profession=existing.profession,
        submitted={"name": "Someone Else"},
    )
    upsert_row(again, unique_fields=["letter", "email_key"], update_fields=["submitted"])
    assert Signature.objects.filter(letter=letter, email_key="a@example.org").count() == 1
    stored = Signature.objects.get(pk=existing.pk)
    assert stored.submitted == {"name": "Someone Else"}
    assert stored.name == existing.name  # not an update field
