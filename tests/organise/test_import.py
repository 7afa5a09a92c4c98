"""Founding names in bulk: the preview's outcomes, row by row; confirming invites each person
as "add on someone's behalf" does; the same file twice invites nobody twice; hostile files get
words and a 400; one reminder, never twice, never after an answer."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from petition.models import AuditEntry
from signatures.counting import letter_count
from signatures.models import ImportBatch, Signature

from ..conftest import links_in

pytestmark = pytest.mark.django_db

GOOD = (
    "name,email,profession,role,country,language\n"
    "Nadia Okafor,nadia@example.org,Novelist,Writer,Nigeria,en\n"
    "Omar Haddad,omar@example.org,actor,,مصر,ar\n"
    "Broken Address,not-an-address,actor,,,\n"
    "Nobody Known,known@example.org,astronaut,,,\n"
    "Nadia Again,NADIA@example.org,novelist,,,\n"
    "Ada Lovelace,ada@example.org,novelist,,,\n"
)


def _csv(text: str, name: str = "founders.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _upload(client, letter, upload):
    return client.post(f"/organise/letters/{letter.slug}/import/", {"file": upload})


@pytest.fixture
def owner(cast, as_user):
    return as_user(cast["alice"])


def test_the_preview_says_what_each_row_will_do_and_sends_nothing(owner, letter, sign, sign_data):
    sign(letter, sign_data)  # ada@example.org is on the letter already
    mail.outbox.clear()
    response = _upload(owner, letter, _csv(GOOD))
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    outcomes = {row["row"]: row["outcome"] for row in batch.rows}
    assert outcomes == {
        2: "invite",
        3: "invite",
        4: "error",
        5: "error",
        6: "repeated",
        7: "on_letter",
    }
    errors = {row["row"]: row["error"] for row in batch.rows if row["outcome"] == "error"}
    assert "email address: Enter a valid email address" in errors[4]
    assert "Profession" in errors[5]
    omar = next(row for row in batch.rows if row["row"] == 3)
    assert omar["data"]["country"] == "EG" and omar["data"]["language"] == "ar"
    page = owner.get(response["Location"]).content.decode()
    assert "Invite 2 people" in page and "repeated higher up in the file" in page
    assert mail.outbox == [] and not Signature.objects.filter(added_by__isnull=False).exists()
    rows = owner.get(f"/organise/letters/{letter.slug}/import/{batch.pk}/rows-to-fix.csv")
    text = rows.content.decode()
    assert "not-an-address" in text and "already on the letter" in text and "nadia@" not in text


def test_confirming_invites_each_person_in_their_language_and_lists_nobody_yet(
    owner, cast, letter, client
):
    _upload(owner, letter, _csv(GOOD))
    batch = ImportBatch.objects.get()
    owner.post(f"/organise/letters/{letter.slug}/import/{batch.pk}/")
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.DONE and batch.invited == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ada@example.org",
        "nadia@example.org",
        "omar@example.org",
    ]
    arabic = next(m for m in mail.outbox if m.to == ["omar@example.org"])
    assert 'lang="ar"' in arabic.alternatives[0][0]
    assert letter_count(letter=letter).signatures == 0
    entry = AuditEntry.objects.get(action="import")
    assert entry.actor == cast["alice"] and "founders.csv: 6 rows" in entry.detail
    # One consents, one declines.
    nadia = next(m for m in mail.outbox if m.to == ["nadia@example.org"])
    client.logout()
    client.post(links_in(nadia)["confirm"])
    client.post(links_in(arabic)["erase"])
    assert [s.email for s in Signature.objects.counted()] == ["nadia@example.org"]
    assert not Signature.objects.filter(email="omar@example.org").exists()
    # A second press of "Invite" does nothing more.
    owner.post(f"/organise/letters/{letter.slug}/import/{batch.pk}/")
    assert len(mail.outbox) == 3


def test_the_same_file_twice_invites_nobody_twice(owner, letter):
    _upload(owner, letter, _csv(GOOD))
    first = ImportBatch.objects.get()
    owner.post(f"/organise/letters/{letter.slug}/import/{first.pk}/")
    sent = len(mail.outbox)
    _upload(owner, letter, _csv(GOOD))
    second = ImportBatch.objects.exclude(pk=first.pk).get()
    assert second.counts == {"error": 2, "invited": 4}  # Nadia's second row included
    owner.post(f"/organise/letters/{letter.slug}/import/{second.pk}/")
    assert len(mail.outbox) == sent


def test_an_arabic_header_and_profession_names_are_understood(owner, letter):
    letter.texts.update_or_create(language="ar", defaults={"title": "رسالة", "body": "نص"})
    text = "الاسم الكامل,البريد الإلكتروني,المهنة\nسلمى,salma@example.org,novelist\n"
    _upload(owner, letter, _csv(text))
    assert ImportBatch.objects.get().counts == {"invite": 1}


def _xlsx(rows, *, formula=False) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if formula:
        sheet["D2"] = "=1+1"
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("founders.xlsx", out.getvalue())


def test_an_xlsx_file_is_read_like_a_csv(owner, letter):
    _upload(
        owner,
        letter,
        _xlsx([["Name", "Email", "Profession"], ["Ines", "ines@example.org", "actor"]]),
    )
    assert ImportBatch.objects.get().counts == {"invite": 1}


def _zip_bomb() -> SimpleUploadedFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    return SimpleUploadedFile("bomb.xlsx", out.getvalue())


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (lambda: _csv("name,email,profession\nZoë,zoe@example.org,actor\n").__class__(
            "latin.csv", "name,email,profession\nZoë,zoe@example.org,actor\n".encode("latin-1")
        ), "not UTF-8"),
        (lambda: _csv("name,email,profession\n=HYPERLINK(\"x\"),a@example.org,actor\n"), "formula"),
        (lambda: _xlsx([["name", "email", "profession"], ["A", "a@example.org", "actor"]],
                       formula=True), "formula"),
        (_zip_bomb, "inflates"),
        (lambda: SimpleUploadedFile("fake.xlsx", b"PK\x03\x04" + b"garbage" * 100), "XLSX"),
        (lambda: _csv("email,role\na@example.org,x\n"), "missing: name, profession"),
        (lambda: _csv("name,email,profession\n" + "A,a@example.org,actor\n" * 50_001), "50,000"),
        (lambda: SimpleUploadedFile("big.csv", b"name,email,profession\n" + b"x" * (11 << 20)),
         "10 MB"),
    ],
)  # fmt: skip
def test_a_hostile_or_broken_file_gets_words_and_a_400(owner, letter, upload, words):
    response = _upload(owner, letter, upload())
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_importing_is_for_owners(cast, as_user, letter):
    moderator = as_user(cast["bob"])
    assert moderator.get(f"/organise/letters/{letter.slug}/import/").status_code == 404


def test_one_reminder_after_the_days_never_twice_never_after_an_answer(
    owner, letter, client, settings
):
    settings.IMPORT_REMINDER_DAYS = 7
    two = "name,email,profession\nNadia,nadia@example.org,novelist\nOmar,omar@example.org,actor\n"
    _upload(owner, letter, _csv(two))
    batch = ImportBatch.objects.get()
    owner.post(f"/organise/letters/{letter.slug}/import/{batch.pk}/")
    nadia = next(m for m in mail.outbox if m.to == ["nadia@example.org"])
    client.post(links_in(nadia)["confirm"])  # Nadia answered; Omar did not
    remind = f"/organise/letters/{letter.slug}/import/remind/"
    owner.post(remind)
    assert len(mail.outbox) == 2  # too soon: nobody is reminded
    Signature.objects.update(signed_at=timezone.now() - timedelta(days=8))
    page = owner.get(f"/organise/letters/{letter.slug}/import/").content.decode()
    assert "Remind 1 invitee" in page
    owner.post(remind)
    assert [m.to for m in mail.outbox[2:]] == [["omar@example.org"]]
    assert "confirm or decline" in mail.outbox[-1].subject  # the consent email, with Decline
    owner.post(remind)
    assert len(mail.outbox) == 3  # never twice
    assert AuditEntry.objects.filter(action="remind").get().changed == 1
