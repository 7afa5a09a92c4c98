"""What the fault-injection and abuse run found (issue "Nothing lost, nothing forged"): each
behaviour below failed on the code before the fix."""

import base64
import hashlib
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from petition.models import AuditEntry
from signatures import outbox
from signatures.models import Signature
from signatures.tokens import Purpose, make_token

from ..conftest import links_in
from ..factories import SignatureFactory
from .test_email_delivery import due_signature

pytestmark = pytest.mark.django_db


# 2. Duplicate confirmation emails without any fault -----------------------------------------


def test_a_request_stamped_by_a_clock_ahead_of_the_workers_is_sent_once(letter):
    """The web process stamped the request 2 s ahead of the worker's clock (or its INSERT
    committed after the worker read the time): once sent, it must not look due again."""
    due_signature(letter, email_requested_at=timezone.now() + timedelta(seconds=2))
    assert outbox.signatures_email_batch(limit=10).sent == 1
    assert outbox.signatures_email_batch(limit=10).claimed == 0
    assert len(mail.outbox) == 1
    assert Signature.objects.get().emails_sent == 1


def test_a_signing_after_the_claim_stays_due(letter, monkeypatch):
    signature = due_signature(letter)
    real = outbox.send_templated

    def and_meanwhile(*args, **kwargs):
        real(*args, **kwargs)
        Signature.objects.filter(pk=signature.pk).update(
            email_requested_at=timezone.now() - timedelta(hours=1)  # any new value
        )

    monkeypatch.setattr(outbox, "send_templated", and_meanwhile)
    assert outbox.signatures_email_batch(limit=10).sent == 1
    assert Signature.objects.get().email_requested_at is not None


# 3. A re-send after a fault is the same message ---------------------------------------------


def _lose_the_mark_once(monkeypatch):
    """PostgreSQL goes away between the SMTP server accepting and the row being marked."""
    real = outbox._mark
    calls = []

    def flaky(signature, *, sent):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(signature, sent=sent)

    monkeypatch.setattr(outbox, "_mark", flaky)


def _expire_leases():
    Signature.objects.update(email_claimed_at=timezone.now() - timedelta(hours=1))


def test_after_a_lost_mark_a_confirmed_signer_gets_no_already_signed_email(
    letter, sign, sign_data, visit, monkeypatch
):
    _lose_the_mark_once(monkeypatch)
    sign(letter, sign_data)  # the batch task fails after the send; the answer is still 303
    assert len(mail.outbox) == 1  # the server had accepted it
    visit(links_in(mail.outbox[0])["confirm"])
    assert Signature.objects.get().state == Signature.State.CONFIRMED
    _expire_leases()
    outbox.signatures_email_batch(limit=10)
    assert len(mail.outbox) == 1
    assert not any("already signed" in m.subject for m in mail.outbox)
    assert Signature.objects.get().email_requested_at is None


def test_after_a_lost_mark_the_resend_is_the_same_message(letter, sign, sign_data, monkeypatch):
    _lose_the_mark_once(monkeypatch)
    sign(letter, sign_data)
    _expire_leases()
    outbox.signatures_email_batch(limit=10)
    first, second = mail.outbox
    assert first.subject == second.subject
    assert "Confirm your signature" in second.subject


# 4. Nobody can rewrite someone else's pending signature -------------------------------------


def test_a_stranger_resigning_makes_the_first_link_confirm_nothing(
    letter, sign, sign_data, visit, client
):
    victim = {**sign_data, "name": "Vera Victim", "show_name": ""}
    sign(letter, victim)
    first_link = links_in(mail.outbox[0])["confirm"]
    attacker = {**sign_data, "name": "Mallory", "role": "Impostor", "show_name": "on"}
    sign(letter, attacker)
    response = visit(first_link)
    assert response.status_code == 409
    assert "newer email" in response.content.decode()
    assert Signature.objects.get().state == Signature.State.PENDING
    assert "Mallory" not in client.get(f"/letters/{letter.slug}/signatures/").content.decode()
    # The newer email says exactly what its link would publish.
    newer = mail.outbox[1]
    assert "Mallory" in newer.body and "Impostor" in newer.body
    assert "What will be published" in newer.body


def test_every_confirmation_email_shows_what_will_be_published(letter, sign, sign_data):
    sign(letter, {**sign_data, "role": "Principal cellist", "country": "FR"})
    body = mail.outbox[0].body
    for shown in ("Ada Lovelace", "Novelist", "Principal cellist", "France", "example.org/ada"):
        assert shown in body
    assert "never published" in body
    assert "ada@example.org" not in body.split("What will be published")[1].split("\n\n")[0]


