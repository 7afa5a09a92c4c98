"""The essential path through HTTP: sign, email, confirm, count; withdraw; bad links."""

import pytest
from django.core import mail

from signatures.counting import letter_count
from signatures.models import Signature

from ..conftest import links_in

pytestmark = pytest.mark.django_db


def total(letter) -> int:
    return letter_count(letter=letter).signatures


def test_signing_answers_303_to_the_check_your_inbox_page(letter, sign, sign_data):
    response = sign(letter, sign_data)
    assert response.status_code == 303
    assert response["Location"] == f"/letters/{letter.slug}/signed/"


def test_signing_stores_a_pending_signature_and_sends_one_email(letter, sign, sign_data):
    sign(letter, sign_data)
    signature = Signature.objects.get()
    assert signature.state == Signature.State.PENDING
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"]
    assert set(links_in(message)) == {"confirm", "withdraw", "erase", "manage", "unsubscribe"}
    assert message.alternatives and message.alternatives[0][1] == "text/html"


def test_pending_signature_does_not_count(letter, sign, sign_data):
    sign(letter, sign_data)
    assert total(letter) == 0


def test_confirm_link_counts_the_signature_exactly_once(letter, sign, sign_data, visit):
    sign(letter, sign_data)
    confirm = links_in(mail.outbox[0])["confirm"]
    response = visit(confirm)
    assert response.status_code == 200
    assert total(letter) == 1
    assert Signature.objects.get().state == Signature.State.CONFIRMED


def test_only_get_head_and_the_consent_post_reach_the_confirm_link(letter, sign, sign_data, visit):
    sign(letter, sign_data)
    confirm = links_in(mail.outbox[0])["confirm"]
    for method in ("options", "put", "delete"):
        assert visit(confirm, method=method).status_code == 405
    assert total(letter) == 0
    assert visit(confirm, method="head").status_code == 200  # as GET: scanners do both
    assert total(letter) == 1


def test_second_confirm_click_changes_nothing(letter, sign, sign_data, visit):
    sign(letter, sign_data)
    confirm = links_in(mail.outbox[0])["confirm"]
    first = visit(confirm)
    confirmed_at = Signature.objects.get().confirmed_at
    second = visit(confirm)
    assert second.status_code == 200
    assert "signature is confirmed" in first.content.decode()
    assert "signature is confirmed" in second.content.decode()
    assert total(letter) == 1
    assert Signature.objects.get().confirmed_at == confirmed_at


def test_withdraw_link_shows_a_button_and_get_changes_nothing(letter, sign, sign_data, visit):
    sign(letter, sign_data)
    links = links_in(mail.outbox[0])
    visit(links["confirm"])
    response = visit(links["withdraw"])
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert total(letter) == 1


def test_withdraw_post_stops_the_signature_counting(letter, sign, sign_data, visit):
    sign(letter, sign_data)
    links = links_in(mail.outbox[0])
    visit(links["confirm"])
    response = visit(links["withdraw"], method="post")
    assert response.status_code == 200
    assert total(letter) == 0
    assert Signature.objects.get().state == Signature.State.WITHDRAWN


def test_confirm_after_withdraw_does_not_count_again(letter, sign, sign_data, visit):
    sign(letter, sign_data)
    links = links_in(mail.outbox[0])
    visit(links["confirm"])
    visit(links["withdraw"], method="post")
    visit(links["confirm"])
    assert total(letter) == 0


def other_spellings(token: str) -> list[str]:
    """Strings a forgiving base64 decoder reads as the same bytes: the last character with
    other unused bits, padding added, the standard alphabet's '+' and '/', a stray dot."""
    last = token[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    spare = len(token) % 4  # characters in the last quantum: 2 or 3 leave unused bits
    step = {2: 16, 3: 4}.get(spare, 1)
    index = alphabet.index(last)
    sibling = alphabet[index - index % step + (index % step + 1) % step]
    return [
        token[:-1] + sibling,
        token + "==",
        token.replace("-", "+").replace("_", "/"),
        token[:5] + "." + token[5:],
    ]


def test_a_link_opens_only_as_it_was_made(letter, sign, sign_data, visit):
    sign(letter, sign_data)
    path = links_in(mail.outbox[0])["confirm"]
    prefix, token = path.rstrip("/").rsplit("/", 1)
    for spelling in other_spellings(token):
        if spelling == token:
            continue
        response = visit(f"{prefix}/{spelling}/")
        assert response.status_code in (400, 404), spelling
        assert total(letter) == 0, spelling
    assert visit(path).status_code == 200
    assert total(letter) == 1


@pytest.mark.parametrize("kind", ["confirm", "withdraw", "erase"])
def test_tampered_token_answers_a_clear_4xx_page(letter, sign, sign_data, visit, kind):
    sign(letter, sign_data)
    path = links_in(mail.outbox[0])[kind]
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    response = visit(tampered)
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert total(letter) == 0


def test_confirm_token_cannot_be_used_to_withdraw(letter, sign, sign_data, visit):
    sign(letter, sign_data)
    token = links_in(mail.outbox[0])["confirm"].split("/")[-2]
    response = visit(f"/letters/{letter.slug}/withdraw/{token}/")
    assert response.status_code == 400


def test_expired_confirm_link_answers_410(letter, sign, sign_data, visit, settings):
    from datetime import timedelta

    sign(letter, sign_data)
    settings.CONFIRM_TOKEN_MAX_AGE = timedelta(seconds=-1)
    response = visit(links_in(mail.outbox[0])["confirm"])
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_link_of_another_letter_answers_4xx(letter, sign, sign_data, visit):
    from ..factories import LetterFactory

    other = LetterFactory()
    sign(letter, sign_data)
    token = links_in(mail.outbox[0])["confirm"].split("/")[-2]
    response = visit(f"/letters/{other.slug}/confirm/{token}/")
    assert response.status_code == 400


def test_resign_with_same_email_in_other_case_and_spacing_keeps_one_row(letter, sign, sign_data):
    first = sign(letter, sign_data)
    second = sign(letter, {**sign_data, "email": "  ADA@Example.ORG "})
    assert Signature.objects.count() == 1
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])


