"""``zhsearch sync wordpress URL`` against a real WordPress (Debian's, see tests/wordpress_fixture.py).

Chinese posts in both scripts, with categories, tags and an author; an edit, a trash and new posts between two
syncs; the site's export file read by ``zhsearch reindex`` with the same ids; errors that name the url and what
answered. The tests of this module share one site and run in order.
"""

from __future__ import annotations

import http.server
import json
import re
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import wordpress_fixture
from click.testing import CliRunner
from web_fixtures import LiveServer
from wordpress_fixture import WordPressSite, insert_post, insert_posts, wordpress_site

from indexer.articles import Article
from indexer.ingest.loaders import load_file
from indexer.ingest.wordpress import mirror_wordpress
from search.searcher import Searcher
from zhsearch.cli import cli

# one worker of make test's xdist runs them all: one WordPress stood up, the tests in order on it
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wordpress")]

CST = timezone(timedelta(hours=8))

POSTS: list[dict[str, Any]] = [
    {
        "post_title": "公安部通报电信网络诈骗典型案例",
        "post_content": "<!-- wp:paragraph -->\n<p>公安部3月6日通报<strong>电信网络诈骗</strong>典型案例。</p>\n"
        '<!-- /wp:paragraph -->\n\n[caption id="x" width="300"]民警走访群众[/caption]',
        "categories": ["法治"],
        "tags_input": ["诈骗", "公安"],
        "post_date": "2025-03-06 16:15:00",
    },
    {
        "post_title": "颱風來襲 臺灣停班停課",
        "post_content": "中央氣象署發布颱風警報，各縣市宣布停班停課。",
        "categories": ["社會"],
        "tags_input": ["颱風"],
        "post_date": "2024-10-01 09:00:00",
    },
    {
        "post_title": "岚湾港区扩建工程开工",
        "post_content": "岚湾港区扩建工程今日开工，预计三年建成。",
        "categories": ["经济", "法治"],
        "post_date": "2025-01-02 08:00:00",
    },
]


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[WordPressSite, list[int]]]:
    wp = wordpress_site()
    author = wp.php_json(
        "echo json_encode(wp_insert_user(array('user_login' => 'zhang', 'user_pass' => 'secret-1',"
        " 'display_name' => '张记者', 'role' => 'author')));"
    )
    ids = insert_posts(wp, [{**post, "post_author": author} for post in POSTS])
    yield wp, ids
    wp.php(
        "foreach (get_posts(array('numberposts' => -1, 'post_status' => 'any')) as $p) "
        "{ wp_delete_post($p->ID, true); }"
    )


def _sync(url: str, index_dir: Path, *more: str) -> tuple[int, dict[str, Any] | str]:
    result = CliRunner().invoke(cli, ["sync", "wordpress", url, "--index", str(index_dir), "--json", *more])
    if result.exit_code != 0:
        return result.exit_code, result.output + "".join(traceback.format_exception(*result.exc_info))
    return 0, json.loads(result.stdout.strip().splitlines()[-1])


def _counts(summary: dict[str, Any] | str) -> tuple[int, int, int]:
    assert isinstance(summary, dict), summary
    return summary["added"], summary["updated"], summary["deleted"]


def test_first_sync_maps_every_field(site: tuple[WordPressSite, list[int]], tmp_path: Path) -> None:
    wp, ids = site
    code, summary = _sync(wp.url, tmp_path / "index")
    assert code == 0, summary
    assert _counts(summary) == (3, 0, 0)
    mirror = tmp_path / "index" / "sources" / f"wp-127.0.0.1-{wp.port}.jsonl"
    articles = {a.id: a for a in load_file(mirror) if isinstance(a, Article)}
    first = articles[f"wp-{wp.host}-{ids[0]}"]
    assert first.title == "公安部通报电信网络诈骗典型案例"
    assert first.body == "公安部3月6日通报电信网络诈骗典型案例。\n民警走访群众"
    assert first.url == f"{wp.url}/?p={ids[0]}"
    assert first.published == datetime(2025, 3, 6, 16, 15, tzinfo=CST)  # the site's time zone, Asia/Shanghai
    assert (first.author, first.category, first.tags, first.source) == (
        "张记者",
        "法治",
        ["公安", "诈骗"],  # WordPress gives a post's terms by name
        "新闻网",
    )
    third = articles[f"wp-{wp.host}-{ids[2]}"]
    assert third.category == "法治, 经济" and third.tags == []
    found = Searcher(tmp_path / "index", cache_size=0).search("台湾 停课")  # simplified finds traditional
    assert [hit.id for hit in found.hits] == [f"wp-{wp.host}-{ids[1]}"]


