"""The share image of a letter (Open Graph `og:image`, 1,200 × 630 PNG): who organises it,
its title, its current count, the first names of its notable wall and where to sign, in the
reader's language, Arabic shaped and right to left (Pillow with its
raqm layout: HarfBuzz and FriBiDi), in the site's own faces.

Drawing one takes tens of milliseconds, so it is never drawn per request: the count is
rounded to a step (below), and the PNG for (letter, language, step, letter version) is kept
in the cache; a new image appears when the count passes the next step or the letter changes.
"""

import hashlib
import io
import logging
import math
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from petition.models import Letter
from signatures.selectors import notable_signers

from .templatetags.tally import signed_phrase_text

log = logging.getLogger(__name__)

WIDTH, HEIGHT, MARGIN = 1200, 630, 72
FONTS = Path(settings.BASE_DIR) / "static" / "fonts"
INK, PAPER, ACCENT, MUTED = "#1b1b1f", "#fbfaf7", "#8a2c0d", "#55565e"
RTL = {"ar", "fa", "he", "ur"}


def count_step(count: int) -> int:
    """The count the image shows: exact below 100, then two significant figures rounded
    down (1,234 → 1,200; 31,540 → 31,000), so an image is drawn a few dozen times in a
    letter's life rather than once a signature."""
    if count < 100:
        return count
    scale = 10 ** (int(math.log10(count)) - 1)
    return count // scale * scale


# What the site's subset faces cover (their unicode-range, in short); text with anything
# else is drawn in a face that covers most scripts, when the machine has one.
_LATIN = [(0x0000, 0x00FF), (0x2000, 0x206F), (0x20AC, 0x20AC), (0x2122, 0x2122)]
_ARABIC = [
    (0x0020, 0x0040),
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x200C, 0x200F),
    (0x2000, 0x206F),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFC),
]
_WIDE_FACES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
]


def _covered(text: str, ranges) -> bool:
    return all(any(lo <= ord(ch) <= hi for lo, hi in ranges) for ch in text)


def _font(size: int, *, arabic: bool, bold: bool = True, text: str = "") -> ImageFont.FreeTypeFont:
    weight = 700 if bold else 400
    name = (
        f"noto-naskh-arabic-arabic-{weight}-normal.woff2"
        if arabic
        else f"source-serif-4-latin-{weight}-normal.woff2"
    )
    path = FONTS / name
    if text and not _covered(text, _ARABIC if arabic else _LATIN):
        faces = _WIDE_FACES if bold else _WIDE_FACES[::-1]
        path = next((face for face in faces if face.exists()), path)
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


def _lines(text: str, font, width: int, direction: str) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if font.getlength(candidate, direction=direction) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def draw_card(
    *,
    title: str,
    number: str,
    phrase: str,
    language: str,
    site: str,
    organiser: str = "",
    names: str = "",
    call: str = "",
) -> bytes:
    """The card: who organises it, the title, the count, the best-known names on it, and a
    band that says where to sign. Each line is optional but the title and the count."""
    rtl = language in RTL
    direction = "rtl" if rtl else "ltr"
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 14), fill=ACCENT)
    text_width = WIDTH - 2 * MARGIN

    def place(x_width: float) -> float:  # the start of a line: from the right in RTL
        return WIDTH - MARGIN - x_width if rtl else MARGIN

    def line(text: str, y: int, size: int, *, bold: bool, fill: str) -> None:
        """One line, shortened with an ellipsis to fit the width."""
        font = _font(size, arabic=rtl, bold=bold, text=text)
        while font.getlength(text, direction=direction) > text_width and len(text) > 1:
            text = text[:-2].rstrip() + "…"
        width = font.getlength(text, direction=direction)
        draw.text((place(width), y), text, font=font, fill=fill, direction=direction)

    y = 48
    if organiser:
        line(organiser, y, 30, bold=False, fill=MUTED)
        y += 52
    size = 64
    title_font = _font(size, arabic=rtl, text=title)
    lines = _lines(title, title_font, text_width, direction)
    while len(lines) > 3 and size > 40:  # a long title: smaller, at most three lines
        size -= 6
        title_font = _font(size, arabic=rtl, text=title)
        lines = _lines(title, title_font, text_width, direction)
    for title_line in lines[:3]:
        width = title_font.getlength(title_line, direction=direction)
        draw.text((place(width), y), title_line, font=title_font, fill=INK, direction=direction)
        y += int(size * 1.3)

    # The count: its digits in the Latin face (the Arabic subset has none), the phrase after.
    number_font = _font(88, arabic=False)
    phrase_font = _font(38, arabic=rtl, bold=False, text=phrase)
    number_width = number_font.getlength(number)
    phrase_width = phrase_font.getlength(phrase, direction=direction)
    baseline = max(y + 8, HEIGHT - 300)
    if rtl:
        draw.text((WIDTH - MARGIN - number_width, baseline), number, font=number_font, fill=ACCENT)
        x = WIDTH - MARGIN - number_width - 24 - phrase_width
    else:
        draw.text((MARGIN, baseline), number, font=number_font, fill=ACCENT)
        x = MARGIN + number_width + 24
    draw.text((x, baseline + 40), phrase, font=phrase_font, fill=MUTED, direction=direction)
    if names:
        line(names, baseline + 112, 30, bold=False, fill=INK)

    # The call to sign, on a band of the accent colour: the one thing to do next.
    band = HEIGHT - 96
    draw.rectangle((0, band, WIDTH, HEIGHT), fill=ACCENT)
    call = call or site
    call_font = _font(36, arabic=rtl, text=call)
    width = call_font.getlength(call, direction=direction)
    draw.text((place(width), band + 26), call, font=call_font, fill=PAPER, direction=direction)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def _names(letter: Letter) -> list[str]:
    """The first few names of the notable wall (verified ones first, never a held name)."""
    return [signer.name for signer in notable_signers(letter=letter, limit=3)]


def share_png(letter: Letter, language: str, count: int) -> bytes:
    """The letter's share image for this language, count step and notable names, from the
    cache or drawn once and kept."""
    step = count_step(count)
    names = _names(letter)
    version = hashlib.blake2b("\n".join(names).encode(), digest_size=6).hexdigest()
    key = f"share-png:v2:{letter.pk}:{language}:{step}:{letter.updated_at.timestamp()}:{version}"
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 - without the cache, draw it (the edge still keeps it)
        cached = None
    if cached is not None:
        return cached
    site = settings.SITE_URL.split("://", 1)[-1]
    with translation.override(language):
        png = draw_card(
            title=letter.title(language),
            number=number_format(step, force_grouping=True),
            phrase=signed_phrase_text(step),
            language=language,
            site=site,
            organiser=_("organised by %(name)s") % {"name": letter.organiser_name}
            if letter.organiser_name
            else "",
            names=_("With %(names)s") % {"names": _list_names(names)} if names else "",
            # No closing slash: in a right-to-left line it would stray to the far end.
            call=_("Sign at %(address)s")
            % {"address": site + letter.get_absolute_url().rstrip("/")},
        )
    try:
        cache.set(key, png, timeout=7 * 86400)
    except Exception:  # noqa: BLE001 - the edge keeps it for s-maxage anyway
        log.warning("cache unavailable: share image of %s not kept", letter.slug)
    return png


def _list_names(names: list[str]) -> str:
    """ "A, B and others" in the card's language (the wall always has more than it shows)."""
    return _("%(names)s and others") % {"names": _(", ").join(names)}
