"""Feeds and the address bar (web/feeds.py): ``/feed.atom`` read back with feedparser, ``/opensearch.xml`` with
lxml, ``/api/suggest?format=opensearch``, and the ``rel="alternate"`` / ``rel="search"`` links of the pages."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from web_fixtures import CORPUS, TEST_CONFIG, build_index

from web import create_app
from web.feeds import FEED_ENTRIES, OPENSEARCH_NS, atom_feed
from web.params import SearchParams

FRAUD = [a for a in CORPUS if "诈骗" in a["title"] + a["body"] or "詐騙" in a["title"] + a["body"]]


def _feed(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_feed_of_a_search_newest_first_with_title_link_date_source_and_text(web_client: FlaskClient) -> None:
    parsed = _feed(web_client, "/feed.atom?q=诈骗")
    assert parsed.feed.title == "诈骗 - zhsearch 新闻搜索"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {
        "self": "http://localhost/feed.atom?q=%E8%AF%88%E9%AA%97",
        "alternate": "http://localhost/?q=%E8%AF%88%E9%AA%97&sort=newest",
    }
    entries = parsed.entries
    # each story once: the template cases of three cities are one story, its newest copy stands for it
    assert len(entries) == len(FRAUD) - 2 == 15  # every match is dated; fewer than FEED_ENTRIES
    every = _feed(web_client, "/feed.atom?q=诈骗&collapse=0").entries
    assert len(every) == len(FRAUD) == 17
    ids = [e.link.rsplit("/", 1)[1] for e in entries]
    assert ids[:3] == ["case12", "case09", "case06"]  # 2025-12, 2025-09, 2025-06
    stamps = [e.published_parsed for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    by_id = {a["id"]: a for a in CORPUS}
    for entry, doc_id in zip(entries, ids, strict=True):
        article = by_id[doc_id]
        assert entry.title == article["title"]
        assert entry.link == f"http://localhost/articles/{doc_id}" and entry.id == entry.link
        assert [link.href for link in entry.links if link.rel == "related"] == [article["url"]]
        assert entry.author == article["source"] and entry.source.title == article["source"]
        assert [t.term for t in entry.tags] == [article["category"]]
        assert entry.summary_detail.type == "text/plain" and "<" not in entry.summary
        assert "诈骗" in entry.summary or "詐騙" in entry.summary
    assert entries[0].published == "2025-12-21T09:30:00+08:00"
    assert parsed.feed.updated == entries[0].published
    first = next(e for e in entries if e.link.endswith("/mps-2025"))
    assert first.summary == (
        "公安部新闻发言人介绍，公安机关联合四部门出台《电信网络诈骗及其违法犯罪联合惩戒办法》，"
        "打击电信网络诈骗犯罪取得显著成效。截至2024年底，已累计抓获中国籍涉诈犯罪嫌疑人5.3万余名，"
        "缅北地区规模化电诈园区被全部铲除。"
    )


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        ("&source=新华社", ["case09", "mps-2025", "case05", "case01"]),
        ("&from=2024-06&to=2024-09", ["mps-cases", "case08", "mps-summer"]),
        ("&category=国际", ["intl-tw"]),
        ("&sort=oldest&page=2&per_page=3", None),  # order, page and page size are the feed's own
    ],
)
def test_feed_takes_the_search_filters(web_client: FlaskClient, args: str, ids: list[str] | None) -> None:
    parsed = _feed(web_client, "/feed.atom?q=诈骗" + args)
    got = [e.link.rsplit("/", 1)[1] for e in parsed.entries]
    if ids is None:
        assert got == [e.link.rsplit("/", 1)[1] for e in _feed(web_client, "/feed.atom?q=诈骗").entries]
    else:
        assert got == ids


def test_feed_holds_the_newest_twenty_dated_articles(tmp_path: Path) -> None:
    articles = [
        {
            "id": f"day{i:02d}",
            "title": f"第{i}天的防汛简报",
            "body": f"防汛简报第{i}期：各地加强值守。",
            "source": "水利部",
            "published": f"2024-07-{i:02d} 08:00",
        }
        for i in range(1, 26)
    ] + [{"id": "undated", "title": "防汛知识问答", "body": "防汛知识。", "source": "水利部"}]
    app = create_app({**TEST_CONFIG, "INDEX_DIR": str(build_index(tmp_path, articles))})
    parsed = _feed(app.test_client(), "/feed.atom?q=防汛")
    assert [e.link.rsplit("/", 1)[1] for e in parsed.entries] == [f"day{i:02d}" for i in range(25, 5, -1)]
    assert len(parsed.entries) == FEED_ENTRIES
    empty = _feed(app.test_client(), "/feed.atom?q=火星殖民地")
    assert empty.entries == [] and empty.feed.updated == "1970-01-01T00:00:00+00:00"


def test_feed_text_keeps_to_what_xml_can_hold(web_app: Flask) -> None:
    hit = {
        "id": "x/1",
        "title": "标题\x0b里有\x00控制符",
        "url": "javascript:alert(1)",
        "source": "来源\x1f",
        "category": "",
        "published": "2024-01-02T03:04:05+08:00",
        "snippet_html": "<mark>A&amp;B</mark> &lt;b&gt;\x0c",
    }
    with web_app.test_request_context("/feed.atom?q=A"):
        parsed = feedparser.parse(atom_feed(SearchParams(q="A"), [hit]))
    assert not parsed.bozo
    (entry,) = parsed.entries
    assert entry.title == "标题里有控制符" and entry.author == "来源" and entry.summary == "A&B <b>"
    assert entry.link == "http://localhost/articles/x/1" and [link.rel for link in entry.links] == [
        "alternate"
    ]


@pytest.mark.parametrize(
    ("url", "code", "message"),
    [
        ("/feed.atom?q=a&from=2024-13", "bad_date", "from: '2024-13' is not a calendar date"),
        (
            "/feed.atom?q=" + "诈" * 300,
            "query_too_long",
            "q: the query is 300 characters long; at most 256 characters are allowed",
        ),
        (
            "/api/suggest?q=" + "诈" * 300,
            "query_too_long",
            "q: the query is 300 characters long; at most 256 characters are allowed",
        ),
        (
            "/api/suggest?q=a&format=rss",
            "bad_parameter",
            "format: expected one of json, opensearch, got 'rss'",
        ),
    ],
)
def test_bad_feed_and_suggest_parameters_are_json_400s(
    web_client: FlaskClient, url: str, code: str, message: str
) -> None:
    response = web_client.get(url)
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert response.get_json() == {"error": {"code": code, "message": message}}


def _opensearch(client: FlaskClient) -> etree._Element:
    response = client.get("/opensearch.xml")
    assert response.status_code == 200 and response.mimetype == "application/opensearchdescription+xml"
    return etree.fromstring(response.get_data())


def test_opensearch_description(web_client: FlaskClient) -> None:
    root = _opensearch(web_client)
    ns = {"os": OPENSEARCH_NS}
    assert root.tag == f"{{{OPENSEARCH_NS}}}OpenSearchDescription"
    assert root.findtext("os:ShortName", namespaces=ns) == "zhsearch"
    assert root.findtext("os:InputEncoding", namespaces=ns) == "UTF-8"
    urls = {(u.get("type"), u.get("rel")): u.get("template") for u in root.findall("os:Url", ns)}
    assert urls == {
        ("text/html", "results"): "http://localhost/?q={searchTerms}",
        ("application/atom+xml", "results"): "http://localhost/feed.atom?q={searchTerms}",
        (
            "application/x-suggestions+json",
            "suggestions",
        ): "http://localhost/api/suggest?q={searchTerms}&format=opensearch",
        ("application/opensearchdescription+xml", "self"): "http://localhost/opensearch.xml",
    }
    assert root.findtext("os:Image", namespaces=ns) == "http://localhost/static/favicon.svg"


def test_the_description_s_templates_answer(web_client: FlaskClient) -> None:
    root = _opensearch(web_client)
    for url in root.findall(f"{{{OPENSEARCH_NS}}}Url"):
        target = url.get("template").replace("{searchTerms}", "%E5%85%AC%E5%AE%89")  # 公安
        response = web_client.get(target.removeprefix("http://localhost"))
        assert response.status_code == 200 and response.mimetype == url.get("type")


def test_suggestions_in_the_opensearch_format(web_client: FlaskClient) -> None:
    plain = web_client.get("/api/suggest?q=公安部&limit=5").get_json()["suggestions"]
    response = web_client.get("/api/suggest?q=公安部&limit=5&format=opensearch")
    assert response.mimetype == "application/x-suggestions+json"
    prefix, texts, kinds, urls = json.loads(response.get_data())
    assert prefix == "公安部" and texts == [s["text"] for s in plain] and len(texts) == 4
    for item, kind, url in zip(plain, kinds, urls, strict=True):
        if item["kind"] == "title":
            assert kind == "标题" and url == f"http://localhost/articles/{item['id']}"
        else:
            assert kind == "词语" and parse_qs(urlsplit(url).query) == {"q": [item["text"]]}
    assert json.loads(web_client.get("/api/suggest?q=&format=opensearch").get_data()) == ["", [], [], []]


_LINK_RE = re.compile(r'<link rel="(search|alternate)" type="([^"]+)" title="([^"]*)" href="([^"]+)">')


@pytest.mark.parametrize(
    ("url", "feed"),
    [
        ("/", None),
        ("/help", None),
        ("/articles/mps-2025", None),
        ("/articles/no-such-article", None),
        ("/?q=火星殖民地", "/feed.atom?q=%E7%81%AB%E6%98%9F%E6%AE%96%E6%B0%91%E5%9C%B0"),
        (
            "/?q=诈骗&source=新华社&sort=oldest&per_page=3&page=2",
            "/feed.atom?q=%E8%AF%88%E9%AA%97&amp;source=%E6%96%B0%E5%8D%8E%E7%A4%BE",
        ),
    ],
)
def test_every_page_links_the_search_and_results_pages_their_feed(
    web_client: FlaskClient, url: str, feed: str | None
) -> None:
    html = web_client.get(url).get_data(as_text=True)
    links = _LINK_RE.findall(html)
    assert (
        "search",
        "application/opensearchdescription+xml",
        "zhsearch 新闻搜索",
        "/opensearch.xml",
    ) in links
    alternates = [(kind, href) for rel, kind, _, href in links if rel == "alternate"]
    assert alternates == ([("application/atom+xml", feed)] if feed else [])
    if feed:
        assert f'<a href="{feed}" type="application/atom+xml">订阅这个搜索（Atom）</a>' in html


def test_the_feed_link_title_is_escaped(web_client: FlaskClient) -> None:
    html = web_client.get('/?q="><script>x</script>').get_data(as_text=True)
    assert "<script>x" not in html
    assert 'title="“&#34;&gt;&lt;script&gt;x&lt;/script&gt;”的最新报道 (Atom)"' in html


def test_the_help_page_tells_readers_of_the_timeline_feeds_address_bar_and_stats(
    web_client: FlaskClient,
) -> None:
    html = web_client.get("/help").get_data(as_text=True)
    assert "<h2>时间线、订阅和地址栏</h2>" in html and "/feed.atom?q=…" in html
    assert '<a href="/opensearch.xml">OpenSearch 描述</a>' in html
    assert "不记录 IP 地址，也不使用 cookie" in html