def test_second_sync_fetches_the_edit_the_new_posts_and_deletes_the_trashed(
    site: tuple[WordPressSite, list[int]], tmp_path: Path
) -> None:
    wp, ids = site
    index_dir = tmp_path / "index"
    assert _counts(_sync(wp.url, index_dir)[1]) == (3, 0, 0)
    mirror = index_dir / "sources" / f"wp-127.0.0.1-{wp.port}.jsonl"
    before = mirror.stat().st_mtime_ns
    assert _counts(_sync(wp.url, index_dir)[1]) == (0, 0, 0)
    assert mirror.stat().st_mtime_ns == before  # nothing changed: the mirror is not even rewritten
    wp.php(
        f"wp_update_post(array('ID' => {ids[2]}, 'post_content' => '岚湾港区扩建工程今日开工，预计两年建成。'));\n"
        f"wp_trash_post({ids[1]});"
    )
    new = [
        insert_post(wp, "深圳地铁新线开通", "深圳地铁十六号线今日开通运营。", categories=["城市"]),
        insert_post(wp, "臺北捷運延長營運", "臺北捷運跨年夜延長營運。", tags_input=["捷運"]),
    ]
    draft = insert_post(wp, "未发布的草稿", "草稿内容", post_status="draft")
    try:
        code, summary = _sync(wp.url, index_dir)
        assert code == 0 and _counts(summary) == (2, 1, 1), summary
        searcher = Searcher(index_dir, cache_size=0)
        assert [h.id for h in searcher.search("两年建成").hits] == [f"wp-{wp.host}-{ids[2]}"]
        assert searcher.search("停班停课").hits == []
        assert [h.id for h in searcher.search("台北捷运").hits] == [f"wp-{wp.host}-{new[1]}"]
        assert searcher.search("草稿").hits == []
    finally:
        wp.php(
            f"wp_untrash_post({ids[1]}); wp_publish_post({ids[1]});"
            + "".join(f"wp_delete_post({i}, true);" for i in [*new, draft])
        )


def test_a_mirror_written_by_a_sync_killed_before_its_reindex_is_read_by_the_next(
    site: tuple[WordPressSite, list[int]], tmp_path: Path
) -> None:
    wp, _ = site
    index_dir = tmp_path / "index"
    assert _counts(_sync(wp.url, index_dir)[1]) == (3, 0, 0)
    wp.php(
        "foreach (get_posts() as $p) { wp_update_post(array('ID' => $p->ID, 'post_title' => $p->post_title . '（更新）')); }"
    )
    try:
        mirror_wordpress(wp.url, index_dir / "sources")  # the sync's first half: the mirror, not the index
        assert _counts(_sync(wp.url, index_dir)[1]) == (0, 3, 0)
        assert len(Searcher(index_dir, cache_size=0).search("更新").hits) == 3
    finally:
        wp.php(
            "foreach (get_posts() as $p) { wp_update_post(array('ID' => $p->ID,"
            " 'post_title' => str_replace('（更新）', '', $p->post_title))); }"
        )


