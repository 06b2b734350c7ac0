"""The reader's pages, rendered on the server (what a browser with JavaScript off gets)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from web_fixtures import CORPUS

from web.pages import pagination


class _Links(HTMLParser):
    """Collects every href/src/action of a page and the text of <mark> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.marks: list[str] = []
        self.inline_scripts = 0
        self._in_mark = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("href", "src", "action"):
            if a.get(name):
                self.urls.append(a[name] or "")
        if tag == "mark":
            self._in_mark += 1
            self.marks.append("")
        if tag == "script":
            self._in_script = "src" not in a
        if any(k.startswith("on") for k in a) or "style" in a:
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._in_mark -= 1
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_mark:
            self.marks[-1] += data
        if self._in_script and data.strip():
            self.inline_scripts += 1


def _page(client: FlaskClient, url: str, status: int = 200) -> tuple[str, _Links]:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/html" and response.mimetype_params["charset"] == "utf-8"
    html = response.get_data(as_text=True)
    parser = _Links()
    parser.feed(html)
    # Everything is served by the app: no CDN, no web font, no inline script or style (the CSP forbids them).
    external = [
        u
        for u in parser.urls
        if u.startswith(("http:", "https:", "//")) and "example.com" not in u and "wikipedia" not in u
    ]
    assert external == []
    assert parser.inline_scripts == 0
    assert '<html lang="zh-CN">' in html
    return html, parser


def test_home(web_client: FlaskClient) -> None:
    html, links = _page(web_client, "/")
    assert 'name="q"' in html and 'action="/"' in html and "/static/suggest.js" in html
    assert 'class="hits"' not in html and "gonganbu" in html


def test_results_page(web_client: FlaskClient) -> None:
    html, links = _page(web_client, "/?q=诈骗")
    assert 'value="诈骗"' in html  # the box keeps the query
    # the template cases of three cities are one story (tests/test_collapse.py): 2 copies folded into one hit
    assert re.search(
        r"共 <strong>1[0-9]</strong> 条结果（另有 2 篇相似报道已合并，"
        r'<a class="show-copies" href="/\?q=%E8%AF%88%E9%AA%97&amp;collapse=0">全部显示</a>），用时 \d+ 毫秒',
        html,
    )
    assert html.count('<li class="hit">') == 10
    assert set(links.marks) == {"诈骗", "詐騙"} or set(links.marks) == {"诈骗"}
    assert (
        len(re.findall(r'<h3><a href="/articles/[\w-]+\?q=%E8%AF%88%E9%AA%97">', html)) == 10
    )  # titles link to the article, carrying the query
    assert 'href="/?q=%E8%AF%88%E9%AA%97&amp;page=2"' in html and "下一页" in html
    for label in ("相关度", "最新", "最早"):
        assert label in html
    assert 'href="/?q=%E8%AF%88%E9%AA%97&amp;sort=newest"' in html
    # facets with counts, and the date form carrying the query
    assert re.search(r'<span class="value">新华社</span> <span class="count">\d+</span>', html)
    assert re.search(r'<span class="value">2024</span>', html)
    assert 'type="date" name="from"' in html and '<input type="hidden" name="q" value="诈骗">' in html


def test_results_page_two_sorted_filtered(web_client: FlaskClient) -> None:
    html, _ = _page(web_client, "/?q=诈骗&page=2&sort=newest")
    assert '<strong aria-current="page">2</strong>' in html and "上一页" in html
    assert '<strong aria-current="true">最新</strong>' in html
    html, _ = _page(web_client, "/?q=诈骗&source=新华社&from=2024&to=2024")
    assert "来源：新华社 ×" in html and "日期：2024-01-01 至 2024-12-31 ×" in html
    assert 'class="selected" aria-current="true">\n            <span class="value">新华社</span>' in html
    assert 'value="2024-01-01"' in html and 'value="2024-12-31"' in html
    # the chip removes its filter and keeps the other
    assert (
        'href="/?q=%E8%AF%88%E9%AA%97&amp;from=2024&amp;to=2024" title="取消这个筛选">来源：新华社 ×' in html
    )


