"""Cut the Arabic face in two (run once when the faces or the site's Arabic change):

    .venv/bin/python bin/subset_fonts.py

fontsource's Noto Naskh Arabic covers every Arabic-script letter of every language (Persian,
Urdu, Sindhi, Quranic marks, presentation forms): 52 KiB a weight, most of which an Arabic
reader of this site never needs. This writes a "core" face with the letters Arabic uses (and
the few Persian letters common in names), its shaping rules kept (fontTools follows the GSUB
and GPOS closure), and prints the @font-face rules for static/css/site.css: the core face for
those letters, the full face for the rest of the Arabic blocks only, so a browser downloads
the full one only for a page that shows such a letter. The share image draws with the full
face (front/share_image.py); tests/front/test_fonts.py checks the core face covers every
Arabic letter of the interface's Arabic catalogue.
"""

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parents[1] / "static" / "fonts"

# Arabic as written today, with its punctuation, digits and marks; ZWNJ to RLM; and the
# Persian letters most often met in names (پ چ ژ ک گ ی).
CORE = [
    (0x060C, 0x060C), (0x061B, 0x061B), (0x061F, 0x061F), (0x0621, 0x063A), (0x0640, 0x0655),
    (0x0660, 0x066D), (0x0670, 0x0671), (0x067E, 0x067E), (0x0686, 0x0686), (0x0698, 0x0698),
    (0x06A9, 0x06A9), (0x06AF, 0x06AF), (0x06CC, 0x06CC), (0x200C, 0x200F),
]  # fmt: skip
# fontsource's range for the whole face (static/css/site.css had it on the one face).
FULL = (
    "U+0600-06FF,U+0750-077F,U+0870-088E,U+0890-0891,U+0897-08E1,U+08E3-08FF,U+200C-200E,"
    "U+2010-2011,U+204F,U+2E41,U+FB50-FDFF,U+FE70-FE74,U+FE76-FEFC"
)


def _codepoints(ranges) -> set[int]:
    return {cp for lo, hi in ranges for cp in range(lo, hi + 1)}


def _parse(text: str) -> set[int]:
    points = set()
    for part in text.split(","):
        lo, _dash, hi = part.removeprefix("U+").partition("-")
        points |= set(range(int(lo, 16), int(hi or lo, 16) + 1))
    return points


def _unicode_range(points: set[int]) -> str:
    runs, ordered = [], sorted(points)
    start = prev = ordered[0]
    for cp in ordered[1:]:
        if cp != prev + 1:
            runs.append((start, prev))
            start = cp
        prev = cp
    runs.append((start, prev))
    return ",".join(f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}" for a, b in runs)


def main() -> None:
    core = _codepoints(CORE)
    rest = _parse(FULL) - core
    for weight in (400, 700):
        full = FONTS / f"noto-naskh-arabic-arabic-{weight}-normal.woff2"
        target = FONTS / f"noto-naskh-arabic-core-{weight}-normal.woff2"
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = ["*"]  # every shaping feature: joining forms, marks, ligatures
        options.name_IDs = ["*"]
        options.notdef_outline = True
        font = TTFont(full)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=core)
        subsetter.subset(font)
        font.flavor = "woff2"
        font.save(target)
        print(f"/* {target.name}: {target.stat().st_size / 1024:.1f} KiB"
              f" (the full face: {full.stat().st_size / 1024:.1f} KiB) */")  # fmt: skip
        for name, points in ((target.name, core), (full.name, rest)):
            print(
                f"@font-face {{ font-family: 'Noto Naskh Arabic'; font-style: normal; "
                f"font-weight: {weight}; font-display: swap; src: url(../fonts/{name}) "
                f"format('woff2'); unicode-range: {_unicode_range(points)}; }}"
            )


if __name__ == "__main__":
    main()
