"""``zhsearch sync feed URL``: an RSS or Atom feed served by a local http.server (no other network).

Full text from the feed, or from the article page (trafilatura) when the feed has a summary only; one request
at a time, a User-Agent naming zhsearch, If-Modified-Since answered 304; entries that leave the feed stay.
"""

from __future__ import annotations

import http.server
import json
import threading
import traceback
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from indexer.articles import Article, make_id
from indexer.ingest.loaders import load_file
from search.searcher import Searcher
from zhsearch.cli import cli

PAGE_TEXT = (
    "深圳地铁十六号线二期工程今日正式开通运营，全线设车站十座，连接龙岗区与坪山区。"
    "市交通运输局介绍，新线开通后，坪山中心区到龙岗中心城的通勤时间缩短至三十分钟以内。"
    "首班车早上六点半发出，末班车晚上十一点发出，高峰时段行车间隔约为四分钟。"
    "沿线居民表示，新线开通让出行更加方便，周末带孩子去市区也不再需要换乘多次。"
)

ITEM_FULL = """<item><title>颱風來襲 臺灣停班停課</title><link>{base}/a1.html</link>
<guid>{base}/a1.html</guid><pubDate>Tue, 01 Oct 2024 01:00:00 GMT</pubDate><category>社會</category>
<description>颱風警報</description>
<content:encoded><![CDATA[<p>中央氣象署發布颱風警報。</p><p>各縣市宣布停班停課。</p>]]></content:encoded></item>"""
ITEM_SUMMARY = """<item><title>深圳地铁新线开通</title><link>{base}/a2.html</link>
<pubDate>Wed, 02 Oct 2024 02:00:00 GMT</pubDate><description>深圳地铁十六号线二期开通……</description></item>"""
ITEM_NEW = """<item><title>岚湾港区扩建工程开工</title><link>{base}/a3.html</link>
<pubDate>Thu, 03 Oct 2024 03:00:00 GMT</pubDate><description>岚湾港区扩建工程今日开工。</description>
<content:encoded><![CDATA[<p>岚湾港区扩建工程今日开工，预计三年建成，新增泊位十二个。</p>]]></content:encoded></item>"""

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>岚湾新闻网</title><link>{base}/</link><description>新闻</description>{items}</channel></rss>"""

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>深圳地铁新线开通</title></head><body>
<nav><a href="/">首页</a> <a href="/news">新闻</a></nav><article><h1>深圳地铁新线开通</h1>
<p>{text}</p><p>{text}</p></article><footer>版权所有</footer></body></html>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>臺灣新聞</title>
<id>urn:x</id><updated>2024-10-01T01:00:00Z</updated><entry><title>臺北捷運延長營運</title>
<link href="{base}/b1.html"/><id>{base}/b1.html</id><updated>2024-10-01T01:00:00Z</updated><author><name>陳記者</name></author>
<content type="html">&lt;p&gt;臺北捷運跨年夜延長營運至凌晨兩點。&lt;/p&gt;</content></entry></feed>"""


