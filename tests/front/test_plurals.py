"""Numbers are phrased in the form each number needs: Arabic has six plural forms."""

import pytest
from django.utils import translation

from front.templatetags.tally import signed_phrase_text
from signatures.counting import tally_recount

from ..factories import SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("signers", "phrase"),
    [(1, "شخص وقّع"), (2, "شخصان وقّعا"), (5, "أشخاص وقّعوا"), (11, "شخصًا وقّعوا")],
)
def test_the_arabic_count_uses_the_plural_form_of_its_number(client, letter, signers, phrase):
    SignatureFactory.create_batch(signers, letter=letter, profession=letter.professions.first())
    tally_recount(letter_id=letter.pk)
    for path in (f"/letters/{letter.slug}/", f"/letters/{letter.slug}/embed/"):
        body = client.get(path, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
        shown = body.split("data-count-phrase", 1)[1].split(">", 1)[1].split("<", 1)[0]
        assert shown == phrase, path


def test_the_page_carries_every_form_for_the_live_count(client, letter):
    body = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    span = body.split("<span data-count-phrase", 1)[1].split(">", 1)[0]
    for category in ("zero", "one", "two", "few", "many", "other"):
        assert f'data-{category}="' in span
    english = client.get(f"/letters/{letter.slug}/").content.decode()
    assert (
        'data-one="person has signed"' in english and 'data-other="people have signed"' in english
    )


def test_the_arabic_country_list_is_in_arabic_order(client, letter):
    body = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert body.index(">أنجولا<") < body.index(">أندورا<")  # Angola, Andorra: ج before د
    english = client.get(f"/letters/{letter.slug}/").content.decode()
    assert english.index(">Andorra<") < english.index(">Angola<")


def test_the_site_has_an_icon(client, letter):
    body = client.get(f"/letters/{letter.slug}/").content.decode()
    assert 'rel="icon"' in body
    assert client.get("/favicon.ico").status_code == 301


@pytest.mark.parametrize(
    ("n", "phrase"),
    [
        (0, "شخص وقّعوا"),  # zero
        (1, "شخص وقّع"),  # one
        (2, "شخصان وقّعا"),  # two
        (3, "أشخاص وقّعوا"),  # few: 3–10
        (11, "شخصًا وقّعوا"),  # many: 11–99
        (100, "شخص وقّعوا"),  # other: 100, 1,000 …
    ],
)
def test_each_arabic_plural_form_is_used_for_its_numbers(n, phrase):
    with translation.override("ar"):
        assert signed_phrase_text(n) == phrase