def test_an_email_for_an_unlisted_signer_says_the_name_will_not_be_shown(letter, sign, sign_data):
    sign(letter, {**sign_data, "show_name": ""})
    assert "will not be shown" in mail.outbox[0].body


def test_the_first_link_still_confirms_nothing_after_the_newer_one_was_confirmed(
    letter, sign, sign_data, visit
):
    sign(letter, {**sign_data, "name": "Vera Victim"})
    sign(letter, {**sign_data, "name": "Mallory"})
    visit(links_in(mail.outbox[1])["confirm"])  # the impostor confirms their version
    response = visit(links_in(mail.outbox[0])["confirm"])
    assert response.status_code == 409
    assert "confirmed" not in response.content.decode().lower()


def test_the_newer_email_shows_a_changed_profession(letter, sign, sign_data):
    sign(letter, sign_data)
    sign(letter, {**sign_data, "profession": "composer"})
    assert "Profession: Novelist" in mail.outbox[0].body
    assert "Profession: Composer" in mail.outbox[1].body


def test_the_owner_can_confirm_the_latest_details(letter, sign, sign_data, visit):
    sign(letter, sign_data)
    sign(letter, {**sign_data, "role": "Poet"})
    response = visit(links_in(mail.outbox[1])["confirm"])
    assert response.status_code == 200
    signature = Signature.objects.get()
    assert (signature.state, signature.role) == (Signature.State.CONFIRMED, "Poet")


# 5. The verified badge follows the person, not the address ----------------------------------


def test_withdrawing_clears_verification_with_an_audit_entry(letter, visit):
    signature = SignatureFactory(
        letter=letter, profession=letter.professions.first(), notable=True, notable_verified=True
    )
    token = make_token(
        signature_id=signature.pk, email_key=signature.email_key, purpose=Purpose.WITHDRAW
    )
    visit(f"/letters/{letter.slug}/withdraw/{token}/", method="post")
    signature.refresh_from_db()
    assert signature.state == Signature.State.WITHDRAWN and not signature.notable_verified
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.VERIFICATION_CLEARED
    assert entry.signature_ids == [signature.pk] and "withdrawn" in entry.reason


def test_resigning_under_another_name_is_not_verified(letter, sign, sign_data, visit, client):
    sign(letter, sign_data)
    visit(links_in(mail.outbox[0])["confirm"])
    Signature.objects.update(notable=True, notable_verified=True)
    withdraw = links_in(mail.outbox[0])["withdraw"]
    visit(withdraw, method="post")
    sign(letter, {**sign_data, "name": "Other Person Entirely"})
    visit(links_in(mail.outbox[-1])["confirm"])
    signature = Signature.objects.get()
    assert signature.name == "Other Person Entirely"
    assert not signature.notable_verified
    assert "verified" not in client.get(f"/letters/{letter.slug}/").content.decode().lower()


def test_a_name_change_while_pending_clears_verification(letter, sign, sign_data):
    signature = SignatureFactory(
        letter=letter,
        profession=letter.professions.get(key="novelist"),
        email="ada@example.org",
        email_key="ada@example.org",
        state=Signature.State.PENDING,
        confirmed_at=None,
        notable=True,
        notable_verified=True,
    )
    sign(letter, {**sign_data, "name": "Someone Else"})
    signature.refresh_from_db()
    assert not signature.notable_verified
    assert AuditEntry.objects.filter(action="verification_cleared").count() == 1


# 6. One inbox, one signature ----------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["u@ｇｍａｉｌ.com", "U@GMAIL.COM", "u+3@gmail.com", "u.x@gmail.com", "u@googlemail.com"],
)
def test_every_spelling_of_one_gmail_inbox_is_one_signature(letter, sign, sign_data, address):
    sign(letter, {**sign_data, "email": "ux@gmail.com" if "x" in address else "u@gmail.com"})
    assert sign(letter, {**sign_data, "email": address}).status_code == 303
    assert Signature.objects.count() == 1


@pytest.mark.parametrize("address", ['"u"@gmail.com', '"u+3"@gmail.com', '"u\\"x"@example.org'])
def test_quoted_local_parts_are_refused_with_a_clear_error(letter, sign, sign_data, address):
    response = sign(letter, {**sign_data, "email": address})
    assert response.status_code == 400
    assert "quotation marks" in response.content.decode()
    assert not Signature.objects.exists()


def test_an_internationalised_domain_is_stored_in_its_ascii_form(letter, sign, sign_data):
    sign(letter, {**sign_data, "email": "anna@bücher.example"})
    assert Signature.objects.get().email == "anna@xn--bcher-kva.example"


