"""Signer data needs two-factor authentication, exports are audited and filtered, and bad
filters or colliding invitations are clear errors, not 500s."""

import pytest
from django.contrib.auth import get_user_model

from petition.models import AuditEntry, Organiser
from signatures.models import Signature

from ..factories import SignatureFactory
from .conftest import make_user

pytestmark = pytest.mark.django_db

SIGNER_DATA = ["", "audit/", "export.csv"]


@pytest.mark.parametrize("page", SIGNER_DATA)
def test_a_password_only_moderator_is_sent_to_set_up_two_factor(cast, as_user, page):
    frank = make_user("frank", two_factor=False)
    Organiser.objects.create(letter=cast["letter"], user=frank, role=Organiser.Role.MODERATOR)
    SignatureFactory(letter=cast["letter"], profession=cast["letter"].professions.first())
    response = as_user(frank).get(f"/organise/letters/{cast['letter'].slug}/{page}")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/?next=")
    assert b"@example.org" not in response.content
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_dashboard_without_two_factor_shows_no_addresses(cast, as_user):
    frank = make_user("frank", two_factor=False)
    Organiser.objects.create(letter=cast["letter"], user=frank, role=Organiser.Role.MODERATOR)
    SignatureFactory(letter=cast["letter"], profession=cast["letter"].professions.first())
    body = as_user(frank).get("/organise/").content.decode()
    assert "signer" not in body or "@example.org" not in body.replace("frank@example.org", "")


def test_every_export_is_audited_with_its_filters_and_rows(cast, as_user):
    letter = cast["letter"]
    profession = letter.professions.first()
    SignatureFactory.create_batch(3, letter=letter, profession=profession, country="FR")
    SignatureFactory(letter=letter, profession=profession, country="DE")
    response = as_user(cast["bob"]).get(f"/organise/letters/{letter.slug}/export.csv?country=FR")
    rows = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 1 + 3  # the header, then only what matches the filters
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert (entry.actor, entry.changed, entry.detail) == (cast["bob"], 3, "csv: country=FR")


def test_an_export_with_a_bad_filter_is_a_400_and_exports_nothing(cast, as_user):
    response = as_user(cast["alice"]).get(
        f"/organise/letters/{cast['letter'].slug}/export.csv?state=bogus"
    )
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.mark.parametrize(
    "query", ["country=ZZ", "state=bogus", "before=abc", "profession=deleted-key", "notable=x"]
)
def test_a_bad_queue_filter_is_a_400_with_the_page(cast, as_user, query):
    response = as_user(cast["alice"]).get(f"/organise/letters/{cast['letter'].slug}/?{query}")
    assert response.status_code == 400
    assert "<form" in response.content.decode()


def test_inviting_an_address_whose_username_is_taken_works(cast, as_user):
    # An account whose username is the invited address, but whose email is another.
    get_user_model().objects.create_user("dana@example.org", "someone-else@example.org")
    response = as_user(cast["alice"]).post(
        f"/organise/letters/{cast['letter'].slug}/organisers/",
        {"email": "dana@example.org", "role": "moderator"},
    )
    assert response.status_code == 302
    assert Organiser.objects.filter(user__email="dana@example.org").exists()


def test_a_suspected_signature_says_why_in_the_queue(cast, as_user):
    SignatureFactory(
        letter=cast["letter"],
        profession=cast["letter"].professions.first(),
        suspicion="form filled too fast",
        state=Signature.State.PENDING,
    )
    body = as_user(cast["alice"]).get(f"/organise/letters/{cast['letter'].slug}/").content
    assert b"form filled too fast" in body


def test_after_setting_up_two_factor_the_organiser_is_offered_the_way_back(cast, as_user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    frank = make_user("frank", two_factor=False)
    Organiser.objects.create(letter=cast["letter"], user=frank, role=Organiser.Role.MODERATOR)
    client = as_user(frank)
    queue = f"/organise/letters/{cast['letter'].slug}/?state=counted"
    assert client.get(queue).status_code == 302
    assert queue not in client.get("/accounts/2fa/").content.decode()  # not on yet
    TOTP.activate(frank, generate_totp_secret())  # what the set-up page does
    page = client.get("/accounts/2fa/").content.decode()
    assert f'href="{queue.replace("&", "&amp;")}"' in page
    assert client.get(queue).status_code == 200
    assert queue not in client.get("/accounts/2fa/").content.decode()  # offered once


def test_the_export_names_professions_and_carries_the_updates_consent(cast, as_user):
    import csv
    import io

    from ..factories import SignatureFactory

    letter = cast["letter"]
    profession = letter.professions.get(key="novelist")
    profession.labels = {"en": "Novelist", "fr": "Romancier·e"}
    profession.save()
    SignatureFactory(letter=letter, profession=profession, email="u@example.org", updates=True)
    response = as_user(cast["alice"]).get(f"/organise/letters/{letter.slug}/export.csv")
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body)))
    row = next(r for r in rows if r["email"] == "u@example.org")
    assert (row["profession"], row["profession_key"]) == ("Novelist", "novelist")
    assert row["updates"] == "true" and "updates_changed_at" in row
