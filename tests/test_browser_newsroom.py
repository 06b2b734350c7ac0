"""The timeline, the feed and the address-bar links in a real browser (Debian's Chromium via Playwright, see
tests/test_browser.py), against ``zhsearch serve`` over an index of two years of generated flood reports."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import feedparser
import pytest
from lxml import etree
from test_browser import ARTIFACTS
from web_fixtures import LiveServer, build_index

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

#: Reports per month of 2023 and 2024: a flood season each summer, nothing in 2023-12.
PER_MONTH = [1, 1, 2, 3, 5, 9, 14, 12, 6, 3, 1, 0, 1, 2, 2, 4, 6, 11, 16, 13, 7, 2, 1, 1]
CITIES = ("武汉", "九江", "岳阳", "重庆", "南京", "合肥")
#: Three of these in each report, so that no two reports are near-duplicates (results would show them once).
NOTES = (
    "气象部门提醒，汛期强降雨多发，请注意防范山洪和地质灾害。",
    "水利部门加密巡查堤防，对重点险工险段实行二十四小时值守。",
    "交通部门对低洼路段设置警示标志，必要时实施临时交通管制。",
    "应急管理部门前置抢险队伍和物资，确保一旦出现险情及时处置。",
    "教育部门要求学校做好校舍排查，暴雨红色预警期间停课。",
    "农业农村部门指导农户抢收成熟作物，及时疏通田间沟渠。",
    "城管部门清理城区排水管网，保障下穿隧道和地下车库安全。",
    "电力部门检修沿江线路和变电站，准备移动发电车应急供电。",
    "卫生健康部门储备防疫药品，做好灾后饮用水消毒和疫情监测。",
    "文旅部门关闭部分临水景区，提醒游客不要前往河道戏水。",
    "自然资源部门更新地质灾害隐患点名录，落实群测群防责任人。",
    "住建部门检查在建工地深基坑和塔吊，暂停高空和露天作业。",
)


def _reports() -> list[dict[str, Any]]:
    out = []
    for m, count in enumerate(PER_MONTH):
        year, month = 2023 + m // 12, m % 12 + 1
        for i in range(count):
            city = CITIES[(m + i) % len(CITIES)]
            out.append(
                {
                    "id": f"flood-{year}{month:02d}-{i:02d}",
                    "title": f"{city}防汛形势通报（{year}年{month}月第{i + 1}期）",
                    "body": f"{city}市防汛抗旱指挥部通报：当前长江{city}段水位平稳，各地落实防汛责任。\n"
                    + "".join(random.Random(m * 100 + i).sample(NOTES, 4))
                    + f"截至{month}月{i + 1}日8时，{city}站水位{20 + (m * 7 + i * 3) % 13}.{(m + i) % 10}米，"
                    f"流量{31000 + m * 977 + i * 131}立方米每秒，{'超' if i % 2 else '低于'}警戒水位{i * 0.3 + m % 4:.1f}米。",
                    "source": ("新华社", "人民日报", "央视新闻")[i % 3],
                    "category": "社会",
                    "published": f"{year}-{month:02d}-{i + 1:02d} 08:00",
                    "url": f"https://news.example.com/flood/{year}{month:02d}/{i}",
                }
            )
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(build_index(tmp_path_factory.mktemp("floods"), _reports()), workers=2).wait_ready()
    yield live
    live.stop()


def _context(browser: Any, **options: Any) -> Any:
    options.setdefault("viewport", {"width": 1200, "height": 900})
    context = browser.new_context(locale="zh-CN", **options)
    context.set_default_timeout(10_000)
    return context


def _bar_months(page: Any) -> list[str]:
    labels = page.locator("figure.timeline svg a.bar").evaluate_all("bars => bars.map(b => b.ariaLabel)")
    return [re.sub(r"(\d{4})年(\d+)月.*", lambda m: f"{m[1]}-{int(m[2]):02d}", label) for label in labels]


@pytest.mark.parametrize("javascript", [True, False])
def test_timeline_bars_filter_to_their_month(browser: Any, server: LiveServer, javascript: bool) -> None:
    context = _context(browser, java_script_enabled=javascript)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(server.url + "/?q=防汛")
        figure = page.locator("figure.timeline")
        assert figure.is_visible() and figure.bounding_box()["width"] > 500
        assert "按月份：2023-01 至 2024-12，最多的一月 16 篇" in figure.inner_text()
        months = [f"{2023 + m // 12}-{m % 12 + 1:02d}" for m, n in enumerate(PER_MONTH) if n]
        assert _bar_months(page) == months  # 2023-12 has no bar
        peak = page.locator('svg a.bar[aria-label="2024年7月：16 篇"]')
        with page.expect_navigation():
            peak.click()
        assert parse_qs(urlparse(page.url).query) == {"q": ["防汛"], "from": ["2024-07"], "to": ["2024-07"]}
        assert page.locator("p.stats strong").inner_text() == "16"
        assert page.locator("a.chip").inner_text() == "日期：2024-07-01 至 2024-07-31 ×"
        assert _bar_months(page) == ["2024-07"]
        assert page.locator('svg a.bar[aria-current="true"]').count() == 1
        if javascript:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "timeline-month.png"))
        with page.expect_navigation():
            page.locator("svg a.bar.selected").click()  # the chosen month's bar clears the filter
        assert parse_qs(urlparse(page.url).query) == {"q": ["防汛"]}
        assert errors == []
    finally:
        context.close()


def test_feed_and_opensearch_links_and_screenshots(browser: Any, server: LiveServer, tmp_path: Path) -> None:
    context = _context(browser)
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        search = page.locator('link[rel="search"]')
        assert search.get_attribute("type") == "application/opensearchdescription+xml"
        assert page.locator('link[rel="alternate"]').count() == 0  # the home page has no search to follow
        description = page.request.get(server.url + search.get_attribute("href"))
        root = etree.fromstring(description.body())
        ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
        template = root.find('os:Url[@type="application/x-suggestions+json"]', ns).get("template")
        answer = page.request.get(template.replace("{searchTerms}", "防汛")).json()
        assert answer[0] == "防汛" and "防汛" in answer[1]

        page.goto(server.url + "/?q=防汛&source=新华社")
        feed_href = page.locator('link[rel="alternate"][type="application/atom+xml"]').get_attribute("href")
        assert feed_href == "/feed.atom?q=%E9%98%B2%E6%B1%9B&source=%E6%96%B0%E5%8D%8E%E7%A4%BE"
        page.screenshot(path=str(tmp_path / "timeline.png"), full_page=True)
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("figure.timeline").screenshot(path=str(ARTIFACTS / "timeline.png"))
        page.screenshot(path=str(ARTIFACTS / "results-timeline.png"), full_page=True)
        assert (tmp_path / "timeline.png").stat().st_size > 10_000

        visible = page.get_by_role("link", name="订阅这个搜索（Atom）")
        assert visible.get_attribute("href") == feed_href
        response = page.request.get(server.url + feed_href)
        assert response.headers["content-type"].startswith("application/atom+xml")
        parsed = feedparser.parse(response.body())
        assert not parsed.bozo and len(parsed.entries) == 20
        assert {e.author for e in parsed.entries} == {"新华社"}
        assert parsed.entries[0].title == "合肥防汛形势通报（2024年12月第1期）"
        stamps = [e.published for e in parsed.entries]
        assert stamps == sorted(stamps, reverse=True)
        page.goto(parsed.entries[0].link)  # the entry's link opens the article here
        assert page.locator("h1").inner_text() == parsed.entries[0].title
    finally:
        context.close()
    mobile = _context(browser, viewport={"width": 390, "height": 844})
    try:
        page = mobile.new_page()
        page.goto(server.url + "/?q=防汛")
        assert page.locator("figure.timeline").bounding_box()["width"] <= 390
        page.screenshot(path=str(ARTIFACTS / "timeline-mobile.png"))
    finally:
        mobile.close()