def test_the_export_file_gives_the_ids_of_the_sync(
    site: tuple[WordPressSite, list[int]], tmp_path: Path
) -> None:
    wp, ids = site
    export = tmp_path / "export.xml"
    export.write_text(
        wp.php(
            "require_once ABSPATH . 'wp-admin/includes/export.php'; export_wp(array('content' => 'post'));"
        ),
        encoding="utf-8",
    )
    assert _counts(_sync(wp.url, tmp_path / "index")[1]) == (3, 0, 0)
    mirror = tmp_path / "index" / "sources" / f"wp-127.0.0.1-{wp.port}.jsonl"
    synced = {a.id: a for a in load_file(mirror) if isinstance(a, Article)}
    exported = {a.id: a for a in load_file(export) if isinstance(a, Article)}
    assert exported.keys() == synced.keys() == {f"wp-{wp.host}-{i}" for i in ids}
    for doc_id, article in exported.items():
        other = synced[doc_id]
        assert (article.title, article.body, article.url, article.published, article.author) == (
            other.title,
            other.body,
            other.url,
            other.published,
            other.author,
        )
        assert (set(article.category.split(", ")), article.tags) == (
            set(other.category.split(", ")),
            other.tags,
        )


def test_without_the_packages_a_skip_or_under_ci_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wordpress_fixture, "WORDPRESS", Path("/nonexistent/wordpress"))
    monkeypatch.delenv("ZHSEARCH_REQUIRE_WORDPRESS", raising=False)
    with pytest.raises(
        pytest.skip.Exception, match="apt-get install wordpress php-cli php-mysql mariadb-server"
    ):
        wordpress_site()
    monkeypatch.setenv("ZHSEARCH_REQUIRE_WORDPRESS", "1")
    with pytest.raises(pytest.fail.Exception, match="ZHSEARCH_REQUIRE_WORDPRESS is set"):
        wordpress_site()


class _Answer(http.server.BaseHTTPRequestHandler):
    status = 200
    body = b"<html><body>not WordPress</body></html>"

    def do_GET(self) -> None:  # noqa: N802 (the handler's name)
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, "answered 200 text/html, not JSON: not a WordPress REST API"),
        (401, "answered 401 Unauthorized"),
        (404, "answered 404 Not Found: not a WordPress site, or its REST API is turned off"),
    ],
)
def test_errors_name_the_url_and_what_answered(tmp_path: Path, status: int, expected: str) -> None:
    handler = type("Handler", (_Answer,), {"status": status})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    try:
        code, output = _sync(url, tmp_path / "index")
    finally:
        server.shutdown()
        server.server_close()
    assert code == 1
    assert output.startswith(f"Error: {url}?rest_route=/&_fields=name,home,url,namespaces: {expected}"), (
        output
    )
    assert not (tmp_path / "index").exists()


def test_nothing_listening_is_named(tmp_path: Path) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Answer)
    port = server.server_port
    server.server_close()
    code, output = _sync(f"http://127.0.0.1:{port}", tmp_path / "index")
    assert code == 1 and f"http://127.0.0.1:{port}/?rest_route=" in str(output)
    assert "no answer (connection refused: nothing listens there)" in str(output)


class _Slow(_Answer):
    def do_GET(self) -> None:  # noqa: N802
        time.sleep(3)
        try:
            super().do_GET()
        except BrokenPipeError:
            pass  # WordPress gave up after its second, as it should


def test_a_timeout_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("indexer.ingest.fetch.TIMEOUT", 0.5)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    try:
        code, output = _sync(url, tmp_path / "index")
    finally:
        server.shutdown()
        server.server_close()
    assert code == 1
    assert output.startswith(
        f"Error: {url}?rest_route=/&_fields=name,home,url,namespaces: no answer within 0.5 s (timeout)"
    )


def _titles(page: str) -> list[str]:
    return re.findall(r'<li data-id="\d+">([^<]*)</li>', page)