def test_relaxed_and_no_results_messages(web_client: FlaskClient) -> None:
    html, _ = _page(web_client, "/?q=公安部 世界杯")
    assert "没有同时包含全部关键词的结果" in html and '<li class="hit">' in html
    html, _ = _page(web_client, "/?q=火星殖民地")
    assert "没有找到与“<strong>火星殖民地</strong>”相关的文章" in html and '<li class="hit">' not in html
    html, _ = _page(web_client, "/?q=火星殖民地&source=新华社")
    assert "去掉所有筛选条件" in html


_NOTICE_RE = re.compile(r'<p class="notice error" role="alert">(.*?)</p>', re.S)
_LONG = "q=" + "诈" * 300


@pytest.mark.parametrize(
    ("query", "text"),
    [
        (
            "q=a&from=2024-02-30",
            "参数 from 的日期格式不对（&#39;2024-02-30&#39; is not a calendar date），请使用 2024-01-31 这样的格式。",
        ),
        (
            "q=a&to=2024-13",
            "参数 to 的日期格式不对（&#39;2024-13&#39; is not a calendar date），请使用 2024-01-31 这样的格式。",
        ),
        ("q=a&from=2025&to=2024", "开始日期（from）晚于结束日期（to）。"),
        (_LONG, "查询太长了：300 个字符，最多 256 个字符，请缩短后再搜索。"),
        ("q=" + "a" * 1200, "查询太长了：1200 个字符，最多 256 个字符，请缩短后再搜索。"),
        (
            "q=a&sort=x",
            "网址中的参数 sort 不正确（expected one of relevance, fresh, newest, oldest, got &#39;x&#39;），已无法按它搜索。",
        ),
        (
            "q=a&per_page=99",
            "网址中的参数 per_page 不正确（must be between 1 and 50, got 99），已无法按它搜索。",
        ),
        (
            "q=a&page=abc",
            "网址中的参数 page 不正确（expected a whole number, got &#39;abc&#39;），已无法按它搜索。",
        ),
        ("q=a&source=" + "x" * 1001, "网址中的参数 source 太长了（longer than 1000 characters）。"),
    ],
)
def test_bad_parameters_show_a_message_naming_them_and_keep_the_box(
    web_client: FlaskClient, query: str, text: str
) -> None:
    html, _ = _page(web_client, "/?" + query, 400)
    assert _NOTICE_RE.findall(html) == [text] and 'name="q"' in html


@pytest.mark.parametrize(
    ("query", "text"),
    [
        # 世界杯 finds one article: its only page is page 1 (not a word about the 1,000-result limit)
        (
            "q=世界杯&page=99999",
            '没有第 99999 页：这个搜索的结果只有 1 页。 <a class="back" href="/?q=%E4%B8%96%E7%95%8C%E6%9D%AF">回到第 1 页</a>',
        ),
        (
            "q=世界杯&page=2",
            '没有第 2 页：这个搜索的结果只有 1 页。 <a class="back" href="/?q=%E4%B8%96%E7%95%8C%E6%9D%AF">回到第 1 页</a>',
        ),
        (
            "q=世界杯&page=0",
            '没有第 0 页：这个搜索的结果只有 1 页。 <a class="back" href="/?q=%E4%B8%96%E7%95%8C%E6%9D%AF">回到第 1 页</a>',
        ),
        (
            "q=诈骗&page=3&sort=newest",
            '没有第 3 页：这个搜索的结果只有 2 页。 <a class="back" href="/?q=%E8%AF%88%E9%AA%97&amp;sort=newest&amp;page=2">回到第 2 页</a>',
        ),
        (
            "q=诈骗&per_page=5&page=500",
            '没有第 500 页：这个搜索的结果只有 3 页。 <a class="back" href="/?q=%E8%AF%88%E9%AA%97&amp;per_page=5&amp;page=3">回到第 3 页</a>',
        ),
        (
            "q=火星殖民地&page=4",
            '没有第 4 页：没有找到与“火星殖民地”相关的文章。 <a class="back" href="/?q=%E7%81%AB%E6%98%9F%E6%AE%96%E6%B0%91%E5%9C%B0">回到第 1 页</a>',
        ),
    ],
)
def test_a_page_beyond_the_last_says_so_and_links_the_last_page(
    web_client: FlaskClient, query: str, text: str
) -> None:
    html, _ = _page(web_client, "/?" + query, 400)
    assert _NOTICE_RE.findall(html) == [text]
    assert "1,000" not in html and "1000" not in html


