"""The results page's timeline: matches per month as the geometry of an SVG bar chart, drawn on the server.

The months come from ``facets.month`` (every match counted, China time); months without a match between the
first and the last are drawn as gaps. Each bar is a link to the same search filtered to that month (``from`` and
``to`` set to ``YYYY-MM``; the link of the month already chosen clears the filter), so the chart works without
JavaScript. ``web/templates/timeline.html`` renders what :func:`timeline` returns.

Months that do not fill the width (a slot is at most :data:`MAX_SLOT` wide) are drawn in the middle of the chart:
a one-month result is one bar of a month's width in the centre, not a slab at the left edge. The year labels
are SVG text, scaled with the drawing: ``web/static/style.css`` enlarges them (in drawing units) when the chart
is narrow (a phone), so that they are rendered at 10 px or more; :data:`LABEL_HEIGHT` and :data:`LABEL_ROOM`
leave room for the largest of those sizes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: The drawing's size in SVG units (it scales to the width of the results column).
WIDTH = 640
PLOT_HEIGHT = 80
LABEL_HEIGHT = 28
#: Widest slot a month gets (few months: narrow bars on the left, not a few huge ones), and the gap in a slot.
MAX_SLOT = 40
GAP_SHARE = 0.2
#: Least room between two year labels, in SVG units (a year at the largest label size is some 48 wide).
LABEL_ROOM = 56


@dataclass(slots=True)
class Bar:
    month: str  # "2025-03"
    count: int
    x: float
    width: float
    y: float
    height: float
    href: str  # "" for a month without matches (no link)
    selected: bool

    @property
    def label(self) -> str:
        year, month = self.month.split("-")
        return f"{year}年{int(month)}月：{self.count:,} 篇"


@dataclass(frozen=True)
class Timeline:
    bars: list[Bar]
    labels: list[tuple[float, str]]  # (x, year) under the first month shown of each year
    slot: float
    width: int = WIDTH
    plot_height: int = PLOT_HEIGHT
    height: int = PLOT_HEIGHT + LABEL_HEIGHT
    peak: int = 0

    @property
    def first(self) -> str:
        return self.bars[0].month

    @property
    def last(self) -> str:
        return self.bars[-1].month


def month_range(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last`` inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    while (y, m) <= end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def timeline(
    months: Sequence[dict[str, Any]], link: Callable[[str], str], selected: Callable[[str], bool]
) -> Timeline | None:
    """The chart of ``facets.month`` (``[{"value": "2025-03", "count": N}, ...]``), or None when no match has
    a date. ``link(month)`` is the address a bar leads to; ``selected(month)`` tells the month filtered to."""
    counts = {str(item["value"]): int(item["count"]) for item in months if item["count"]}
    if not counts:
        return None
    span = month_range(min(counts), max(counts))
    slot = min(MAX_SLOT, WIDTH / len(span))
    peak = max(counts.values())
    offset = max(0.0, (WIDTH - slot * len(span)) / 2)  # months that do not fill the width stand in the middle
    bars: list[Bar] = []
    labels: list[tuple[float, str]] = []
    for i, month in enumerate(span):
        count = counts.get(month, 0)
        height = max(1.5, PLOT_HEIGHT * count / peak) if count else 0.0
        x = offset + i * slot
        bars.append(
            Bar(
                month=month,
                count=count,
                x=round(x + slot * GAP_SHARE / 2, 2),
                width=round(max(slot * (1 - GAP_SHARE), 1.0), 2),
                y=round(PLOT_HEIGHT - height, 2),
                height=round(height, 2),
                href=link(month) if count else "",
                selected=bool(count) and selected(month),
            )
        )
        at = round(min(x, WIDTH - LABEL_ROOM), 2)  # a label near the right end stays inside the drawing
        if (i == 0 or month.endswith("-01")) and (not labels or at - labels[-1][0] >= LABEL_ROOM):
            labels.append((at, month[:4]))
    return Timeline(bars=bars, labels=labels, slot=round(slot, 2), peak=peak)
