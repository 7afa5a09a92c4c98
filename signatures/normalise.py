"""Cleaning of what signers type: names that cannot impersonate, web addresses, search keys.
Email addresses are folded in ops/addresses.py (the mail outboxes need the same folding)."""

import re
import unicodedata
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SPACE = re.compile(r"\s+")


# Unicode's default-ignorable code points that are not format characters (those go by their
# category below): invisible, yet a mark or a letter to Unicode, so a name could hide one
# inside a word ("Elli\u034fson") and slip past the impersonation hold.
_INVISIBLE = {
    0x034F,  # combining grapheme joiner
    0x115F,
    0x1160,
    0x3164,
    0xFFA0,  # Hangul fillers
    0x17B4,
    0x17B5,  # Khmer inherent vowels
    *range(0x180B, 0x1810),  # Mongolian variation selectors and vowel separator
    *range(0xFE00, 0xFE10),  # variation selectors
    *range(0xE0100, 0xE01F0),  # variation selectors supplement
}


def clean_text(value: str) -> str:
    """NFC, no control or format characters (bidi overrides, zero-width joiners, NUL) and no
    other invisible ones, single spaces. A listed name can then not reorder or hide its
    letters."""
    value = unicodedata.normalize("NFC", value or "")
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in value
        if ch.isspace()
        or (
            unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
            and ord(ch) not in _INVISIBLE
        )
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
