"""The HTML organisers and partners paste into their own sites: the live count, and the
sign form. Plain strings (escaped here), so the organisers' pages and the letter's share area
show the same snippet."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from .models import Letter

# The parent page's half of the embedded form's height messages (static/js/embed_height.js):
# only messages from this site, and only for the frame that sent them.
_HEIGHT_LISTENER = (
    '<script>addEventListener("message",function(e){{'
    'if(e.origin!=="{origin}"||!e.data||e.data.undersigned!=="height")return;'
    'document.querySelectorAll("iframe").forEach(function(f){{'
    'if(f.contentWindow===e.source)f.style.height=e.data.height+"px"}})}})</script>'
)


def count_snippet(letter: Letter) -> str:
    """The live count, for another site."""
    src = settings.SITE_URL + reverse("front:embed", kwargs={"slug": letter.slug})
    return (
        f'<iframe src="{src}" title="{escape(letter.title("en"))}" width="360" height="200" '
        f'style="border:0" loading="lazy"></iframe>'
    )


def form_snippet(letter: Letter, *, ref: str = "", language: str = "") -> str:
    """The sign form, for a partner's site: signatures through it keep the partner's `ref`;
    `language` fixes the form's language (else the reader's browser chooses among the
    letter's)."""
    params = {key: value for key, value in (("lang", language), ("ref", ref)) if value}
    src = settings.SITE_URL + reverse("front:embed-form", kwargs={"slug": letter.slug})
    if params:
        src += "?" + urlencode(params)
    title = letter.title(language or letter.languages()[0])
    frame = (
        f'<iframe src="{escape(src)}" title="{escape(title)}" '
        'style="width:100%;max-width:40rem;height:900px;border:0" loading="lazy"></iframe>'
    )
    return frame + _HEIGHT_LISTENER.format(origin=escape(settings.SITE_URL.rstrip("/")))
