"""Who may read a letter before it is public, and what every page of such a letter says.

A draft is its organisers' only; a private letter is also open to whoever holds its private
link (`?key=`); a published or closed letter is everyone's (petition.models.Letter
.current_state, which follows the schedule at read time). `readable_letter` is how every
public view of a letter finds it: anyone else gets the same 404 as for a letter that does not
exist. A key that worked is remembered for the rest of the visit in a signed cookie of this
browser (no session row), so signing and the check-your-inbox page need no key in the URL.

`LetterAccessMiddleware` marks the answers. One that shows an unpublished letter (to its
organisers or a key holder) says `X-Robots-Tag: noindex` and is never stored by a shared
cache (`private, no-store`, and `X-Accel-Expires: 0` for the nginx edge, which ignores
Cache-Control on the count). A refusal is the same 404 whether the letter is unpublished or
does not exist (nobody learns which slugs exist), says noindex, and may be shared for a
second: stored at the edge, it replaces a public copy kept from before the letter went back
to draft or private, which the edge would otherwise go on serving stale.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.crypto import constant_time_compare

from petition.models import Letter
from petition.selectors import letter_by_slug

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


class Access:
    """How this request may read the letter: `key` is the private key it holds (carried on
    the page's own links and forms), `organiser` whether it organises the letter. The rules
    are the letter's (Letter.may_read, Letter.may_sign); this finds out who is asking."""

    def __init__(self, letter: Letter, *, key: str = "", fresh_key: bool = False, organiser=False):
        self.letter, self.key, self.fresh_key, self.organiser = letter, key, fresh_key, organiser
        self.state = letter.current_state()
        self.public = self.state in Letter.PUBLIC_STATES
        self.lang = ""  # the language chosen in the URL (?lang=), carried on the page's links

    @property
    def may_sign(self) -> bool:
        return self.letter.may_sign(key_holder=bool(self.key), organiser=self.organiser)

    def query(self) -> str:
        """What the page's own links and forms add: the private key while it is private, and
        the language chosen in the URL."""
        params = {}
        if self.key and not self.public:
            params["key"] = self.key
        if self.lang:
            params["lang"] = self.lang
        return f"?{urlencode(params)}" if params else ""


def _held_key(request: HttpRequest, letter: Letter) -> tuple[str, bool]:
    """The letter's private key as this request presents it, if it does: (key, whether it
    came in this request rather than from the cookie); ("", False) otherwise."""
    for key, fresh in _presented_keys(request, letter):
        if constant_time_compare(key, letter.private_key):
            return key, fresh
    return "", False


def letter_access(request: HttpRequest, letter: Letter) -> Access | None:
    """How this request may read `letter`, or None if it may not."""
    access = Access(letter)
    if access.public:
        return access  # no key to look for, no organiser to ask the database about
    if access.state == Letter.State.PRIVATE:
        access.key, access.fresh_key = _held_key(request, letter)
    if not access.key:
        access.organiser = letter.organised_by(request.user)
    if not letter.may_read(key_holder=bool(access.key), organiser=access.organiser):
        return None
    return access


# What a private key and the schedule depend on: re-read for a letter that is not public, so
# a new key or a launch applies at once in every process, not LOCAL_CACHE_SECONDS later.
_LIFE = ("state", "private_key", "publish_at", "closes_at")


def refusal(request: HttpRequest) -> Http404:
    """The 404 to raise for a letter this request may not read, marked as a refusal (see the
    module's docstring): the same as for no letter at all."""
    request.letter_refused = True
    request.csrf_deferred = True  # a refusal may be shared: its forms carry no token of anyone's
    return Http404("No such letter.")


def letter_or_404(request: HttpRequest, slug: str) -> Letter:
    """The letter by its slug (from this process's short cache), whoever asks; no such
    letter is a refusal."""
    refusal(request)  # marked until the letter is found: letter_by_slug raises its own 404
    letter = letter_by_slug(slug)
    if not letter.is_public:
        fresh = Letter.objects.filter(pk=letter.pk).values(*_LIFE).first() or {}
        for field, value in fresh.items():
            setattr(letter, field, value)
    request.letter_refused = request.csrf_deferred = False
    return letter


def readable_letter(request: HttpRequest, slug: str, *, in_its_language: bool = True) -> Letter:
    """The letter, if this request may read it (404 otherwise, as for no letter at all).
    The page is then in the language of the text it shows: the reader's, where the letter has
    it, else the letter's first language."""
    letter = letter_or_404(request, slug)
    access = letter_access(request, letter)
    if access is None:
        raise refusal(request)
    request.letter_access = access
    request.letter_languages = letter.languages()
    if in_its_language:
        # A URL per language: ?lang=<code> (one of the letter's) whatever the browser says,
        # so each language's page can be linked to, shared and indexed.
        chosen = request.GET.get("lang", "")
        if chosen in request.letter_languages:
            access.lang = chosen
            translation.activate(chosen)
        else:
            translation.activate(letter.text_language(translation.get_language()))
        request.LANGUAGE_CODE = translation.get_language()
    return letter


def with_language_alternates(request: HttpRequest) -> None:
    """This page has a URL per language: its <head> lists them (hreflang, x-default, its
    canonical) and the language switcher links to them (letter_context)."""
    request.letter_alternates = True


class LetterAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "letter_refused", False):
            response["X-Robots-Tag"] = "noindex"
            response["Cache-Control"] = "public, max-age=0, s-maxage=1"
            response["X-Accel-Expires"] = "1"
            return response
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
    refused = getattr(request, "letter_refused", False)
    return {
        "noindex": refused or (access is not None and not access.public),
        "letter_access": access,
        "switcher_languages": languages,
        "alternates": _alternates(request, languages) if access is not None else None,
    }


def _alternates(request: HttpRequest, languages: list[str]) -> dict | None:
    if not getattr(request, "letter_alternates", False):
        return None
    base = settings.SITE_URL + request.path
    key = {"key": request.letter_access.key} if not request.letter_access.public else {}

    def url(code: str) -> str:
        return f"{base}?{urlencode({**key, 'lang': code})}"

    current = translation.get_language()
    return {
        "languages": [(code, url(code)) for code in languages],
        "default": f"{base}?{urlencode(key)}" if key else base,
        "canonical": url(current if current in languages else languages[0]),
    }