class Site:
    """The feed's server: what it serves, and the requests it got."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, str]] = {}
        self.requests: list[dict[str, Any]] = []
        self.modified = formatdate(1_700_000_000, usegmt=True)
        self.active = self.most_active = 0
        self.lock = threading.Lock()
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the handler's name)
                with site.lock:
                    site.active += 1
                    site.most_active = max(site.most_active, site.active)
                try:
                    self._answer()
                finally:
                    with site.lock:
                        site.active -= 1

            def _answer(self) -> None:
                site.requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
                if self.path not in site.files:
                    self.send_error(404)
                    return
                if self.path.endswith(".xml") and self.headers.get("If-Modified-Since") == site.modified:
                    self.send_response(304)
                    self.end_headers()
                    return
                kind, text = site.files[self.path]
                body = text.format(base=site.base).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Last-Modified", site.modified)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve(self, path: str, kind: str, text: str) -> None:
        self.files[path] = (kind, text)


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    yield served
    served.server.shutdown()
    served.server.server_close()


def _sync(url: str, index_dir: Path) -> tuple[int, dict[str, Any] | str]:
    result = CliRunner().invoke(cli, ["sync", "feed", url, "--index", str(index_dir), "--json"])
    if result.exit_code != 0:
        return result.exit_code, result.output + "".join(traceback.format_exception(*result.exc_info))
    return 0, json.loads(result.stdout.strip().splitlines()[-1])


def _counts(summary: dict[str, Any] | str) -> tuple[int, int, int]:
    assert isinstance(summary, dict), summary
    return summary["added"], summary["updated"], summary["deleted"]


def _mirror(index_dir: Path) -> dict[str, Article]:
    (path,) = (index_dir / "sources").glob("feed-*.jsonl")
    return {a.id: a for a in load_file(path) if isinstance(a, Article)}


def test_rss_full_text_from_the_feed_or_the_page_politely(site: Site, tmp_path: Path) -> None:
    site.serve("/feed.xml", "application/rss+xml", RSS.replace("{items}", ITEM_FULL + ITEM_SUMMARY))
    site.serve("/a2.html", "text/html; charset=utf-8", PAGE.replace("{text}", PAGE_TEXT))
    index_dir = tmp_path / "index"
    code, summary = _sync(site.base + "/feed.xml", index_dir)
    assert code == 0 and _counts(summary) == (2, 0, 0), summary
    articles = _mirror(index_dir)
    full = articles[make_id(url=site.base + "/a1.html")]
    assert full.body == "中央氣象署發布颱風警報。\n各縣市宣布停班停課。"
    assert (full.title, full.source, full.category) == ("颱風來襲 臺灣停班停課", "岚湾新闻网", "社會")
    assert full.published is not None and full.published.isoformat() == "2024-10-01T01:00:00+00:00"
    page = articles[make_id(url=site.base + "/a2.html")]
    assert PAGE_TEXT in page.body and "首页" not in page.body and "版权所有" not in page.body
    assert [r["path"] for r in site.requests] == ["/feed.xml", "/a2.html"]  # the full text is not fetched
    assert all(r["user-agent"].startswith("zhsearch/") for r in site.requests)
    assert site.most_active == 1
    found = Searcher(index_dir, cache_size=0).search("台湾 停课")
    assert [hit.id for hit in found.hits] == [full.id]

    code, summary = _sync(site.base + "/feed.xml", index_dir)  # not modified: one request, answered 304
    assert code == 0 and _counts(summary) == (0, 0, 0)
    assert site.requests[-1]["if-modified-since"] == site.modified and len(site.requests) == 3

    site.modified = formatdate(1_800_000_000, usegmt=True)  # a new entry, an edit, and a1 gone from the feed
    edited = ITEM_SUMMARY.replace("02:00:00", "05:00:00").replace(
        "深圳地铁新线开通</title>", "深圳地铁新线今日开通</title>"
    )
    site.serve("/feed.xml", "application/rss+xml", RSS.replace("{items}", ITEM_NEW + edited))
    code, summary = _sync(site.base + "/feed.xml", index_dir)
    assert code == 0 and _counts(summary) == (1, 1, 0), summary  # what left the feed stays
    assert [r["path"] for r in site.requests[3:]] == ["/feed.xml", "/a2.html"]
    assert len(_mirror(index_dir)) == 3


def test_atom_feed(site: Site, tmp_path: Path) -> None:
    site.serve("/atom.xml", "application/atom+xml", ATOM)
    code, summary = _sync(site.base + "/atom.xml", tmp_path / "index")
    assert code == 0 and _counts(summary) == (1, 0, 0), summary
    (article,) = _mirror(tmp_path / "index").values()
    assert (article.title, article.author, article.body) == (
        "臺北捷運延長營運",
        "陳記者",
        "臺北捷運跨年夜延長營運至凌晨兩點。",
    )


def test_a_page_that_is_not_a_feed_is_named(site: Site, tmp_path: Path) -> None:
    site.serve("/index.xml", "text/html", "<html><body><p>首页</p></body></html>")
    code, output = _sync(site.base + "/index.xml", tmp_path / "index")
    assert (
        code == 1
        and f"Error: {site.base}/index.xml: answered 200 text/html, not an RSS or Atom feed" in str(output)
    )
    code, output = _sync(site.base + "/missing.xml", tmp_path / "index")
    assert code == 1 and f"Error: {site.base}/missing.xml: answered 404 Not Found" in str(output)


def test_every_keeps_syncing_past_an_error(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    naps: list[float] = []

    def sleep(seconds: float) -> None:  # the schedule's wait: the feed appears after the first round
        naps.append(seconds)
        site.serve("/feed.xml", "application/rss+xml", RSS.replace("{items}", ITEM_FULL))
        if len(naps) == 2:
            raise SystemExit(0)

    monkeypatch.setattr("zhsearch.sync.time.sleep", sleep)
    args = ["sync", "feed", site.base + "/feed.xml", "--index", str(tmp_path / "index"), "--every", "60"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"error: {site.base}/feed.xml: answered 404 Not Found" in result.stderr
    assert "1 added, 0 updated, 0 deleted" in result.stdout
    assert len(naps) == 2 and all(50 < nap <= 60 for nap in naps)
