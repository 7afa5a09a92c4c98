"""No page for the public ever shows a signer's email address."""

import pytest
from django.core import mail

from ..conftest import links_in

pytestmark = pytest.mark.django_db

EMAIL = "secret.person@example.org"


def test_no_public_page_shows_a_signers_email(letter, sign, sign_data, visit, client):
    sign(letter, {**sign_data, "email": EMAIL, "name": "Visible Name"})
    links = links_in(mail.outbox[0])
    pages = [
        visit(links["confirm"]),
        visit(links["withdraw"]),
        client.get("/"),
        client.get(f"/letters/{letter.slug}/"),
        client.get(f"/letters/{letter.slug}/signed/"),
        sign(letter, {**sign_data, "email": EMAIL}),
        # A 400 echoes the form back to whoever typed it, another address of theirs included.
        sign(letter, {**sign_data, "email": "other@example.org", "link": "bad"}),
        client.get("/healthz"),
    ]
    for response in pages:
        assert EMAIL not in response.content.decode()


def test_ip_is_stored_only_as_a_salted_hash(letter, sign, sign_data):
    from signatures.models import Signature

    sign(letter, sign_data, REMOTE_ADDR="203.0.113.9")
    signature = Signature.objects.get()
    assert "203.0.113.9" not in signature.ip_hash
    assert len(signature.ip_hash) == 64


def test_erase_link_shows_a_button_then_deletes_everything(letter, sign, sign_data, visit):
    from signatures.counting import letter_count
    from signatures.models import Signature

    sign(letter, sign_data)
    links = links_in(mail.outbox[0])
    visit(links["confirm"])
    assert letter_count(letter=letter).signatures == 1
    page = visit(links["erase"])
    assert page.status_code == 200 and b'method="post"' in page.content
    assert Signature.objects.exists()
    done = visit(links["erase"], method="post")
    assert "has been erased" in done.content.decode()
    assert not Signature.objects.exists()
    assert letter_count(letter=letter).signatures == 0
    # The link now points at nothing: a clear 4xx, not a 500.
    assert visit(links["erase"]).status_code == 400


def test_unconfirmed_signatures_are_purged_after_the_retention_period(letter):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from signatures.models import Signature

    from ..factories import SignatureFactory

    profession = letter.professions.first()
    pending = {"state": Signature.State.PENDING, "confirmed_at": None}
    old = SignatureFactory(letter=letter, profession=profession, **pending)
    Signature.objects.filter(pk=old.pk).update(signed_at=timezone.now() - timedelta(days=31))
    SignatureFactory(letter=letter, profession=profession, **pending)
    # Confirmed long ago, pending again while its signer confirms a new name: it stays.
    changing = SignatureFactory(letter=letter, profession=profession, state=Signature.State.PENDING)
    Signature.objects.filter(pk=changing.pk).update(signed_at=timezone.now() - timedelta(days=100))
    confirmed_old = SignatureFactory(letter=letter, profession=profession)
    Signature.objects.filter(pk=confirmed_old.pk).update(
        signed_at=timezone.now() - timedelta(days=90)
    )
    call_command("purge_unconfirmed")
    assert not Signature.objects.filter(pk=old.pk).exists()
    assert Signature.objects.count() == 3 and Signature.objects.filter(pk=changing.pk).exists()


def test_privacy_page_is_linked_from_every_page(client, letter):
    body = client.get(f"/letters/{letter.slug}/").content.decode()
    assert 'href="/privacy/"' in body
    privacy = client.get("/privacy/").content.decode()
    assert "30 days" in privacy and "hash" in privacy
