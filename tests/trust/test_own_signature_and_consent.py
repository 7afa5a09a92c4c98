"""Signers manage their own signature from a link in every email, and a name an organiser
adds on someone's behalf is listed and counted only once that person confirms."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from petition.models import AuditEntry
from signatures.models import Signature

from ..conftest import links_in
from ..factories import SignatureFactory
from .conftest import count

pytestmark = pytest.mark.django_db


def _listed(client, letter) -> list[str]:
    cache.clear()
    return [
        r["name"] for r in client.get(f"/api/letters/{letter.slug}/signatures").json()["results"]
    ]


# Manage my signature ------------------------------------------------------------------------


def test_every_signer_email_carries_a_manage_link(sign, client, letter, sign_data):
    sign(letter, sign_data)
    sign(letter, sign_data)  # a second confirmation email
    client.get(links_in(mail.outbox[0])["confirm"])  # not the newest: superseded? same details
    client.get(links_in(mail.outbox[1])["confirm"])
    sign(letter, sign_data)  # "you have already signed"
    for message in mail.outbox:
        assert "manage" in links_in(message), message.subject
        assert "/manage/" in message.alternatives[0][0]


def test_get_changes_nothing_and_minor_details_apply_at_once(
    sign_and_confirm, client, letter, sign_data
):
    links = sign_and_confirm(letter, sign_data)
    page = client.get(links["manage"])
    assert page.status_code == 200 and 'value="Ada Lovelace"' in page.content.decode()
    assert Signature.objects.get().role == "Novelist"
    form = {
        "name": "Ada Lovelace",
        "profession": "novelist",
        "role": "Poet and mathematician",
        "country": "GB",
        "link": "https://example.org/ada",
        "show_name": "on",
        "updates": "on",
    }
    response = client.post(links["manage"], form)
    assert response.status_code == 200 and "Saved." in response.content.decode()
    signature = Signature.objects.get()
    assert signature.role == "Poet and mathematician" and signature.updates
    assert signature.state == Signature.State.CONFIRMED
    response = client.post(links["manage"], {**form, "show_name": ""})
    assert "Ada Lovelace" not in _listed(client, letter)  # hidden at once, still counted
    assert count(letter).signatures == 1


def test_a_new_name_is_published_only_after_a_fresh_confirmation_and_goes_through_the_hold(
    sign_and_confirm, client, letter, sign_data, django_capture_on_commit_callbacks
):
    SignatureFactory(
        letter=letter,
        name="Mara Ellison",
        email="mara@agency.example",
        email_key="mara@agency.example",
        notable=True,
        notable_verified=True,
    )
    links = sign_and_confirm(letter, sign_data)
    before = len(mail.outbox)
    form = {"name": "Mara Ellison", "profession": "novelist", "show_name": "on"}
    with django_capture_on_commit_callbacks() as callbacks:  # the email worker, held back
        response = client.post(links["manage"], form)
    assert "We have sent an email" in response.content.decode()
    mine = Signature.objects.get(email="ada@example.org")
    assert mine.name == "Ada Lovelace"  # nothing changes before the email is handled
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == before + 1
    mine.refresh_from_db()
    assert mine.state == Signature.State.PENDING and mine.name == "Mara Ellison"
    assert _listed(client, letter).count("Mara Ellison") == 1  # not published
    assert "Ada Lovelace" not in _listed(client, letter)
    client.get(links_in(mail.outbox[-1])["confirm"])
    mine.refresh_from_db()
    assert mine.state == Signature.State.CONFIRMED and mine.held  # the hold
    assert _listed(client, letter).count("Mara Ellison") == 1


def test_a_manage_link_opens_only_its_own_signature(sign_and_confirm, client, letter, sign_data):
    links = sign_and_confirm(letter, sign_data)
    token = links["manage"].rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/letters/{letter.slug}/manage/{token}x/").status_code == 400
    withdraw_token = links["withdraw"].rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/letters/{letter.slug}/manage/{withdraw_token}/").status_code == 400


def test_a_bad_change_is_a_400_with_the_form(sign_and_confirm, client, letter, sign_data):
    links = sign_and_confirm(letter, sign_data)
    response = client.post(links["manage"], {"name": "", "profession": "nope"})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()


# Added on someone's behalf -------------------------------------------------------------------


ADDED = {
    "name": "Nadia Okafor",
    "email": "nadia@personal.example",
    "profession": "actor",
    "role": "Stage actor",
    "show_name": "on",
    "language": "en",
}


def test_a_name_added_on_behalf_waits_for_that_persons_confirmation(cast, as_user, client, letter):
    response = as_user(cast["bob"]).post(f"/organise/letters/{letter.slug}/add/", ADDED)
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["nadia@personal.example"]
    assert "bob" in message.body and "confirm or decline" in message.subject
    # They asked for nothing: the email does not say they did.
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "You asked for no email updates" not in text
        assert "no email updates about this letter unless you ask for them" in text
    signature = Signature.objects.get(email="nadia@personal.example")
    assert signature.added_by == cast["bob"] and signature.state == Signature.State.PENDING
    assert "Nadia Okafor" not in _listed(client, letter) and count(letter).signatures == 0
    entry = AuditEntry.objects.get(action="add_on_behalf")
    assert entry.actor == cast["bob"] and entry.detail == "Nadia Okafor"
    client.logout()
    confirm = links_in(message)["confirm"]
    page = client.get(confirm)  # a mail scanner opening the link consents to nothing
    assert "Yes, add my name" in page.content.decode()
    assert Signature.objects.get(email="nadia@personal.example").state == Signature.State.PENDING
    client.post(confirm)  # the person presses the button
    assert "Nadia Okafor" in _listed(client, letter) and count(letter).signatures == 1


def test_a_declined_request_lists_nothing_and_counts_nothing(cast, as_user, client, letter):
    as_user(cast["bob"]).post(f"/organise/letters/{letter.slug}/add/", ADDED)
    decline = links_in(mail.outbox[-1])["erase"]
    client.logout()
    assert "Decline" in mail.outbox[-1].alternatives[0][0]
    client.post(decline)
    assert not Signature.objects.filter(email="nadia@personal.example").exists()
    assert "Nadia Okafor" not in _listed(client, letter) and count(letter).signatures == 0


def test_an_address_that_signed_already_is_not_overwritten(cast, as_user, letter, sign, sign_data):
    sign(letter, {**sign_data, "email": "nadia@personal.example"})
    response = as_user(cast["bob"]).post(f"/organise/letters/{letter.slug}/add/", ADDED)
    assert response.status_code == 400 and "already signed" in response.content.decode()
    assert Signature.objects.get(email="nadia@personal.example").name == "Ada Lovelace"


def test_adding_needs_the_fields_and_is_for_organisers_of_the_letter(cast, as_user, letter):
    bob = as_user(cast["bob"])
    assert (
        bob.post(f"/organise/letters/{letter.slug}/add/", {**ADDED, "email": "x"}).status_code
        == 400
    )
    charlie = as_user(cast["charlie"])
    assert charlie.post(f"/organise/letters/{letter.slug}/add/", ADDED).status_code == 404
    assert re.search(r"@", "".join(m.to[0] for m in mail.outbox)) is None
