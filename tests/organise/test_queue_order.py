"""The queue sorts by date either way, a page at a time on a keyset cursor, filters kept."""

import re

import pytest

from ..factories import SignatureFactory

pytestmark = pytest.mark.django_db


def _names(body: str) -> list[str]:
    return re.findall(r'<label for="sig-\d+">([^<]+)</label>', body)


@pytest.mark.parametrize(("order", "first", "second"), [("", 59, 9), ("oldest", 0, 50)])
def test_pages_in_either_order_keep_the_filters(cast, as_user, order, first, second):
    letter = cast["letter"]
    for i in range(60):
        SignatureFactory(letter=letter, name=f"Person {i:02d}", country="FR")
    SignatureFactory(letter=letter, name="Elsewhere", country="DE")
    client = as_user(cast["bob"])
    body = client.get(f"/organise/letters/{letter.slug}/", {"country": "FR", "order": order})
    page = body.content.decode()
    names = _names(page)
    assert len(names) == 50 and names[0] == f"Person {first:02d}"
    link = re.search(r'<a href="\?([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    assert "country=FR" in link and (order == "" or "order=oldest" in link)
    rest = _names(client.get(f"/organise/letters/{letter.slug}/?{link}").content.decode())
    assert len(rest) == 10 and rest[0] == f"Person {second:02d}"
    assert "Elsewhere" not in names + rest


def test_a_bad_order_is_a_400_with_the_page(cast, as_user):
    response = as_user(cast["bob"]).get(f"/organise/letters/{cast['letter'].slug}/?order=up")
    assert response.status_code == 400
