"""Share links for a letter: plain links to each network's share intent, no third-party
script; and what Open Graph and Twitter cards say about the letter."""

import re
from urllib.parse import quote, urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from petition.models import Letter


def letter_url(letter: Letter, language: str | None = None, *, ref: str = "") -> str:
    """The letter's address; in `language` (its URL of that language), and carrying a
    signer's or partner's `ref`, when given."""
    params = {key: value for key, value in (("lang", language), ("ref", ref)) if value}
    url = settings.SITE_URL + letter.get_absolute_url()
    return f"{url}?{urlencode(params)}" if params else url


def share_links(letter: Letter, language: str, *, ref: str = "") -> list[tuple[str, str]]:
    url, title = letter_url(letter, language, ref=ref), letter.title(language)
    text = f"{title} — {url}"
    return [
        (_("Email"), f"mailto:?{urlencode({'subject': title, 'body': text}, quote_via=quote)}"),
        ("Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": text})),
        ("X", "https://x.com/intent/post?" + urlencode({"text": title, "url": url})),
        ("Mastodon", "https://mastodonshare.com/?" + urlencode({"text": title, "url": url})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": text})),
    ]


def card(letter: Letter, language: str) -> dict[str, str]:
    """Open Graph / Twitter card fields."""
    text = re.sub(r"\s+", " ", strip_tags(letter.body_html(language))).strip()
    return {
        "title": letter.title(language),
        "description": Truncator(text).chars(200),
        "url": letter_url(letter, language),
        "image": settings.SITE_URL
        + reverse("front:share-image", kwargs={"slug": letter.slug, "language": language}),
        "locale": "ar_AR" if language == "ar" else "en_GB",
    }
