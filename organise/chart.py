"""A server-rendered bar chart of signatures per day: plain SVG, no script, no CDN."""

from datetime import date

WIDTH, HEIGHT, GAP = 600, 120, 2


def daily_chart(points: list[tuple[date, int]]) -> dict:
    peak = max((n for _, n in points), default=0) or 1
    slot = WIDTH / max(len(points), 1)
    bars = []
    for index, (day, n) in enumerate(points):
        height = round(HEIGHT * n / peak, 1)
        bars.append(
            {
                "x": round(index * slot, 1),
                "y": round(HEIGHT - height, 1),
                "width": round(max(slot - GAP, 1), 1),
                "height": height,
                "day": day,
                "n": n,
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "peak": peak,
        "total": sum(n for _, n in points),
    }
