"""A letter's life, as the contract's table says: who sees each state (its organisers, a
holder of its private link, a stranger) on every public surface: the page, signing, the count
API, the signer list and its API, the embed, the index, the sitemap and robots.txt."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from petition.models import AuditEntry, Letter
from petition.selectors import forget_letters
from signatures.counting import tally_recount
from signatures.models import Signature

from ..conftest import links_in
from ..factories import LetterFactory, ProfessionFactory
from .conftest import make_user

pytestmark = pytest.mark.django_db

SURFACES = {
    "page": "/letters/{slug}/",
    "count": "/api/letters/{slug}/count",
    "signatures-api": "/api/letters/{slug}/signatures",
    "list": "/letters/{slug}/signatures/",
    "embed": "/letters/{slug}/embed/",
    "verification": "/letters/{slug}/verification/",
    "share-image": "/letters/{slug}/share-en.png",
}

# state → (organiser, key holder, stranger): whether each may read the letter.
TABLE = {
    "draft": (True, False, False),
    "private": (True, True, False),
    "published": (True, True, True),
    "closed": (True, True, True),
}
# state → (organiser, key holder, stranger): the sign POST's answer.
SIGNING = {
    "draft": (403, 404, 404),
    "private": (303, 303, 404),
    "published": (303, 303, 303),
    "closed": (403, 403, 403),
}
WHO = ("organiser", "key holder", "stranger")


@pytest.fixture
def life(db):
    letter = LetterFactory(slug="founders", featured=True)
    ProfessionFactory(letter=letter, key="novelist", labels={"en": "Novelist"})
    owner = make_user("olive")
    letter.organisers.create(user=owner, role="owner")
    return letter, owner


def _client_for(who, client, letter, owner):
    if who == "organiser":
        client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _query(who, letter) -> str:
    return f"?key={letter.private_key}" if who == "key holder" else ""


def _set_state(letter, state):
    letter.state = state
    letter.save()
    cache.clear()


@pytest.mark.parametrize("state", TABLE)
@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("surface", SURFACES)
def test_who_reads_each_state_on_each_surface(life, client, state, who, surface):
    letter, owner = life
    _set_state(letter, state)
    client = _client_for(who, client, letter, owner)
    url = SURFACES[surface].format(slug=letter.slug) + _query(who, letter)
    response = client.get(url)
    allowed = TABLE[state][WHO.index(who)]
    assert response.status_code == (200 if allowed else 404), (state, who, surface)
    public = state in ("published", "closed")
    if not public:
        # Every answer about an unpublished letter, the 404s too, keeps search engines away.
        assert response["X-Robots-Tag"] == "noindex"
        if allowed:  # what its organisers and key holders see is never stored by an edge
            assert "no-store" in response["Cache-Control"] and response["X-Accel-Expires"] == "0"
        else:  # a refusal is everyone's, for a second (it replaces a stale public copy)
            assert response["X-Accel-Expires"] == "1" and "s-maxage=1" in response["Cache-Control"]
    else:
        assert "X-Robots-Tag" not in response
    if allowed and surface in ("page", "list", "embed") and not public:
        assert '<meta name="robots" content="noindex">' in response.content.decode()


@pytest.mark.parametrize("state", SIGNING)
@pytest.mark.parametrize("who", WHO)
def test_who_signs_in_each_state(life, client, sign_data, state, who):
    letter, owner = life
    _set_state(letter, state)
    client = _client_for(who, client, letter, owner)
    data = {**sign_data, "profession": "novelist"}
    if who == "key holder":
        data["key"] = letter.private_key
    response = client.post(f"/letters/{letter.slug}/sign/", data)
    assert response.status_code == SIGNING[state][WHO.index(who)], (state, who)
    signed = Signature.objects.filter(letter=letter).exists()
    assert signed == (response.status_code == 303)


@pytest.mark.parametrize("state", TABLE)
def test_index_sitemap_and_robots(life, client, state):
    letter, _owner = life
    _set_state(letter, state)
    index = client.get("/letters/").content.decode()
    sitemap = client.get("/sitemap.xml").content.decode()
    assert (letter.title("en") in index) == (state == "published")
    assert (f"/letters/{letter.slug}/" in sitemap) == (state in ("published", "closed"))
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and "Sitemap:" in robots.content.decode()
    # The site's root shows a public letter only.
    assert client.get("/").status_code == (200 if state in ("published", "closed") else 404)


def test_a_closed_page_and_embed_say_it_is_closed(life, client, as_user):
    letter, owner = life
    url = f"/organise/letters/{letter.slug}/publishing/"
    assert (
        as_user(owner).post(url, {"action": "move", "to": "closed", "confirmed": "1"}).status_code
        == 302
    )
    client.logout()
    cache.clear()
    page = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "no longer accepts signatures" in page and 'class="sign-form"' not in page
    assert "This letter closed on" in page  # closing by hand records when
    assert "Sign the letter" not in page  # no button that leads nowhere
    embed = client.get(f"/letters/{letter.slug}/embed/").content.decode()
    assert "This letter is closed." in embed and "Read and sign" not in embed


def test_the_private_link_is_kept_for_the_visit_through_signing(
    life, client, sign_data, django_capture_on_commit_callbacks
):
    """The key is in the first URL only: the form, the sign POST, the inbox page, the
    resend and the confirmation link work without carrying it by hand."""
    letter, _owner = life
    _set_state(letter, "private")
    page = client.get(f"/letters/{letter.slug}/?key={letter.private_key}")
    assert page.status_code == 200 and page.cookies["letter_keys"]["httponly"]
    # The form carries it too, for a browser that refuses cookies.
    assert f'name="key" value="{letter.private_key}"' in page.content.decode()
    assert client.get(f"/letters/{letter.slug}/").status_code == 200  # the cookie alone
    with django_capture_on_commit_callbacks(execute=True):
        signed = client.post(
            f"/letters/{letter.slug}/sign/", {**sign_data, "profession": "novelist"}
        )
    assert signed.status_code == 303
    inbox = client.get(signed["Location"])
    assert inbox.status_code == 200 and "a••" in inbox.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/letters/{letter.slug}/signed/resend/").status_code == 303
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/confirm/" in line).strip()
    client.cookies.clear()  # the confirmation link is opened anywhere, by anyone holding it
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(link[link.index("/letters/") :]).status_code == 200
    assert Signature.objects.get(letter=letter).state == Signature.State.CONFIRMED
    tally_recount(letter_id=letter.pk)
    # Counted while private; public at launch.
    assert client.get(f"/api/letters/{letter.slug}/count").status_code == 404
    _set_state(letter, "published")
    body = client.get(f"/api/letters/{letter.slug}/count").json()
    assert body["signatures"] == 1
    names = client.get(f"/api/letters/{letter.slug}/signatures").json()["results"]
    assert [n["name"] for n in names] == ["Ada Lovelace"]


def test_a_new_key_stops_the_old_one_even_from_a_cookie(life, client, as_user):
    letter, owner = life
    _set_state(letter, "private")
    old = letter.private_key
    assert client.get(f"/letters/{letter.slug}/?key={old}").status_code == 200
    visitor_cookies = client.cookies
    owner_client = as_user(owner)
    response = owner_client.post(
        f"/organise/letters/{letter.slug}/publishing/", {"action": "new_key"}
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.private_key != old
    assert AuditEntry.objects.filter(letter=letter, action="new_key").exists()
    client.logout()
    client.cookies = visitor_cookies
    assert client.get(f"/letters/{letter.slug}/").status_code == 404
    assert client.get(f"/letters/{letter.slug}/?key={old}").status_code == 404
    assert client.get(f"/letters/{letter.slug}/?key={letter.private_key}").status_code == 200


def test_owners_move_the_letter_through_its_life_each_move_audited(life, as_user, client):
    letter, owner = life
    _set_state(letter, "draft")
    owner_client = as_user(owner)
    url = f"/organise/letters/{letter.slug}/publishing/"
    page = owner_client.get(url).content.decode()
    assert f"?key={letter.private_key}" in page
    for to in ("private", "published", "closed", "published"):
        assert (
            owner_client.post(url, {"action": "move", "to": to, "confirmed": "1"}).status_code
            == 302
        )
        letter.refresh_from_db()
        assert letter.state == to
    moves = AuditEntry.objects.filter(letter=letter, action="state")
    assert [m.detail for m in moves.order_by("pk")] == [
        "draft → private",
        "private → published",
        "published → closed",
        "closed → published",
    ]
    assert letter.published_on is not None
    # A move the state does not allow changes nothing, with a 400 and the page.
    refused = owner_client.post(url, {"action": "move", "to": "draft"})
    assert refused.status_code == 400
    assert owner_client.post(url, {"action": "move", "to": "nonsense"}).status_code == 400
    assert owner_client.post(url, {"action": "what"}).status_code == 400
    letter.refresh_from_db()
    assert letter.state == "published"


def test_moderators_and_strangers_cannot_move_a_letter(life, client, as_user):
    letter, _owner = life
    moderator = make_user("mo")
    letter.organisers.create(user=moderator, role="moderator")
    url = f"/organise/letters/{letter.slug}/publishing/"
    assert (
        as_user(moderator)
        .post(url, {"action": "move", "to": "closed", "confirmed": "1"})
        .status_code
        == 404
    )
    assert as_user(make_user("stranger")).get(url).status_code == 404
    assert Letter.objects.get(pk=letter.pk).state == "published"


def test_a_visitor_holding_a_key_for_another_letter_gets_nothing(life, client):
    letter, _owner = life
    _set_state(letter, "private")
    other = LetterFactory(slug="other", state="private")
    assert client.get(f"/letters/{other.slug}/?key={other.private_key}").status_code == 200
    assert client.get(f"/letters/{letter.slug}/?key={other.private_key}").status_code == 404
    assert client.get(f"/letters/{letter.slug}/").status_code == 404
    client.cookies["letter_keys"] = "forged"
    assert client.get(f"/letters/{letter.slug}/").status_code == 404


@pytest.mark.parametrize("surface", SURFACES)
def test_an_unpublished_letter_and_no_letter_at_all_answer_alike(life, client, surface):
    letter, _owner = life
    _set_state(letter, "private")
    hidden = client.get(SURFACES[surface].format(slug=letter.slug))
    absent = client.get(SURFACES[surface].format(slug="no-such-letter"))
    assert hidden.status_code == absent.status_code == 404
    assert not hidden.cookies  # shared for a second: no token or cookie of anyone's
    for header in ("X-Robots-Tag", "Cache-Control", "X-Accel-Expires"):
        assert hidden[header] == absent[header], header
    body = hidden.content.decode().replace(letter.slug, "no-such-letter")
    assert body == absent.content.decode()


def test_a_made_up_email_link_to_a_private_letter_is_a_404(life, client):
    letter, _owner = life
    _set_state(letter, "private")
    for kind in ("confirm", "withdraw", "erase", "manage", "unsubscribe"):
        made_up = client.get(f"/letters/{letter.slug}/{kind}/not-a-token/")
        absent = client.get(f"/letters/no-such-letter/{kind}/not-a-token/")
        assert made_up.status_code == absent.status_code == 404, kind
    _set_state(letter, "published")
    assert client.get(f"/letters/{letter.slug}/confirm/not-a-token/").status_code == 400


def test_a_new_key_or_a_launch_applies_at_once_in_every_process(life, client):
    """Other processes hold the letter LOCAL_CACHE_SECONDS: an unpublished one's key and
    state are read afresh (here, written with no signal to clear this process's copy)."""
    letter, _owner = life
    _set_state(letter, "private")
    old = letter.private_key
    assert client.get(f"/letters/{letter.slug}/?key={old}").status_code == 200
    Letter.objects.filter(pk=letter.pk).update(private_key="fresh-key-from-elsewhere")
    assert client.get(f"/letters/{letter.slug}/?key={old}").status_code == 404
    assert client.get(f"/letters/{letter.slug}/?key=fresh-key-from-elsewhere").status_code == 200
    client.cookies.clear()
    Letter.objects.filter(pk=letter.pk).update(state="published")
    assert client.get(f"/letters/{letter.slug}/").status_code == 200


def test_a_key_holders_page_is_never_what_a_stranger_gets_after_launch(life, client, settings):
    """The page's cached fragments follow who reads: a launch by the clock does not touch
    the letter's updated_at, and the fragment a key holder made must not reach a stranger."""
    settings.LETTER_FRAGMENT_CACHE_SECONDS = 60
    letter, _owner = life
    _set_state(letter, "private")
    key_holder = client.get(f"/letters/{letter.slug}/?key={letter.private_key}")
    assert letter.private_key in key_holder.content.decode()
    Letter.objects.filter(pk=letter.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    forget_letters()
    client.cookies.clear()
    stranger = client.get(f"/letters/{letter.slug}/")
    assert stranger.status_code == 200
    assert letter.private_key not in stranger.content.decode()


def test_the_private_letters_pages_do_not_invite_sharing_a_link_that_404s(
    life, client, sign_data, visit
):
    letter, _owner = life
    _set_state(letter, "private")
    page = client.get(f"/letters/{letter.slug}/?key={letter.private_key}").content.decode()
    assert "Copy link" not in page and "Sign the letter" in page
    visit(f"/letters/{letter.slug}/sign/", "post", {**sign_data, "profession": "novelist"})
    confirm = links_in(mail.outbox[-1])["confirm"]
    client.cookies.clear()  # opened on another device
    confirmed = visit(confirm).content.decode()
    assert "not public yet" in confirmed and "Copy link" not in confirmed
    assert "data-count-url" not in confirmed  # its count answers 404 without the key


def test_the_publishing_page_names_the_letter_and_its_schedule(life, as_user):
    letter, owner = life
    _set_state(letter, "private")
    Letter.objects.filter(pk=letter.pk).update(publish_at=timezone.now() + timedelta(days=2))
    page = as_user(owner).get(f"/organise/letters/{letter.slug}/publishing/").content.decode()
    assert letter.title("en") in page and "It publishes itself on" in page
    assert "It is now" in page and 'id="private-link"' in page
    _set_state(letter, "published")
    page = as_user(owner).get(f"/organise/letters/{letter.slug}/publishing/").content.decode()
    assert 'id="private-link"' not in page  # nothing private left to share
