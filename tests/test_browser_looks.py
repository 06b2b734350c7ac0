"""How pages look on a phone, measured in a real browser (Debian's Chromium via Playwright, see
tests/test_browser.py): /help at 390 px does not scroll sideways and keeps its meaning column readable; the
month chart's year labels stay readable (rendered at 10 px or more); a one-month result is drawn as one bar in
the middle of the chart, not a fat bar at its left edge. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_browser import ARTIFACTS
from web_fixtures import LiveServer, build_index

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
#: Two dated reports a month over two years (防汛), and one month of a typhoon (海葵台风: 2023-09 only).
ARTICLES: list[dict[str, Any]] = [
    {
        "id": f"flood-{year}{month:02d}-{i}",
        "title": f"防汛形势通报（{year}年{month}月第{i + 1}期）",
        "body": f"{year}年{month}月，各地落实防汛责任，第{i + 1}期通报水位{month + i}米。",
        "source": ("新华社", "人民日报")[i],
        "published": f"{year}-{month:02d}-{10 + i} 08:00",
    }
    for year in (2023, 2024)
    for month in range(1, 13)
    for i in range(2)
] + [
    {
        "id": f"haikui-{day}",
        "title": f"海葵台风动态第{day}期",
        "body": f"第11号台风海葵9月{day}日登陆，多地停课。",
        "source": "新华社",
        "published": f"2023-09-{day:02d} 08:00",
    }
    for day in (3, 4, 5)
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(build_index(tmp_path_factory.mktemp("looks"), ARTICLES)).wait_ready()
    yield live
    live.stop()


def _page(browser: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    context.set_default_timeout(10_000)
    return context.new_page()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    page.screenshot(path=str(ARTIFACTS / name.replace(".png", "-top.png")))  # what the first screen shows


_HELP_METRICS = """() => {
    const cells = [...document.querySelectorAll('.help tbody tr')].map(tr => tr.children[1].getBoundingClientRect());
    return {
        scroll: document.documentElement.scrollWidth,
        meaningMin: Math.min(...cells.map(c => c.width)),
        meaningRight: Math.max(...cells.map(c => c.right)),
    };
}"""


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "help-390.png"), (DESKTOP, "help-1280.png")])
def test_help_does_not_scroll_sideways_and_its_meanings_stay_readable(
    browser: Any, server: LiveServer, viewport: dict[str, int], name: str
) -> None:
    page = _page(browser, viewport)
    try:
        page.goto(server.url + "/help")
        metrics = page.evaluate(_HELP_METRICS)
        _shot(page, name)
    finally:
        page.context.close()
    width = viewport["width"]
    assert metrics["scroll"] <= width, metrics
    assert metrics["meaningRight"] <= width, metrics
    # the meaning of each syntax gets most of a phone's width (some 17 characters of 15 px a line at least)
    assert metrics["meaningMin"] >= (300 if width == 390 else 400), metrics


_CHART_METRICS = """() => {
    const svg = document.querySelector('figure.timeline svg');
    const scale = svg.getScreenCTM().a;
    const labels = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
    const bars = [...svg.querySelectorAll('a.bar rect.count')].map(r => r.getBoundingClientRect());
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect());
    let overlap = false;
    for (let i = 1; i < texts.length; i++) overlap = overlap || texts[i].left < texts[i - 1].right;
    return {
        scroll: document.documentElement.scrollWidth,
        labels: labels.map(x => Math.round(x * 10) / 10),
        labelsInside: texts.every(t => t.left >= box.left - 0.5 && t.right <= box.right + 0.5),
        overlap,
        bars: bars.map(b => ({left: b.left - box.left, width: b.width})),
        chart: box.width,
    };
}"""


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "timeline-390.png"), (DESKTOP, "timeline-1280.png")])
def test_the_month_chart_s_labels_stay_readable(
    browser: Any, server: LiveServer, viewport: dict[str, int], name: str
) -> None:
    page = _page(browser, viewport)
    try:
        page.goto(server.url + "/?q=防汛")
        metrics = page.evaluate(_CHART_METRICS)
        _shot(page, name)
    finally:
        page.context.close()
    assert metrics["scroll"] <= viewport["width"], metrics
    assert len(metrics["bars"]) == 24 and len(metrics["labels"]) == 2, metrics
    assert min(metrics["labels"]) >= 10, metrics
    assert max(metrics["labels"]) <= 16, metrics  # and not huge on a wide screen
    assert metrics["labelsInside"] and not metrics["overlap"], metrics


@pytest.mark.parametrize(
    ("viewport", "name"), [(PHONE, "one-month-390.png"), (DESKTOP, "one-month-1280.png")]
)
def test_a_one_month_result_is_one_bar_in_the_middle(
    browser: Any, server: LiveServer, viewport: dict[str, int], name: str
) -> None:
    page = _page(browser, viewport)
    try:
        page.goto(server.url + "/?q=海葵")
        metrics = page.evaluate(_CHART_METRICS)
        caption = page.locator("figure.timeline figcaption").inner_text()
        _shot(page, name)
    finally:
        page.context.close()
    assert caption == "按月份：2023-09 至 2023-09，最多的一月 3 篇（点一个月份只看那个月）"
    (bar,) = metrics["bars"]
    chart = metrics["chart"]
    centre = bar["left"] + bar["width"] / 2
    assert abs(centre - chart / 2) <= 1, metrics  # centred
    assert bar["width"] <= chart / 12, metrics  # a month's width, not a slab
    assert min(metrics["labels"]) >= 10 and metrics["labelsInside"], metrics
