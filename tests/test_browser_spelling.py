"""Pinyin and sound-alike queries in a real browser, on the shipped sample served by ``zhsearch serve``
(headless Debian Chromium through Playwright, as in tests/test_browser.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import build_index
from test_browser import ARTIFACTS, open_tab
from web_fixtures import LiveServer

SAMPLE = Path(__file__).parent.parent / "index_data" / "articles"
SEED = "/articles/u5e07e22f44237de1ec48"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    index = build_index([SAMPLE], tmp_path_factory.mktemp("browser-spelling") / "index")
    live = LiveServer(index, workers=1).wait_ready()
    yield live
    live.stop()


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    with open_tab(browser, device_scale_factor=1) as page:
        yield page


def _submit(page: Any, text: str) -> None:
    box = page.locator("#q")
    box.press_sequentially(text, delay=20)  # as typed; no suggestion highlighted, so Enter submits the text
    with page.expect_navigation():
        box.press("Enter")


def test_a_pinyin_query_shows_the_chinese_results_and_can_search_as_typed(
    tab: Any, sample_server: LiveServer
) -> None:
    tab.goto(sample_server.url + "/")
    _submit(tab, "zhapian")
    notice = tab.locator(".notice.spelling")
    assert notice.inner_text() == "已显示“诈骗”的搜索结果。仍然搜索：zhapian"
    hits = tab.locator("li.hit")
    assert hits.count() == 4
    assert hits.first.locator("h3 a").get_attribute("href").startswith(SEED)
    assert tab.locator("li.hit h3 mark").all_inner_texts()[0] == "诈骗"
    assert tab.locator("#q").input_value() == "zhapian"  # the box keeps what the reader typed
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "spelling-pinyin.png"), full_page=False)

    with tab.expect_navigation():
        tab.locator("a.as-typed").click()
    assert parse_qs(urlparse(tab.url).query) == {"q": ["zhapian"], "spellcheck": ["0"]}
    assert tab.locator(".notice.spelling").count() == 0
    assert "没有找到与“zhapian”相关的文章" in tab.locator(".notice.empty").inner_text()


def test_a_homophone_slip_is_corrected(tab: Any, sample_server: LiveServer) -> None:
    tab.goto(sample_server.url + "/")
    _submit(tab, "电信网落诈骗")
    assert (
        tab.locator(".notice.spelling").inner_text()
        == "已显示“电信网络诈骗”的搜索结果。仍然搜索：电信网落诈骗"
    )
    assert tab.locator("li.hit").count() == 1
    assert tab.locator("li.hit h3 a").first.get_attribute("href").startswith(SEED)
    tab.screenshot(path=str(ARTIFACTS / "spelling-sound.png"), full_page=False)
    assert (ARTIFACTS / "spelling-sound.png").stat().st_size > 10_000

    with tab.expect_navigation():
        tab.locator(".notice.spelling a").first.click()  # the suggestion itself: a search that needs no help
    assert parse_qs(urlparse(tab.url).query) == {"q": ["电信网络诈骗"]}
    assert tab.locator(".notice.spelling").count() == 0 and tab.locator("li.hit").count() == 1
