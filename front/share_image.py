"""The share image of a letter (Open Graph `og:image`, 1,200 × 630 PNG): its title and its
current count, in the reader's language, Arabic shaped and right to left (Pillow with its
raqm layout: HarfBuzz and FriBiDi), in the site's own faces.

Drawing one takes tens of milliseconds, so it is never drawn per request: the count is
rounded to a step (below), and the PNG for (letter, language, step, letter version) is kept
in the cache; a new image appears when the count passes the next step or the letter changes.
"""

import io
import logging
import math
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.formats import number_format
from PIL import Image, ImageDraw, ImageFont

from petition.models import Letter

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
        path = next((face for face in _WIDE_FACES if face.exists()), path)
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


def draw_card(*, title: str, number: str, phrase: str, language: str, site: str) -> bytes:
    rtl = language in RTL
    direction = "rtl" if rtl else "ltr"
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 14), fill=ACCENT)
    text_width = WIDTH - 2 * MARGIN

    def place(x_width: float) -> float:  # the start of a line: from the right in RTL
        return WIDTH - MARGIN - x_width if rtl else MARGIN

    size = 68
    title_font = _font(size, arabic=rtl, text=title)
    lines = _lines(title, title_font, text_width, direction)
    while len(lines) > 3 and size > 40:  # a long title: smaller, at most three lines
        size -= 6
        title_font = _font(size, arabic=rtl, text=title)
        lines = _lines(title, title_font, text_width, direction)
    y = 80
    for line in lines[:3]:
        width = title_font.getlength(line, direction=direction)
        draw.text((place(width), y), line, font=title_font, fill=INK, direction=direction)
        y += int(size * 1.35)

    # The count: its digits in the Latin face (the Arabic subset has none), the phrase after.
    number_font = _font(96, arabic=False)
    phrase_font = _font(40, arabic=rtl, bold=False, text=phrase)
    number_width = number_font.getlength(number)
    phrase_width = phrase_font.getlength(phrase, direction=direction)
    baseline = HEIGHT - 250
    if rtl:
        draw.text((WIDTH - MARGIN - number_width, baseline), number, font=number_font, fill=ACCENT)
        x = WIDTH - MARGIN - number_width - 24 - phrase_width
    else:
        draw.text((MARGIN, baseline), number, font=number_font, fill=ACCENT)
        x = MARGIN + number_width + 24
    draw.text((x, baseline + 44), phrase, font=phrase_font, fill=MUTED, direction=direction)

    site_font = _font(28, arabic=False, bold=False, text=site)
    draw.line((MARGIN, HEIGHT - 92, WIDTH - MARGIN, HEIGHT - 92), fill="#dcd8cf", width=2)
    draw.text((place(site_font.getlength(site)), HEIGHT - 70), site, font=site_font, fill=MUTED)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def share_png(letter: Letter, language: str, count: int) -> bytes:
    """The letter's share image for this language and count step, from the cache or drawn
    once and kept."""
    step = count_step(count)
    key = f"share-png:v1:{letter.pk}:{language}:{step}:{letter.updated_at.timestamp()}"
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 - without the cache, draw it (the edge still keeps it)
        cached = None
    if cached is not None:
        return cached
    with translation.override(language):
        png = draw_card(
            title=letter.title(language),
            number=number_format(step, force_grouping=True),
            phrase=signed_phrase_text(step),
            language=language,
            site=settings.SITE_URL.split("://", 1)[-1],
        )
    try:
        cache.set(key, png, timeout=7 * 86400)
    except Exception:  # noqa: BLE001 - the edge keeps it for s-maxage anyway
        log.warning("cache unavailable: share image of %s not kept", letter.slug)
    return png
