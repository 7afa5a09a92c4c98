"""Organisers create letters at /organise/letters/new/, from nothing or as a copy; staff
may, and anyone granted it with `add_organiser --creator`. The creator owns the letter."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from petition.defaults import PROFESSIONS
from petition.models import AuditEntry, Letter, Organiser

from .conftest import make_user

pytestmark = pytest.mark.django_db

NEW = {
    "slug": "fair-pay-for-translators",
    "language": "en",
    "title": "Fair pay for translators",
    "body": "We, the undersigned, **ask**.",
    "moderation": "post",
    "organiser_name": "Translators' Guild",
    "contact": "press@guild.example",
    "goal": "5000",
    "professions": [key for key, _labels in PROFESSIONS],
    "more_professions": "Subtitler\n  \nSubtitler\nSound designer",
}


def test_a_creator_makes_a_letter_and_owns_it(as_user, client, letter):
    creator = make_user("cora")
    creator.user_permissions.add(Permission.objects.get(codename="add_letter"))
    response = as_user(creator).post("/organise/letters/new/", NEW)
    assert response.status_code == 302
    new = Letter.objects.get(slug="fair-pay-for-translators")
    assert Organiser.objects.get(letter=new).user == creator
    assert Organiser.objects.get(letter=new).role == Organiser.Role.OWNER
    assert new.professions.count() == 18 and new.goal == 5000
    assert new.professions.get(key="subtitler").label("en") == "Subtitler"
    assert new.professions.get(key="sound-designer").order == 17
    assert AuditEntry.objects.filter(letter=new, detail="created").exists()
    assert new.state == Letter.State.DRAFT and new.languages() == ["en"]
    assert new.professions.get(key="novelist").label("fr") == "Romancier·ère"
    assert (
        "Fair pay for translators" in as_user(creator).get(f"/letters/{new.slug}/").content.decode()
    )
    client.logout()
    assert "Fair pay for translators" not in client.get("/letters/").content.decode()
    assert client.get("/letters/fair-pay-for-translators/").status_code == 404


def test_a_letter_is_duplicated_with_its_professions_and_settings(cast, as_user):
    letter = cast["letter"]
    letter.protected_names = "Mara Ellison"
    letter.save()
    alice = cast["alice"]
    alice.is_staff = True
    alice.save()
    client = as_user(alice)
    form = client.get(f"/organise/letters/new/?from={letter.slug}").content.decode()
    assert f'value="{letter.slug}-copy"' in form and letter.title("en") in form
    offered = list(letter.professions.values_list("key", flat=True))
    for key in offered:
        assert f'value="{key}"' in form  # the copied letter's professions, to untick
    data = {
        **NEW,
        "slug": f"{letter.slug}-copy",
        "title": letter.title("en"),
        "professions": offered,
        "more_professions": "",
    }
    assert client.post(f"/organise/letters/new/?from={letter.slug}", data).status_code == 302
    copy = Letter.objects.get(slug=f"{letter.slug}-copy")
    assert copy.languages() == ["en", "ar"] and copy.title("ar") == letter.title("ar")
    assert copy.state == Letter.State.DRAFT
    assert sorted(copy.professions.values_list("key", flat=True)) == sorted(
        letter.professions.values_list("key", flat=True)
    )
    assert copy.protected_names == "Mara Ellison"


def test_others_may_not_create_and_bad_input_is_a_400(cast, as_user):
    bob = as_user(cast["bob"])  # a moderator, not a creator
    assert bob.get("/organise/letters/new/").status_code == 403
    staff = make_user("stan", is_staff=True)
    client = as_user(staff)
    assert client.post("/organise/letters/new/", {**NEW, "slug": "not a slug"}).status_code == 400
    assert (
        client.post("/organise/letters/new/", {**NEW, "slug": cast["letter"].slug}).status_code
        == 400
    )
    nothing = client.post(
        "/organise/letters/new/", {**NEW, "professions": [], "more_professions": " \n "}
    )
    assert nothing.status_code == 400
    assert "at least one profession" in nothing.content.decode()
    assert client.post("/organise/letters/new/", {**NEW, "language": "xx"}).status_code == 400
    creator = make_user("cyd")
    creator.user_permissions.add(Permission.objects.get(codename="add_letter"))
    assert as_user(creator).get("/organise/letters/new/?from=letter-b").status_code == 404


def test_add_organiser_creator_grants_it(letter, capsys):
    user = make_user("dana")
    call_command("add_organiser", "--creator", user.email)
    user = type(user).objects.get(pk=user.pk)  # permissions are cached on the instance
    assert user.has_perm("petition.add_letter")
    call_command("add_organiser", "--creator", "new.creator@example.org")
    assert "/accounts/password/reset/key/" in capsys.readouterr().out


def test_add_organiser_without_a_letter_or_creator_says_what_it_needs(letter):
    with pytest.raises(CommandError, match="slug"):
        call_command("add_organiser")