# 11. Response work does not tell whether an address has signed ------------------------------


def _statements(client, letter, data) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.post(f"/letters/{letter.slug}/sign/", data).status_code == 303
    return [q["sql"].split(" VALUES ")[0] for q in queries.captured_queries]


def test_a_repeat_signing_does_the_same_database_work_as_a_first(letter, client, sign_data):
    """The email decision belongs to the worker: both answer after the same one statement."""
    _statements(client, letter, {**sign_data, "email": "warm@example.org"})  # loads the letter
    first = _statements(client, letter, sign_data)
    repeat = _statements(client, letter, {**sign_data, "name": "Another Name"})
    assert first == repeat
    assert len(first) == 1 and first[0].startswith("INSERT")


# 10. The sweep is bounded like a batch task --------------------------------------------------


def test_the_sweep_stops_at_its_time_bound_and_hands_on(letter, settings, monkeypatch):
    settings.EMAIL_BATCH_SIZE, settings.EMAIL_BATCH_SECONDS = 2, 0
    settings.EMAIL_SWEEP_AFTER_SECONDS = 0
    for _ in range(5):
        due_signature(letter)
    handed_on = []
    monkeypatch.setattr(outbox, "enqueue", lambda task, *args: handed_on.append(task.name))
    assert outbox.send_pending_confirmations_task.apply().get() == 2
    assert handed_on == [outbox.send_pending_confirmations_task.name]


# 12. Email links say nothing to whoever holds them ------------------------------------------


def test_a_link_token_reveals_neither_id_nor_address(letter, sign, sign_data):
    sign(letter, sign_data)
    signature = Signature.objects.get()
    token = links_in(mail.outbox[0])["confirm"].rstrip("/").rsplit("/", 1)[1]
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    fingerprint = hashlib.sha256(signature.email_key.encode()).hexdigest()[:12]
    assert fingerprint not in token and fingerprint.encode() not in raw
    assert b"[" + str(signature.pk).encode() + b"," not in raw  # the JSON payload is sealed
    assert token != make_token(
        signature_id=signature.pk, email_key=signature.email_key, purpose=Purpose.CONFIRM
    )  # a fresh nonce every time


def test_a_token_for_one_purpose_opens_no_other(letter, sign, sign_data, visit):
    sign(letter, sign_data)
    token = links_in(mail.outbox[0])["withdraw"].rstrip("/").rsplit("/", 1)[1]
    assert visit(f"/letters/{letter.slug}/confirm/{token}/").status_code == 400


def test_an_old_token_has_expired(letter, sign, sign_data, visit, settings, monkeypatch):
    sign(letter, sign_data)
    confirm = links_in(mail.outbox[0])["confirm"]
    real = time.time
    later = real() + settings.CONFIRM_TOKEN_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert visit(confirm).status_code == 410


def test_links_survive_a_secret_key_rotation(letter, sign, sign_data, visit, settings):
    sign(letter, sign_data)
    confirm = links_in(mail.outbox[0])["confirm"]
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "y" * 40
    assert visit(confirm).status_code == 200


# 13. Smaller ones -----------------------------------------------------------------------------


def test_plain_text_email_is_not_html_escaped(letter, sign, sign_data):
    sign(letter, {**sign_data, "name": "Tom & Jerry <Films>"})
    message = mail.outbox[0]
    assert "Hello Tom & Jerry <Films>," in message.body
    assert "&amp;" not in message.body and "&lt;" not in message.body
    assert "Tom &amp; Jerry &lt;Films&gt;" in message.alternatives[0][0]


def test_a_link_with_a_user_name_or_password_is_refused(letter, sign, sign_data):
    response = sign(letter, {**sign_data, "link": "https://user:pw@example.org/me"})
    assert response.status_code == 400
    assert "user name or password" in response.content.decode()
    assert not Signature.objects.exists()


def test_at_the_email_cap_a_new_signing_changes_nothing_and_the_last_link_works(
    letter, sign, sign_data, visit, settings
):
    settings.SIGNATURE_MAX_EMAILS = 2
    sign(letter, sign_data)
    sign(letter, {**sign_data, "role": "Poet"})
    sign(letter, {**sign_data, "name": "Mallory"})  # over the cap: no email, no change
    assert len(mail.outbox) == 2
    assert Signature.objects.get().name == "Ada Lovelace"
    assert visit(links_in(mail.outbox[1])["confirm"]).status_code == 200
    assert Signature.objects.get().state == Signature.State.CONFIRMED
