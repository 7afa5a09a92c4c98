"""Each signer's own link (contract, "Reach"): on the confirmed page and every later email,
a code that says nothing of them; signatures through it keep it as their source; the signer
sees how many came, exactly, and organisers see who brought the most."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection

from signatures import signing
from signatures.models import Signature
from signatures.referrals import brought, share_code, top_sharers

from ..conftest import links_in, need
from ..factories import LetterFactory, ProfessionFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_the_confirmed_page_gives_the_signers_own_link_and_the_manage_page_counts(
    client, letter, sign, sign_data, visit
):
    sign(letter, sign_data)
    page = visit(links_in(mail.outbox[-1])["confirm"]).content.decode()
    code = Signature.objects.get(email=sign_data["email"]).share_code
    assert code and f"?ref={code}" in page  # random: test_codes_are_random_and_made_once
    for n in range(3):  # three friends follow it; two confirm
        sign(letter, {**sign_data, "email": f"friend{n}@example.org", "ref": code})
        if n < 2:
            visit(links_in(mail.outbox[-1])["confirm"])
    assert Signature.objects.filter(source=code).count() == 3
    manage = visit(links_in(mail.outbox[0])["manage"]).content.decode()
    assert "2 people signed through your link." in manage


def test_every_later_email_carries_it(letter, sign, sign_data, visit):
    sign(letter, sign_data)
    visit(links_in(mail.outbox[-1])["confirm"])
    sign(letter, sign_data)  # again: "you have already signed"
    code = Signature.objects.get(email=sign_data["email"]).share_code
    assert f"?ref={code}" in mail.outbox[-1].body


def test_organisers_see_who_brought_the_most_by_name_only_when_listed(letter):
    profession = letter.professions.first()
    listed = SignatureFactory(letter=letter, profession=profession, name="Public Sharer")
    private = SignatureFactory(letter=letter, profession=profession, name="Quiet", show_name=False)
    for sharer, n in ((listed, 2), (private, 3)):
        code = share_code(sharer)
        SignatureFactory.create_batch(n, letter=letter, profession=profession, source=code)
    assert top_sharers(letter=letter) == [("", 3), ("Public Sharer", 2)]


@pytest.mark.django_db(transaction=True)
def test_the_count_through_a_link_is_exact_under_concurrent_signings():
    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    letter = LetterFactory(state="published")
    profession = ProfessionFactory(letter=letter, key="novelist")
    sharer = SignatureFactory(letter=letter, profession=profession)
    code = share_code(sharer)

    def sign_and_confirm(n: int) -> None:
        try:
            signing.signature_sign(
                letter=letter,
                data={
                    "name": f"Friend {n}",
                    "email": f"f{n}@example.org",
                    "profession": profession,
                    "ref": code,
                    "show_name": True,
                },
                ip="198.51.100.1",
            )
            signature = Signature.objects.get(email=f"f{n}@example.org")
            if n % 3:
                signing.signature_confirm(signature_id=signature.pk, version=1)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(sign_and_confirm, range(90)))
    assert brought(Signature.objects.get(pk=sharer.pk)) == 60  # the confirmed two thirds


def test_codes_are_random_and_made_once(letter):
    a, b = SignatureFactory.create_batch(2, letter=letter, profession=letter.professions.first())
    assert share_code(a) == share_code(Signature.objects.get(pk=a.pk)) != share_code(b)
    assert re.fullmatch(r"s[a-z0-9]{10}", share_code(a))


def test_confirming_makes_the_code_and_another_if_the_first_is_taken(
    client, letter, sign, sign_data, visit, monkeypatch
):
    """The confirmation makes the code in its own locked write; were the code drawn already
    someone's (one in 2^51), it draws again rather than failing the person's click."""
    taken = SignatureFactory(letter=letter, profession=letter.professions.first())
    taken_code = share_code(taken)
    draws = iter([taken_code, "sfreshcode01"])
    monkeypatch.setattr(signing, "new_share_code", lambda: next(draws))
    sign(letter, sign_data)
    response = visit(links_in(mail.outbox[-1])["confirm"])
    assert response.status_code == 200
    signature = Signature.objects.get(email=sign_data["email"])
    assert signature.state == Signature.State.CONFIRMED
    assert signature.share_code == "sfreshcode01"
    assert "?ref=sfreshcode01" in response.content.decode()
