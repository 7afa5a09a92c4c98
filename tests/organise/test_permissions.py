import pytest

from signatures.models import Signature

from ..factories import SignatureFactory

pytestmark = pytest.mark.django_db

PAGES = ["", "audit/", "settings/", "organisers/", "blocks/", "export.csv"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_stranger_gets_404_on_every_organiser_url(cast, as_user, page, method):
    client = as_user(cast["charlie"])
    response = getattr(client, method)(f"/organise/letters/{cast['letter'].slug}/{page}")
    assert response.status_code in (404, 405)
    assert response.status_code == 404 or page == "export.csv"


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(client, cast, page):
    response = client.get(f"/organise/letters/{cast['letter'].slug}/{page}")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("page", PAGES)
def test_owner_opens_every_page(cast, as_user, page):
    assert (
        as_user(cast["alice"]).get(f"/organise/letters/{cast['letter'].slug}/{page}").status_code
        == 200
    )


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("", 200),
        ("audit/", 200),
        ("blocks/", 200),
        ("export.csv", 200),
        ("settings/", 404),
        ("organisers/", 404),
    ],
)
def test_moderator_moderates_but_does_not_edit_the_letter(cast, as_user, page, status):
    assert (
        as_user(cast["bob"]).get(f"/organise/letters/{cast['letter'].slug}/{page}").status_code
        == status
    )


def test_staff_see_every_letter(cast, as_user):
    from .conftest import make_user

    staff = make_user("staff", is_staff=True)
    client = as_user(staff)
    for slug in (cast["letter"].slug, cast["other"].slug):
        assert client.get(f"/organise/letters/{slug}/settings/").status_code == 200


def test_dashboard_lists_only_my_letters(cast, as_user):
    body = as_user(cast["charlie"]).get("/organise/").content.decode()
    assert cast["other"].title("en") in body
    assert cast["letter"].title("en") not in body


def test_stranger_cannot_moderate_another_letters_signatures_by_id(cast, as_user):
    signature = SignatureFactory(
        letter=cast["letter"], profession=cast["letter"].professions.first()
    )
    client = as_user(cast["charlie"])
    response = client.post(
        f"/organise/letters/{cast['other'].slug}/",
        {"action": "remove", "ids": [signature.pk], "reason": "spam"},
    )
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.state == Signature.State.CONFIRMED
