"""The share image: 1,200 × 630 PNG per letter and language with the title and the count,
Arabic shaped right to left, drawn once per count step and kept, never per request."""

import io

import pytest
from django.core.cache import cache
from PIL import Image

from front import share_image
from signatures.counting import tally_recount

from ..factories import SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("count", "step"),
    [(0, 0), (7, 7), (99, 99), (100, 100), (1234, 1200), (31540, 31000), (1_234_567, 1_200_000)],
)
def test_the_image_shows_the_count_by_steps(count, step):
    assert share_image.count_step(count) == step


@pytest.mark.parametrize("language", ["en", "ar"])
def test_each_language_has_its_image_of_the_right_size(client, letter, language):
    response = client.get(f"/letters/{letter.slug}/share-{language}.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (1200, 630) and image.format == "PNG"
    page = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'content="http://testserver/letters/{letter.slug}/share-{language}.png"' in page


def test_it_changes_when_the_count_moves_and_is_not_drawn_per_request(client, letter, monkeypatch):
    drawn = []
    real = share_image.draw_card
    monkeypatch.setattr(share_image, "draw_card", lambda **kw: drawn.append(kw) or real(**kw))
    first = client.get(f"/letters/{letter.slug}/share-en.png").content
    again = client.get(f"/letters/{letter.slug}/share-en.png").content
    assert first == again and len(drawn) == 1  # kept, not drawn again
    SignatureFactory.create_batch(3, letter=letter)
    tally_recount(letter_id=letter.pk)
    cache.delete(f"letter-count:v3:{letter.slug}")  # a fold forgets it on commit
    moved = client.get(f"/letters/{letter.slug}/share-en.png").content
    assert moved != first and drawn[-1]["number"] == "3"


def test_an_arabic_title_is_drawn_right_to_left(letter):
    png = share_image.draw_card(
        title="لا لتدريب الذكاء الاصطناعي", number="12", phrase="شخصًا وقّعوا", language="ar",
        site="example.org",
    )  # fmt: skip
    image = Image.open(io.BytesIO(png)).convert("L")
    title_band = [image.getpixel((x, 120)) for x in range(0, 1200, 4)]
    inked = [x for x, value in zip(range(0, 1200, 4), title_band, strict=True) if value < 128]
    assert inked and max(inked) > 1000  # starts at the right margin


def test_an_unknown_language_is_a_404(client, letter):
    assert client.get(f"/letters/{letter.slug}/share-xx.png").status_code == 404


def test_a_letter_without_arabic_text_shares_its_own_language(client, letter):
    letter.texts.get(language="ar").delete()
    english = client.get(f"/letters/{letter.slug}/share-en.png").content
    assert client.get(f"/letters/{letter.slug}/share-ar.png").content == english


def test_the_card_names_the_organiser_the_best_known_signers_and_where_to_sign(
    client, letter, monkeypatch
):
    from petition.models import Letter

    Letter.objects.filter(pk=letter.pk).update(organiser_name="Authors' Federation")
    SignatureFactory(letter=letter, name="Kate Winslet", notable=True, notable_verified=True)
    drawn = []
    real = share_image.draw_card
    monkeypatch.setattr(share_image, "draw_card", lambda **kw: drawn.append(kw) or real(**kw))
    client.get(f"/letters/{letter.slug}/share-en.png")
    card = drawn[-1]
    assert card["organiser"] == "organised by Authors' Federation"
    assert card["names"] == "With Kate Winslet and others"
    assert card["call"] == f"Sign at testserver/letters/{letter.slug}"
    # A new name on the wall is a new image, whatever the count.
    SignatureFactory(letter=letter, name="Ben Stokes", notable=True, notable_verified=True)
    client.get(f"/letters/{letter.slug}/share-en.png")
    assert drawn[-1]["names"] == "With Kate Winslet, Ben Stokes and others"
    client.get(f"/letters/{letter.slug}/share-ar.png")
    assert drawn[-1]["call"].startswith("وقّع")