def test_resign_after_confirming_sends_an_already_signed_email(letter, sign, sign_data, visit):
    sign(letter, sign_data)
    visit(links_in(mail.outbox[0])["confirm"])
    sign(letter, {**sign_data, "name": "Someone Else"})
    assert len(mail.outbox) == 2
    assert "already signed" in mail.outbox[1].subject
    assert "confirm" not in links_in(mail.outbox[1])
    signature = Signature.objects.get()
    assert signature.name == "Ada Lovelace"
    assert total(letter) == 1


def test_resign_while_pending_sends_a_new_confirmation(letter, sign, sign_data):
    sign(letter, sign_data)
    sign(letter, sign_data)
    assert len(mail.outbox) == 2
    assert "confirm" in links_in(mail.outbox[1])


def test_gmail_dots_and_tags_are_one_signer(letter, sign, sign_data):
    sign(letter, {**sign_data, "email": "ada.lovelace+letters@gmail.com"})
    sign(letter, {**sign_data, "email": "adalovelace@googlemail.com"})
    assert Signature.objects.count() == 1


def test_emails_to_one_signature_are_capped(letter, sign, sign_data, settings):
    settings.SIGNATURE_MAX_EMAILS = 3
    for _ in range(6):
        assert sign(letter, sign_data).status_code == 303
    assert len(mail.outbox) == 3


def test_signing_in_arabic_sends_the_email_in_arabic(letter, sign, sign_data):
    sign(letter, sign_data, HTTP_ACCEPT_LANGUAGE="ar")
    signature = Signature.objects.get()
    assert signature.language == "ar"
    assert letter.title("ar") in mail.outbox[0].subject


def test_closed_letter_refuses_signatures_with_a_clear_page(letter, sign, sign_data):
    letter.state = "closed"
    letter.save()
    response = sign(letter, sign_data)
    assert response.status_code == 403
    assert "closed" in response.content.decode()
    assert not Signature.objects.exists()


def test_pre_moderated_signature_counts_only_once_approved(letter, sign, sign_data, visit):
    letter.moderation = "pre"
    letter.save()
    sign(letter, sign_data)
    visit(links_in(mail.outbox[0])["confirm"])
    signature = Signature.objects.get()
    assert signature.state == Signature.State.CONFIRMED
    assert not signature.approved
    assert total(letter) == 0


def test_unknown_letter_answers_404(client, db):
    assert client.get("/letters/nope/").status_code == 404
    assert client.post("/letters/nope/sign/", {}).status_code == 404


def test_letter_page_shows_the_count_and_the_form(letter, client):
    response = client.get(f"/letters/{letter.slug}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert letter.title("en") in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'data-count="signatures">0<' in body


def test_home_shows_the_featured_letter(letter, client):
    response = client.get("/")
    assert response.status_code == 200
    assert letter.title("en") in response.content.decode()


def test_sign_requires_csrf_token(letter, sign_data):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(f"/letters/{letter.slug}/sign/", sign_data)
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_a_stranger_can_neither_flood_an_address_nor_lock_its_owner_out(
    letter, sign, sign_data, settings
):
    """The cap is a rate, never a lifetime lock-out (README, "Abuse, privacy and failure")."""
    settings.SIGNATURE_MAX_EMAILS = 5
    victim = {**sign_data, "email": "victim@example.org"}
    for n in range(5):  # five signings of someone else's address, from five browsers
        sign(letter, {**victim, "name": f"Stranger {n}"}, REMOTE_ADDR=f"198.51.100.{n}")
    assert len(mail.outbox) == 5
    sign(letter, {**victim, "name": "Victor Ictim"}, REMOTE_ADDR="203.0.113.9")  # the owner
    assert len(mail.outbox) == 6 and "Victor Ictim" in mail.outbox[-1].body
    assert Signature.objects.get(email="victim@example.org").name == "Victor Ictim"
    for n in range(5, 20):  # a bigger flood is bounded at twice the cap a day
        sign(letter, {**victim, "name": f"Stranger {n}"}, REMOTE_ADDR=f"198.51.100.{n}")
    assert len(mail.outbox) == 10


def test_the_email_cap_starts_again_the_next_day(letter, sign, sign_data, settings):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    settings.SIGNATURE_MAX_EMAILS = 2
    for _ in range(3):
        sign(letter, sign_data)
    assert len(mail.outbox) == 2
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        sign(letter, sign_data)
    assert len(mail.outbox) == 3


def test_fastmail_subdomain_addresses_are_one_signer(letter, sign, sign_data):
    sign(letter, {**sign_data, "email": "anything@ada.fastmail.com"})
    sign(letter, {**sign_data, "email": "ada+letters@fastmail.com"})
    sign(letter, {**sign_data, "email": "ada@fastmail.com"})
    assert Signature.objects.count() == 1


def test_a_stranger_cycling_user_agents_on_one_network_gets_no_extra_emails(
    letter, sign, sign_data, settings
):
    settings.SIGNATURE_MAX_EMAILS = 2
    victim = {**sign_data, "email": "victim@example.org"}
    for n in range(6):
        sign(letter, victim, REMOTE_ADDR="198.51.100.1", HTTP_USER_AGENT=f"Bot/{n}")
    assert len(mail.outbox) == 2  # one network: the cap, whatever the user agent
