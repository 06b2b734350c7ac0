"""One story once, in a real browser: the shipped sample plus two republished copies of its seed article served by
``zhsearch serve``, in headless Debian Chromium through Playwright (as in tests/test_browser.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import ARTIFACTS, open_tab
from test_collapse import COPIES, SEED, copied_index  # noqa: F401 -- the index fixture
from web_fixtures import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def copies_server(copied_index: Path) -> Iterator[LiveServer]:  # noqa: F811
    live = LiveServer(copied_index, workers=1).wait_ready()
    yield live
    live.stop()


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    with open_tab(browser, device_scale_factor=1) as page:
        yield page


def test_a_story_once_and_its_copies_one_click_away(tab: Any, copies_server: LiveServer) -> None:
    tab.goto(copies_server.url + "/?q=" + "诈骗 窝点" + "&sort=oldest")
    hits = tab.locator("li.hit")
    assert hits.count() == 1
    assert hits.first.locator("h3 a").get_attribute("href").startswith(f"/articles/{SEED}")
    copies = hits.first.locator("p.copies")
    assert copies.inner_text() == "另有 2 篇相似报道：新浪新闻 2025年3月7日、网易新闻 2025年3月8日"
    assert "共 1 条结果（另有 2 篇相似报道已合并，全部显示）" in tab.locator("p.stats").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "collapse-results.png"), full_page=False)

    with tab.expect_navigation():
        copies.locator("a").click()
    assert tab.url.endswith("#copies")
    section = tab.locator("#copies")
    assert section.is_visible()
    assert section.locator("li a").all_inner_texts() == [
        "公安部：坚决摧毁境外诈骗窝点",
        "公安部:坚持不懈盯着打、追着打,坚决摧毁境外诈骗窝点",
    ]
    section.scroll_into_view_if_needed()
    tab.screenshot(path=str(ARTIFACTS / "collapse-article.png"), full_page=False)

    tab.go_back()
    with tab.expect_navigation():
        tab.locator("a.show-copies").click()
    assert "collapse=0" in tab.url
    assert {a.get_attribute("href").split("?")[0] for a in tab.locator("li.hit h3 a").all()} == {
        f"/articles/{SEED}",
        *(f"/articles/{c}" for c in COPIES),
    }
    assert tab.locator("p.copies").count() == 0