def test_html_in_articles_is_text(web_client: FlaskClient) -> None:
    html, _ = _page(web_client, "/?q=脚本")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html  # a javascript: url is not linked
    html, _ = _page(web_client, "/articles/escape-test?q=脚本")
    assert "<script>alert" not in html and "<b>标签</b>" not in html and "&lt;b&gt;标签&lt;/b&gt;" in html
    assert "javascript:" not in html and "<mark>脚本</mark>" in html


def test_article_page(web_client: FlaskClient) -> None:
    html, links = _page(web_client, "/articles/mps-2025")
    article = CORPUS[0]
    assert f"<h1>{article['title']}</h1>" in html
    assert html.count("<p>") >= 4  # one paragraph per line of the body
    assert "新华社" in html and "2025年1月10日" in html
    assert 'href="https://news.example.com/mps-2025"' in html and "阅读原文" in html
    related = re.findall(r'<li><a href="/articles/([^"?]+)">', html)
    assert 1 <= len(related) <= 5 and "mps-2025" not in related
    assert links.marks == []  # not reached from a result list: nothing marked


def test_article_page_marks_the_query(web_client: FlaskClient) -> None:
    html, links = _page(web_client, "/articles/mps-2025?q=诈骗窝点 -缅北")
    assert {"诈骗窝点", "诈骗"} >= set(links.marks) and "诈骗窝点" in links.marks
    assert "缅北" not in links.marks  # excluded words are not marked
    assert "返回“诈骗窝点 -缅北”的搜索结果" in html
    html, links = _page(web_client, "/articles/intl-tw?q=诈骗")  # simplified query, traditional text
    assert "詐騙" in links.marks


def test_article_not_found_page(web_client: FlaskClient) -> None:
    html, _ = _page(web_client, "/articles/nope", 404)
    assert "找不到这篇文章" in html


def test_help_page(web_client: FlaskClient) -> None:
    html, _ = _page(web_client, "/help")
    for syntax in ("OR", "title:", "source:", "date:2024", "-词", "gonganbu"):
        assert syntax in html


def test_unknown_page_and_method(web_client: FlaskClient) -> None:
    html, _ = _page(web_client, "/nothing-here", 404)
    assert "找不到页面" in html
    response = web_client.post("/")
    assert response.status_code == 405 and response.mimetype == "text/html"


def test_static_files(web_client: FlaskClient) -> None:
    for name, mimetype in (
        ("style.css", "text/css"),
        ("suggest.js", "text/javascript"),
        ("favicon.svg", "image/svg+xml"),
    ):
        with web_client.get(f"/static/{name}") as response:
            assert response.status_code == 200 and response.mimetype == mimetype
    with web_client.get("/static/suggest.js") as response:
        js = response.get_data(as_text=True)
    for needed in ("AbortController", "ArrowDown", "ArrowUp", "Escape", "Enter", "setTimeout"):
        assert needed in js


@pytest.mark.parametrize(
    ("page", "total", "numbers", "last"),
    [
        (1, 0, [], 1),
        (1, 10, [], 1),
        (1, 11, [1, 2], 2),
        (1, 95, [1, 2, 3, None, 10], 10),
        (6, 95, [1, None, 4, 5, 6, 7, 8, None, 10], 10),
        (1, 50_000, [1, 2, 3, None, 100], 100),
    ],
)
def test_pagination(page: int, total: int, numbers: list, last: int) -> None:
    paging = pagination(page, 10, total)
    assert paging["numbers"] == numbers and paging["last"] == last
