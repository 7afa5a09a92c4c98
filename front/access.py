"""Who may read a letter before it is public, and what every page of such a letter says.

A draft is its organisers' only; a private letter is also open to whoever holds its private
link (`?key=`); a published or closed letter is everyone's (letters.models.Letter
.current_state, which follows the schedule at read time). `readable_letter` is how every
public view of a letter finds it: anyone else gets the same 404 as for a letter that does not
exist. A key that worked is remembered for the rest of the visit in a signed cookie of this
browser (no session row), so signing and the check-your-inbox page need no key in the URL.

`LetterAccessMiddleware` marks every answer about an unpublished letter, the 404s included:
`X-Robots-Tag: noindex`, and never stored by a shared cache (`private, no-store`, and
`X-Accel-Expires: 0` for an nginx edge, which is told to ignore Cache-Control on the count).
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.crypto import constant_time_compare

from letters.models import Letter
from letters.selectors import letter_by_slug

KEYS_COOKIE = "letter_keys"
_SALT = "front.access.keys"
_MAX_KEYS = 20  # letters a browser holds a key for (the cookie stays small)


def _held_keys(request: HttpRequest) -> dict[str, str]:
    try:
        keys = signing.loads(request.COOKIES.get(KEYS_COOKIE, ""), salt=_SALT)
    except signing.BadSignature:
        return {}
    return keys if isinstance(keys, dict) else {}


def _presented_keys(request: HttpRequest, letter: Letter) -> list[tuple[str, bool]]:
    """(key, whether it came in this request rather than from the cookie)."""
    keys = [(request.GET.get("key", ""), True)]
    if request.method == "POST":
        try:
            keys.append((request.POST.get("key", ""), True))
        except (BadRequest, MultiPartParserError, UnicodeDecodeError):
            pass  # a body nobody can read: the view answers it
    keys.append((_held_keys(request).get(letter.slug, ""), False))
    return [(key, fresh) for key, fresh in keys if key]


def _organises(user, letter: Letter) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_staff or letter.organisers.filter(user=user).exists()


class Access:
    """How this request may read the letter: `key` is the private key it holds (carried on
    the page's own links and forms), `organiser` whether it organises the letter."""

    def __init__(self, letter: Letter, *, key: str = "", fresh_key: bool = False, organiser=False):
        self.letter, self.key, self.fresh_key, self.organiser = letter, key, fresh_key, organiser
        self.state = letter.current_state()
        self.public = self.state in (Letter.State.PUBLISHED, Letter.State.CLOSED)

    @property
    def may_sign(self) -> bool:
        """Published, or private with the key (or for its organisers)."""
        if self.state == Letter.State.PUBLISHED:
            return True
        return self.state == Letter.State.PRIVATE and bool(self.key or self.organiser)

    def query(self) -> str:
        """What the page's links to the API and the signer list add while it is private."""
        return f"?key={self.key}" if self.key and not self.public else ""


def letter_access(request: HttpRequest, letter: Letter) -> Access | None:
    """How this request may read `letter`, or None if it may not."""
    access = Access(letter)
    if access.public:
        return access
    if access.state == Letter.State.PRIVATE:
        for key, fresh in _presented_keys(request, letter):
            if constant_time_compare(key, letter.private_key):
                return Access(letter, key=key, fresh_key=fresh)
    if _organises(request.user, letter):
        return Access(letter, organiser=True)
    return None


def readable_letter(request: HttpRequest, slug: str, *, in_its_language: bool = True) -> Letter:
    """The letter, if this request may read it (404 otherwise, as for no letter at all).
    The page is then in the language of the text it shows: the reader's, where the letter has
    it, else the letter's first language."""
    letter = letter_by_slug(slug)
    access = letter_access(request, letter)
    request.letter_access = access or Access(letter)
    if access is None:
        raise Http404("No such letter.")
    request.letter_languages = letter.languages()
    if in_its_language:
        translation.activate(letter.text_language(translation.get_language()))
        request.LANGUAGE_CODE = translation.get_language()
    return letter


class LetterAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        access = getattr(request, "letter_access", None)
        if access is None or access.public:
            return response
        response["X-Robots-Tag"] = "noindex"
        response["Cache-Control"] = "private, no-store"
        response["X-Accel-Expires"] = "0"
        if access.fresh_key:
            keys = {**_held_keys(request), access.letter.slug: access.key}
            keys = dict(list(keys.items())[-_MAX_KEYS:])
            response.set_cookie(
                KEYS_COOKIE,
                signing.dumps(keys, salt=_SALT),
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )  # no max_age: the rest of this visit
        return response


def letter_context(request: HttpRequest) -> dict:
    """Template context: `noindex` for a letter's unpublished page, the languages its switcher
    offers (the letter's own on its pages), and the access."""
    access = getattr(request, "letter_access", None)
    languages = getattr(request, "letter_languages", None) or settings.INTERFACE_LANGUAGES
    return {
        "noindex": access is not None and not access.public,
        "letter_access": access,
        "switcher_languages": languages,
    }
