"""Who stands behind a letter: the organisers' public name, when it was published, how to
reach them, and an optional header image, re-encoded on upload."""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from .form_data import settings_data

pytestmark = pytest.mark.django_db


def _settings(letter, **extra) -> dict:
    return settings_data(letter, professions=False, **extra)


def _png(size=(3000, 1000), mode="RGB") -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new(mode, size, "#8a2c0d").save(output, format="PNG")
    return SimpleUploadedFile("header.png", output.getvalue(), content_type="image/png")


def test_the_page_says_who_organised_it_when_and_how_to_reach_them(cast, as_user, client):
    letter = cast["letter"]
    response = as_user(cast["alice"]).post(
        f"/organise/letters/{letter.slug}/settings/",
        _settings(
            letter,
            organiser_name="Creators' Coalition",
            contact="press@coalition.example",
            published_on="2026-10-22",
        ),
    )
    assert response.status_code == 302
    client.logout()
    cache.clear()
    page = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "Published 22 Oct 2026" in page or "Published Oct. 22, 2026" in page
    assert "organised by Creators&#x27; Coalition" in page
    assert 'href="mailto:press@coalition.example"' in page


def test_a_contact_must_be_an_address_or_a_link(cast, as_user):
    letter = cast["letter"]
    response = as_user(cast["alice"]).post(
        f"/organise/letters/{letter.slug}/settings/", _settings(letter, contact="call us")
    )
    assert response.status_code == 400


def test_a_header_image_is_reencoded_shrunk_and_served(cast, as_user, client):
    letter = cast["letter"]
    alice = as_user(cast["alice"])
    response = alice.post(
        f"/organise/letters/{letter.slug}/settings/", _settings(letter, header_image=_png())
    )
    assert response.status_code == 302
    cache.clear()
    page = client.get(f"/letters/{letter.slug}/").content.decode()
    assert f"/letters/{letter.slug}/header-image/?v=" in page
    served = client.get(f"/letters/{letter.slug}/header-image/")
    assert served["Content-Type"] == "image/jpeg" and "public" in served["Cache-Control"]
    assert Image.open(io.BytesIO(served.content)).size == (1600, 533)  # at most 1,600 wide


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.svg", b"<svg onload='alert(1)'/>", content_type="image/svg+xml"),
        SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
    ],
)
def test_what_is_not_an_image_is_refused(cast, as_user, client, upload):
    letter = cast["letter"]
    response = as_user(cast["alice"]).post(
        f"/organise/letters/{letter.slug}/settings/", _settings(letter, header_image=upload)
    )
    assert response.status_code == 400
    assert client.get(f"/letters/{letter.slug}/header-image/").status_code == 404


def test_a_decompression_bomb_is_refused_before_it_is_decoded(cast, as_user):
    letter = cast["letter"]
    output = io.BytesIO()
    Image.new("1", (7000, 6000)).save(output, format="PNG")  # 42 megapixels, a few KB
    bomb = SimpleUploadedFile("bomb.png", output.getvalue(), content_type="image/png")
    response = as_user(cast["alice"]).post(
        f"/organise/letters/{letter.slug}/settings/", _settings(letter, header_image=bomb)
    )
    assert response.status_code == 400 and "40 megapixels" in response.content.decode()


def test_a_phone_photo_is_turned_the_way_the_camera_meant(cast, as_user, client):
    letter = cast["letter"]
    output = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    Image.new("RGB", (400, 200), "#336699").save(output, format="JPEG", exif=exif)
    photo = SimpleUploadedFile("photo.jpg", output.getvalue(), content_type="image/jpeg")
    as_user(cast["alice"]).post(
        f"/organise/letters/{letter.slug}/settings/", _settings(letter, header_image=photo)
    )
    served = client.get(f"/letters/{letter.slug}/header-image/")
    assert Image.open(io.BytesIO(served.content)).size == (200, 400)


@pytest.mark.parametrize(
    ("contact", "ok"),
    [
        ("press@coalition.example", True),
        ("mailto:press@coalition.example", True),
        ("https://coalition.example/contact", True),
        ("javascript:alert(1)//@x", False),
        ("a@b.c?subject=x&bcc=spy@evil.example", False),
        ("ftp://coalition.example", False),
    ],
)
def test_the_contact_is_an_address_or_a_web_link(cast, as_user, contact, ok):
    letter = cast["letter"]
    response = as_user(cast["alice"]).post(
        f"/organise/letters/{letter.slug}/settings/", _settings(letter, contact=contact)
    )
    assert response.status_code == (302 if ok else 400)
    if ok:
        letter.refresh_from_db()
        assert not letter.contact.startswith("mailto:")
