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
