"""The results page's timeline (web/timeline.py, templates/timeline.html): matches per month as SVG bars, each a
link filtering to its month, rendered on the server."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_fixtures import CORPUS

from web.pages import month_links, toggle_url
from web.params import parse_search
from web.timeline import LABEL_ROOM, MAX_SLOT, PLOT_HEIGHT, WIDTH, month_range, timeline

#: Months of the articles holding 诈骗 in the web test corpus (simplified or traditional), by China time.
FRAUD_MONTHS = {
    "2023-01", "2023-04", "2023-07", "2023-10", "2023-11", "2024-02", "2024-05", "2024-06", "2024-08",
    "2024-09", "2024-11", "2025-01", "2025-02", "2025-03", "2025-06", "2025-09", "2025-12",
}  # fmt: skip
_BAR_RE = re.compile(r'<a class="bar( selected)?" href="([^"]+)" aria-label="(\d{4})年(\d{1,2})月：(\d+) 篇"')


def test_month_range_crosses_years() -> None:
    assert month_range("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert month_range("2025-03", "2025-03") == ["2025-03"]


def test_bars_fill_gaps_scale_to_the_peak_and_link_only_months_with_matches() -> None:
    months = [
        {"value": "2024-11", "count": 4},
        {"value": "2025-02", "count": 1},
        {"value": "2025-03", "count": 8},
    ]
    chart = timeline(months, link=lambda m: f"/?m={m}", selected=lambda m: m == "2025-02")
    assert chart is not None and chart.peak == 8 and (chart.first, chart.last) == ("2024-11", "2025-03")
    assert [(b.month, b.count, b.height, b.href, b.selected) for b in chart.bars] == [
        ("2024-11", 4, PLOT_HEIGHT / 2, "/?m=2024-11", False),
        ("2024-12", 0, 0.0, "", False),
        ("2025-01", 0, 0.0, "", False),
        ("2025-02", 1, PLOT_HEIGHT / 8, "/?m=2025-02", True),
        ("2025-03", 8, PLOT_HEIGHT, "/?m=2025-03", False),
    ]
    assert all(b.y + b.height == PLOT_HEIGHT for b in chart.bars)  # standing on the axis
    assert chart.slot == MAX_SLOT  # five months do not stretch across the whole width
    # the five slots stand in the middle of the drawing
    offset = (WIDTH - 5 * MAX_SLOT) / 2
    assert chart.labels == [(offset, "2024"), (offset + 2 * MAX_SLOT, "2025")]
    assert [b.x for b in chart.bars] == [offset + i * MAX_SLOT + MAX_SLOT * 0.1 for i in range(5)]
    assert chart.bars[3].label == "2025年2月：1 篇"


def test_many_months_share_the_width_and_year_labels_keep_apart() -> None:
    months = [{"value": m, "count": 1} for m in month_range("2011-06", "2025-05")]
    chart = timeline(months, link=lambda m: m, selected=lambda m: False)
    assert chart is not None and len(chart.bars) == 168
    assert chart.bars[-1].x + chart.bars[-1].width <= WIDTH
    # the first month's year, then each January far enough from the label before for a phone's larger labels
    # (a year is 45.7 wide here: every other one; 2025, five months before the right edge, too close to 2023)
    assert [year for _, year in chart.labels] == ["2011", *map(str, range(2013, 2024, 2))]
    slots = {b.month: i * WIDTH / 168 for i, b in enumerate(chart.bars)}
    assert all(x == pytest.approx(slots[f"{y}-01"], abs=0.01) for x, y in chart.labels[1:])
    xs = [x for x, _ in chart.labels]
    assert all(b - a >= LABEL_ROOM for a, b in zip(xs, xs[1:], strict=False)) and xs[-1] <= WIDTH - LABEL_ROOM


def test_no_dated_match_no_chart() -> None:
    assert timeline([], link=str, selected=lambda m: False) is None
    assert timeline([{"value": "2025-01", "count": 0}], link=str, selected=lambda m: False) is None


def _bars(html: str) -> list[tuple[bool, str, str, int]]:
    return [
        (bool(sel), unescape(href), f"{y}-{int(m):02d}", int(n))
        for sel, href, y, m, n in _BAR_RE.findall(html)
    ]


def test_results_page_draws_a_bar_per_month_linking_to_that_month(web_client: FlaskClient) -> None:
    html = web_client.get("/?q=诈骗&sort=newest").get_data(as_text=True)
    assert '<figure class="timeline"' in html and "按月份：2023-01 至 2025-12" in html
    bars = _bars(html)
    assert {month for _, _, month, _ in bars} == FRAUD_MONTHS
    assert all(n == 1 for *_, n in bars) and not any(sel for sel, *_ in bars)
    for _, href, month, _ in bars:  # the same search (sort kept), narrowed to the month, from page 1
        assert href == f"/?q=%E8%AF%88%E9%AA%97&sort=newest&from={month}&to={month}"


@pytest.mark.parametrize("month", ["2024-06", "2025-03"])
def test_a_bar_leads_to_its_month_and_there_undoes_the_filter(web_client: FlaskClient, month: str) -> None:
    href = next(h for _, h, m, _ in _bars(web_client.get("/?q=诈骗").get_data(as_text=True)) if m == month)
    api = web_client.get("/api/search?" + href.split("?", 1)[1]).get_json()
    assert api["total"] == 1 and api["facets"]["month"] == [{"value": month, "count": 1}]
    assert api["results"][0]["published"].startswith(month)
    html = web_client.get(href).get_data(as_text=True)
    assert f"日期：{month}-01 至 {month}-" in html  # the filter's chip
    assert _bars(html) == [(True, "/?q=%E8%AF%88%E9%AA%97", month, 1)]  # chosen: its link clears it


def test_no_timeline_without_dated_matches(web_client: FlaskClient) -> None:
    undated = [a["id"] for a in CORPUS if not a.get("published")]
    assert undated == ["luogu"]
    html = web_client.get("/?q=锣鼓经").get_data(as_text=True)
    assert '<li class="hit">' in html and 'class="timeline"' not in html


@pytest.mark.parametrize(
    "query",
    [
        "q=诈骗",
        "q=a%26to%3D0000-00&sort=newest",  # a query holding "&to=0000-00" as text
        "q=x&source=Toronto&source=新华社&category=法治&per_page=20&page=3",
        "q=x&from=2024-03&to=2024-03",  # a month chosen: its bar clears it, the others replace it
        "q=x&from=2024&to=2025-06",
    ],
)
def test_month_links_are_the_toggle_urls(web_app: Flask, query: str) -> None:
    with web_app.test_request_context("/?" + query):
        from flask import request

        params = parse_search(request.args, require_q=False)
        link = month_links(params)
        for month in ("2024-03", "2025-12", "1999-01"):
            assert link(month) == toggle_url(params, "month", month)
