"""Server-rendered bar charts with labelled axes: plain SVG, no script, no CDN.

Coordinates are returned as strings, formatted here, so the template's number localisation
never touches them (an Arabic page once wrote x="500,0", which no browser can read); the
labels are numbers and dates, which the template formats in the reader's language."""

import math
from datetime import date, datetime

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 10, 28  # room for the axes' labels
GAP = 1


def _nice_ceiling(value: int) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at least `value`."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _f(number: float) -> str:
    return f"{number:.1f}"


def bar_chart(points: list[tuple[date | datetime, int]], *, label_every: int) -> dict:
    """Bars for (when, n) points; an x label under every `label_every`-th bar, y ticks at
    0, half and the top."""
    top = _nice_ceiling(max((n for _, n in points), default=0))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(points), 1)
    bars, x_labels = [], []
    for index, (when, n) in enumerate(points):
        height = plot_height * n / top
        x = LEFT + index * slot
        bars.append(
            {
                "x": _f(x),
                "y": _f(TOP + plot_height - height),
                "width": _f(max(slot - GAP, 1)),
                "height": _f(height),
                "when": when,
                "n": n,
            }
        )
        if index % label_every == 0:
            x_labels.append({"x": _f(x + slot / 2), "y": _f(HEIGHT - 8), "when": when})
    y_ticks = [
        {"y": _f(TOP + plot_height - plot_height * value / top), "value": value}
        for value in sorted({0, top // 2, top})
    ]
    return {
        "width": str(WIDTH),
        "height": str(HEIGHT),
        "left": str(LEFT),
        "axis_x": _f(LEFT - 6),
        "axis_end": str(WIDTH - RIGHT),
        "baseline": _f(TOP + plot_height),
        "bars": bars,
        "x_labels": x_labels,
        "y_ticks": y_ticks,
        "peak": max((n for _, n in points), default=0),
        "total": sum(n for _, n in points),
    }


def daily_chart(points: list[tuple[date, int]]) -> dict:
    return bar_chart(points, label_every=max(1, len(points) // 6))


def hourly_chart(points: list[tuple[datetime, int]]) -> dict:
    return bar_chart(points, label_every=6)
