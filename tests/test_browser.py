"""A real browser against a real server: headless Chromium (Debian's) driven by Playwright, ``zhsearch serve``
in a subprocess. Never downloads a browser: without ``/usr/bin/chromium`` these tests are skipped with the
command that installs it, except under CI (``ZHSEARCH_REQUIRE_BROWSER=1``), where that is a failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from web_fixtures import LiveServer

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def server(web_index: Path) -> Iterator[LiveServer]:
    live = LiveServer(web_index, workers=2).wait_ready()
    yield live
    live.stop()


@contextmanager
def open_tab(browser: Any, **options: Any) -> Iterator[Any]:
    """A page in a new context (zh-CN, 1200x900, 10 s timeouts; ``options`` for the context). On leaving: no
    CSP violation, no script error, no missing file on any page it visited."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900}, **options)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    context.close()
    assert errors == []


@pytest.fixture
def page(browser: Any, server: LiveServer) -> Iterator[Any]:
    with open_tab(browser) as tab:
        yield tab


def _args(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def _marks(page: Any, selector: str = "mark") -> list[str]:
    return page.locator(selector).all_inner_texts()


def test_type_chinese_and_pick_a_suggestion_with_the_keyboard(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/")
    box = page.locator("#q")
    box.press_sequentially("公安", delay=40)
    options = page.locator("#suggestions li")
    options.first.wait_for()
    assert "公安部" in options.all_inner_texts()[0] or "公安部" in "".join(options.all_inner_texts())
    box.press("Escape")
    assert page.locator("#suggestions").is_hidden() and box.input_value() == "公安"

    box.fill("")
    box.press_sequentially("gab", delay=40)
    options.first.wait_for()
    box.press("ArrowDown")
    assert options.first.get_attribute("aria-selected") == "true"
    assert box.input_value() == "公安部"  # the highlighted suggestion is shown in the box
    with page.expect_navigation():
        box.press("Enter")
    assert _args(page.url)["q"] == ["公安部"]
    assert page.locator("#q").input_value() == "公安部"
    assert page.locator("li.hit").count() >= 3
    assert "公安部" in _marks(page, "li.hit h3 mark")


def test_pick_a_suggestion_with_the_mouse_and_no_request_storm(page: Any, server: LiveServer) -> None:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/suggest" in r.url else None)
    page.goto(server.url + "/")
    page.locator("#q").press_sequentially("luogujing", delay=15)
    option = page.locator("#suggestions li", has_text="锣鼓经").first
    option.wait_for()
    assert len(asked) <= 3, asked  # debounced: not one request per key
    with page.expect_navigation():
        option.click()
    assert _args(page.url)["q"] == ["锣鼓经"]
    assert page.locator("li.hit h3").first.inner_text() == "锣鼓经"


def test_page_sort_and_filter(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/?q=诈骗")
    first_page = page.locator("li.hit h3").all_inner_texts()
    assert len(first_page) == 10
    page.get_by_role("link", name="下一页").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator('.pages [aria-current="page"]').inner_text() == "2"
    assert not set(page.locator("li.hit h3").all_inner_texts()) & set(first_page)

    page.get_by_role("link", name="最新", exact=True).click()  # not 最新相关
    page.wait_for_url(re.compile(r"sort=newest"))
    assert "page" not in _args(page.url)  # a new order starts at page 1
    dates = page.locator("li.hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True) and len(dates) == 10

    page.locator(".facet-source a", has_text="新华社").click()
    page.wait_for_url(re.compile(r"source="))
    assert set(page.locator("li.hit .source").all_inner_texts()) == {"新华社"}
    assert _args(page.url)["sort"] == ["newest"]  # filters keep the order

    page.locator('input[name="from"]').fill("2024-01-01")
    page.locator('input[name="to"]').fill("2024-12-31")
    with page.expect_navigation():
        page.locator("form.dates button").click()
    dates = page.locator("li.hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates and all(d.startswith("2024") for d in dates)
    assert set(page.locator("li.hit .source").all_inner_texts()) == {"新华社"}
    assert page.locator(".chips").inner_text().count("×") == 2


def test_open_an_article_with_marks_and_related(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/?q=诈骗窝点")
    assert "诈骗窝点" in _marks(page, "li.hit mark")
    page.locator("li.hit h3 a").first.click()
    page.wait_for_url(re.compile(r"/articles/"))
    assert page.locator("h1").inner_text().startswith("公安部")
    assert "诈骗窝点" in _marks(page, "article .body mark")
    assert page.locator(".article .body p").count() == 4
    assert 1 <= page.locator(".related li").count() <= 5
    assert page.get_by_role("link", name=re.compile("阅读原文")).get_attribute("href").startswith("https://")
    page.get_by_role("link", name=re.compile("返回")).click()
    page.wait_for_url(re.compile(r"/\?q="))
    assert page.locator("#q").input_value() == "诈骗窝点"


def test_traditional_character_query(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/")
    page.locator("#q").fill("詐騙")
    with page.expect_navigation():
        page.locator("#q").press("Enter")
    titles = page.locator("li.hit h3").all_inner_texts()
    assert "國際刑警組織通報跨境詐騙案" in titles and len(titles) == 10
    marks = set(_marks(page, "li.hit mark"))
    assert {"詐騙", "诈骗"} <= marks  # marked in the article's own characters


def test_works_without_javascript(browser: Any, server: LiveServer) -> None:
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        page.locator("#q").fill("公安部")
        with page.expect_navigation():
            page.locator("#q").press("Enter")
        assert page.locator("li.hit").count() >= 3
        page.get_by_role("link", name="最早").click()
        page.wait_for_url(re.compile(r"sort=oldest"))
        assert page.locator("#suggestions").is_hidden()
    finally:
        context.close()


def test_screenshots(browser: Any, server: LiveServer) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for name, viewport, url in (
        ("results.png", {"width": 1200, "height": 900}, "/?q=诈骗"),
        ("results-mobile.png", {"width": 390, "height": 844}, "/?q=公安部"),
        ("article.png", {"width": 1200, "height": 900}, "/articles/mps-2025?q=诈骗窝点"),
        ("home.png", {"width": 1200, "height": 700}, "/"),
    ):
        context = browser.new_context(locale="zh-CN", viewport=viewport, device_scale_factor=1)
        try:
            page = context.new_page()
            page.goto(server.url + url)
            if name == "home.png":
                page.locator("#q").press_sequentially("gab", delay=30)
                page.locator("#suggestions li").first.wait_for()
                page.locator("#q").press("ArrowDown")
            page.screenshot(path=str(ARTIFACTS / name), full_page=name != "home.png")
        finally:
            context.close()
        assert (ARTIFACTS / name).stat().st_size > 10_000
