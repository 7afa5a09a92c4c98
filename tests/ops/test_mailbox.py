import pytest
from django.core import mail
from django.test import override_settings

from ops.mailbox import list_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(settings):
    settings.EMAIL_BACKEND = "ops.mailbox.MailboxBackend"
    settings.DEV_MAILBOX_ENABLED = True


def test_mailbox_backend_keeps_each_message_as_a_file(mailbox, settings):
    mail.send_mail("Hello", "Body with http://testserver/x", "from@example.org", ["to@example.org"])
    files = list(settings.MAILBOX_DIR.glob("*.eml"))
    assert len(files) == 1
    assert list_messages()[0].subject == "Hello"


def test_mailbox_page_lists_messages_newest_first(mailbox, client):
    mail.send_mail("First", "one", "from@example.org", ["a@example.org"])
    mail.send_mail("Second", "two", "from@example.org", ["b@example.org"])
    body = client.get("/dev/mail/").content.decode()
    assert body.index("Second") < body.index("First")


def test_mailbox_message_page_makes_links_clickable(mailbox, client):
    mail.send_mail(
        "Link", "Open http://testserver/letters/x/confirm/abc/", "f@example.org", ["t@e.org"]
    )
    message = list_messages()[0]
    body = client.get(f"/dev/mail/{message.id}/").content.decode()
    assert '<a href="http://testserver/letters/x/confirm/abc/"' in body


def test_mailbox_is_hidden_when_debug_is_off(client, settings):
    settings.DEV_MAILBOX_ENABLED = False
    assert client.get("/dev/mail/").status_code == 404


def test_unknown_message_answers_404(mailbox, client):
    assert client.get("/dev/mail/nope/").status_code == 404
    assert client.get("/dev/mail/..%2F..%2Fetc/").status_code == 404


@override_settings(EMAIL_BACKEND="ops.mailbox.MailboxBackend")
def test_signing_with_the_dev_mailbox_delivers_to_a_file(letter, sign, sign_data, mailbox):
    sign(letter, sign_data)
    messages = list_messages()
    assert len(messages) == 1
    assert "/confirm/" in messages[0].text


def test_the_html_part_is_shown_as_the_recipient_sees_it(letter, sign, sign_data, mailbox, client):
    sign(letter, sign_data)
    message = list_messages()[0]
    page = client.get(f"/dev/mail/{message.id}/").content.decode()
    assert f'<iframe class="mail-html" src="/dev/mail/{message.id}/html"' in page
    html = client.get(f"/dev/mail/{message.id}/html")
    policy = html["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy and "sandbox" in policy
    assert html["X-Frame-Options"] == "SAMEORIGIN"
    body = html.content.decode()
    assert '<base target="_blank">' in body and 'class="button"' in body
