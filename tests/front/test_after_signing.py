"""After signing: the inbox page says where the email went; the confirmed page is a moment
to share, not a dead end."""

import pytest
from django.core import mail

from ..conftest import links_in

pytestmark = pytest.mark.django_db


def test_the_inbox_page_says_where_the_email_went_masked(client, letter, sign, sign_data):
    response = sign(letter, sign_data)
    page = client.get(response["Location"]).content.decode()
    assert "a••@example.org" in page
    assert "ada@example.org" not in page
    assert "Sign again" in page


def test_the_inbox_page_without_the_cookie_still_reads_well(client, letter):
    page = client.get(f"/letters/{letter.slug}/signed/").content.decode()
    assert "We have sent you an email" in page


def test_a_forged_sent_to_cookie_is_ignored(client, letter):
    client.cookies["signed_to"] = "evil@attacker.example"
    page = client.get(f"/letters/{letter.slug}/signed/").content.decode()
    assert "attacker" not in page


def test_the_confirmed_page_shows_the_count_and_how_to_share(
    client, letter, sign, sign_data, visit
):
    sign(letter, sign_data)
    page = visit(links_in(mail.outbox[0])["confirm"]).content.decode()
    assert "signature is confirmed" in page
    # The live count (it includes them once the fold has run, a moment later).
    assert 'data-count="signatures"' in page and "data-count-url" in page
    assert "have signed" in page
    assert "Share the letter" in page and "bsky.app" in page


def test_the_inbox_page_sends_the_email_again_within_the_limit(
    client, letter, sign, sign_data, django_capture_on_commit_callbacks
):
    from django.core import mail

    from signatures.models import Signature

    sign(letter, sign_data)
    assert len(mail.outbox) == 1
    page = client.get(f"/letters/{letter.slug}/signed/").content.decode()
    assert "Send the email again" in page and "ada@example.org" not in page
    assert "ada@example.org" not in "".join(c.value for c in client.cookies.values())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/letters/{letter.slug}/signed/resend/")
    assert response.status_code == 303 and response["Location"].endswith("?resent=1")
    assert len(mail.outbox) == 2 and mail.outbox[1].subject == mail.outbox[0].subject
    assert "We have sent it again" in client.get(response["Location"]).content.decode()
    Signature.objects.update(state=Signature.State.CONFIRMED)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/letters/{letter.slug}/signed/resend/")
    assert len(mail.outbox) == 2  # confirmed: nothing more to send


def test_resending_without_the_cookie_sends_nothing(client, letter):
    from django.core import mail

    response = client.post(f"/letters/{letter.slug}/signed/resend/")
    assert response.status_code == 303 and mail.outbox == []


def test_the_confirmed_page_says_which_signer_they_are(client, letter, sign, sign_data):
    from django.core import mail

    from ..conftest import links_in

    sign(letter, {**sign_data, "email": "first@example.org"})
    client.get(links_in(mail.outbox[-1])["confirm"])
    sign(letter, {**sign_data, "email": "second@example.org"})
    page = client.get(links_in(mail.outbox[-1])["confirm"]).content.decode()
    assert "You are signer number 2." in page


@pytest.mark.parametrize("obstacle", ["blocked", "closed", "other letter"])
def test_resending_respects_blocks_closed_letters_and_the_letter_signed(
    client, letter, sign, sign_data, obstacle, django_capture_on_commit_callbacks
):
    from django.core import mail

    from signatures.models import Block

    from ..factories import LetterFactory

    sign(letter, sign_data)
    target = letter
    if obstacle == "blocked":
        Block.objects.create(letter=letter, kind="domain", value="example.org")
    elif obstacle == "closed":
        letter.state = "closed"
        letter.save()
    else:
        target = LetterFactory(slug="another-letter")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/letters/{target.slug}/signed/resend/")
    assert response.status_code == 303
    assert len(mail.outbox) == 1  # only the first email