def test_the_plugin_answers_the_sites_search_box(
    site: tuple[WordPressSite, list[int]], tmp_path: Path
) -> None:
    """WordPress's own /?s= page with the plugin active: a query in traditional characters finds the post
    written in simplified ones (WordPress's LIKE search does not); zhsearch silent: WordPress answers."""
    wp, _ = site
    index_dir = tmp_path / "index"
    assert _counts(_sync(wp.url, index_dir)[1]) == (3, 0, 0)
    server = LiveServer(index_dir).wait_ready()
    slow = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    try:
        wp.php(f"activate_plugin('zhsearch/zhsearch.php');update_option('zhsearch_url', '{server.url}/');")
        status, page = wp.get("/?s=" + quote("電信網絡詐騙"))
        assert status == 200 and _titles(page) == ["公安部通报电信网络诈骗典型案例"], page
        assert 'data-found="1"' in page
        status, page = wp.get("/?s=" + quote("岚湾 法治"))
        assert _titles(page) == ["岚湾港区扩建工程开工"]
        wp.php("update_option('posts_per_page', 1);")
        pages = [wp.get("/?s=" + quote("诈骗 OR 扩建") + f"&paged={n}")[1] for n in (1, 2, 3)]
        assert all('data-found="2"' in page for page in pages[:2])
        assert sorted(_titles(pages[0]) + _titles(pages[1])) == [
            "公安部通报电信网络诈骗典型案例",
            "岚湾港区扩建工程开工",
        ]
        assert _titles(pages[2]) == []  # past the last page: nothing, as WordPress's own search gives
        wp.php("update_option('posts_per_page', 10);")
        wp.php(f"update_option('zhsearch_url', 'http://127.0.0.1:{slow.server_port}');")
        started = time.monotonic()
        status, page = wp.get("/?s=" + quote("電信網絡詐騙"))
        assert status == 200 and _titles(page) == []  # WordPress's own search: characters as typed
        assert time.monotonic() - started < 2.9  # it gave zhsearch a second, not the three it would take
        status, page = wp.get("/?s=" + quote("电信网络诈骗"))
        assert _titles(page) == ["公安部通报电信网络诈骗典型案例"]
        settings = wp.php(
            "require_once ABSPATH . 'wp-admin/includes/admin.php'; wp_set_current_user(1);"
            "zhsearch_register_settings(); zhsearch_settings_page();"
        )
        assert 'name="zhsearch_url"' in settings and "does not answer" in settings
    finally:
        wp.php("deactivate_plugins('zhsearch/zhsearch.php'); delete_option('zhsearch_url');")
        slow.shutdown()
        slow.server_close()
        server.stop()


def test_the_benchmark_runs(site: tuple[WordPressSite, list[int]], tmp_path: Path) -> None:
    """bench/wordpress_sync.py end to end on a few posts (its own WordPress): the summaries of its three runs."""
    repo = Path(__file__).resolve().parent.parent
    if str(repo) not in sys.path:  # bench/ is not an installed package
        sys.path.insert(0, str(repo))
    from bench import wordpress_sync

    assert (
        wordpress_sync.main(["--posts", "20", "--changed", "2", "--rounds", "1", "--out", str(tmp_path)]) == 0
    )
    table = (tmp_path / "wordpress.md").read_text(encoding="utf-8")
    assert "| first sync | 20 posts |" in table and "| 20 / 0 / 0 |" in table
    assert "| 0 / 0 / 0 |" in table and "| 0 / 2 / 0 |" in table


@pytest.mark.parametrize(
    ("modified", "fetched", "fetched_again"),
    [
        ("2026-12-07T10:00:00", "2026-12-07T10:00:00", True),  # in the second of its edit
        ("2026-12-07T10:00:00", "2026-12-07T10:00:01", True),  # another edit could still fall in that second
        ("2026-12-07T10:00:00", "2026-12-07T10:00:05", False),
        ("2026-12-07T10:00:00", "", True),  # a line without the time it was fetched
    ],
)
def test_a_post_fetched_right_after_its_edit_is_fetched_again(
    tmp_path: Path, modified: str, fetched: str, fetched_again: bool
) -> None:
    """WordPress's modified_gmt counts whole seconds: an edit in the second a sync fetched the post would not
    change it, so such a post is fetched again at the next sync (not left stale until its next edit)."""
    from indexer.ingest.wordpress import _read_mirror

    record = {
        "id": "wp-example.org-7",
        "title": "标题",
        "body": "正文",
        "modified": modified,
        "fetched": fetched,
    }
    mirror = tmp_path / "wp-example.org.jsonl"
    mirror.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    (seen, _line) = _read_mirror(mirror)[7]
    assert seen == ("" if fetched_again else modified)
