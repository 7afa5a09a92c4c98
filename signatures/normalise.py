"""Cleaning of what signers type: canonical emails and names that cannot impersonate."""

import re
import unicodedata
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Providers that ignore dots and +tags in the local part: one person, one signature.
_DOTLESS_PROVIDERS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
_TAGGED_PROVIDERS = {
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "icloud.com",
    "me.com",
    "fastmail.com",
    "protonmail.com",
    "proton.me",
}
_SPACE = re.compile(r"\s+")


def normalise_email(email: str) -> str:
    """Where mail is sent: compatibility forms folded (NFKC: a fullwidth ｇｍａｉｌ.com is
    gmail.com, which is where a mail server delivers it), trimmed, lower-cased, the domain in
    its ASCII (IDNA) form. Quoted local parts never get here: the form refuses them."""
    email = unicodedata.normalize("NFKC", email or "").strip().lower()
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # not a valid domain name: the form's validation says so
    return f"{local}@{domain}"


# Providers that deliver anything@user.<provider> to user@<provider> (Fastmail's subdomain
# addressing): one inbox, as Gmail's dots are.
_SUBDOMAIN_PROVIDERS = {"fastmail.com", "fastmail.fm"}


def canonical_email(email: str) -> str:
    """The key that makes one signature per person and letter (one per inbox)."""
    local, _, domain = normalise_email(email).rpartition("@")
    user, _, provider = domain.partition(".")
    if provider in _SUBDOMAIN_PROVIDERS and user:
        local, domain = user, provider
    if domain in _TAGGED_PROVIDERS:
        local = local.split("+", 1)[0]
    if domain in _DOTLESS_PROVIDERS:
        local = local.replace(".", "")
        domain = _DOTLESS_PROVIDERS[domain]
    return f"{local}@{domain}"


def clean_text(value: str) -> str:
    """NFC, no control or format characters (bidi overrides, zero-width joiners, NUL),
    single spaces. A listed name can then not reorder or hide its letters."""
    value = unicodedata.normalize("NFC", value or "")
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in value
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    return _SPACE.sub(" ", kept).strip()


# Arabic letters that people type interchangeably: fold them for search only.
_ARABIC_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None}
)


def search_key(value: str) -> str:
    """Case-, accent- and (Arabic) diacritic-insensitive form of a name, for search: the same
    function builds the stored column and the query, so both databases agree."""
    decomposed = unicodedata.normalize("NFKD", clean_text(value).casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Some characters fold into many ("ﷺ" is 18 letters): the column holds 200.
    return unicodedata.normalize("NFC", stripped).translate(_ARABIC_FOLD)[:200]


def web_address(link: str) -> str:
    """A link that will be published (a signer's work, an official profile): http or https,
    and no user name or password in it. Raises ValidationError, for the forms that ask."""
    if link and not link.lower().startswith(("http://", "https://")):
        raise ValidationError(_("Enter a web address starting with http:// or https://."))
    parts = urlsplit(link)
    if parts.username is not None or parts.password is not None:
        # It would be published, password and all.
        raise ValidationError(_("Enter the address without a user name or password."))
    return link
