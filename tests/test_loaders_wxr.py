"""WordPress export files (WXR, ``.xml``): read by ``zhsearch reindex`` like any article file, ids as the sync's."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from indexer.articles import Article
from indexer.ingest.loaders import Problem, iter_source_files, load_file
from indexer.ingest.loaders.wxr import html_text, site_host, wp_published
from indexer.writer import reindex
from search.searcher import Searcher

EXPORT = """<?xml version="1.0" encoding="UTF-8" ?>
<!-- generator="WordPress/6.1.9" created="2025-03-06 08:00" -->
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
	<title>岚湾新闻网</title>
	<link>https://News.Example.com</link>
	<description></description>
	<language>zh-CN</language>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>https://news.example.com</wp:base_site_url>
	<wp:base_blog_url>https://news.example.com</wp:base_blog_url>
	<wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[zhang]]></wp:author_login><wp:author_display_name><![CDATA[张记者]]></wp:author_display_name></wp:author>
	<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename><![CDATA[fazhi]]></wp:category_nicename><wp:cat_name><![CDATA[法治]]></wp:cat_name></wp:category>
	<item>
		<title><![CDATA[公安部通报电信网络诈骗案件 & 典型案例]]></title>
		<link>https://news.example.com/2025/03/06/fraud/</link>
		<dc:creator><![CDATA[zhang]]></dc:creator>
		<content:encoded><![CDATA[<!-- wp:paragraph -->
<p>公安部3月6日通报：<strong>电信网络诈骗</strong>案件数量下降。</p>
<!-- /wp:paragraph -->

[caption id="attachment_9" align="alignnone" width="300"]<img src="a.jpg" /> 民警走访群众[/caption]

第三段&nbsp;文字[图]
<script>alert(1)</script>]]></content:encoded>
		<wp:post_id>12</wp:post_id>
		<wp:post_date><![CDATA[2025-03-06 16:15:00]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[2025-03-06 08:15:00]]></wp:post_date_gmt>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_type><![CDATA[post]]></wp:post_type>
		<category domain="category" nicename="fazhi"><![CDATA[法治]]></category>
		<category domain="category" nicename="shehui"><![CDATA[社会]]></category>
		<category domain="post_tag" nicename="zhapian"><![CDATA[诈骗]]></category>
		<category domain="post_tag" nicename="gongan"><![CDATA[公安]]></category>
	</item>
	<item>
		<title><![CDATA[颱風來襲 臺灣停班停課]]></title>
		<link>https://news.example.com/?p=13</link>
		<dc:creator><![CDATA[admin]]></dc:creator>
		<content:encoded><![CDATA[中央氣象署發布颱風警報。

各縣市宣布停班停課。]]></content:encoded>
		<wp:post_id>13</wp:post_id>
		<wp:post_date><![CDATA[2024-10-01 09:00:00]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[2024-10-01 01:00:00]]></wp:post_date_gmt>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_type><![CDATA[post]]></wp:post_type>
	</item>
	<item>
		<title><![CDATA[草稿]]></title>
		<content:encoded><![CDATA[未发布的草稿]]></content:encoded>
		<wp:post_id>14</wp:post_id>
		<wp:post_date><![CDATA[2025-03-07 09:00:00]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[0000-00-00 00:00:00]]></wp:post_date_gmt>
		<wp:status><![CDATA[draft]]></wp:status>
		<wp:post_type><![CDATA[post]]></wp:post_type>
	</item>
	<item>
		<title><![CDATA[关于我们]]></title>
		<content:encoded><![CDATA[一个页面]]></content:encoded>
		<wp:post_id>2</wp:post_id>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_type><![CDATA[page]]></wp:post_type>
	</item>
</channel>
</rss>
"""

CST = timezone(timedelta(hours=8))


def _export(tmp_path: Path, text: str = EXPORT, name: str = "export.xml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_published_posts_are_articles_with_the_sync_ids(tmp_path: Path) -> None:
    got = list(load_file(_export(tmp_path)))
    assert all(isinstance(item, Article) for item in got), got
    first, second = got
    assert isinstance(first, Article) and isinstance(second, Article)
    assert [first.id, second.id] == ["wp-news.example.com-12", "wp-news.example.com-13"]
    assert first.title == "公安部通报电信网络诈骗案件 & 典型案例"
    assert first.body == "公安部3月6日通报：电信网络诈骗案件数量下降。\n民警走访群众\n第三段 文字[图]"
    assert first.url == "https://news.example.com/2025/03/06/fraud/"
    assert first.published == datetime(2025, 3, 6, 16, 15, tzinfo=CST)
    assert (first.author, first.category, first.tags) == ("张记者", "法治, 社会", ["诈骗", "公安"])
    assert first.source == "岚湾新闻网"
    assert second.body == "中央氣象署發布颱風警報。\n各縣市宣布停班停課。"
    assert second.author == "admin"  # a login without a display name in the export stays the login
    assert (second.category, second.tags) == ("", [])


def test_an_xml_file_that_is_not_an_export_is_a_problem(tmp_path: Path) -> None:
    sitemap = _export(tmp_path, '<?xml version="1.0"?><urlset><url><loc>https://a.cn/</loc></url></urlset>')
    assert [(p.reason, p.line) for p in load_file(sitemap) if isinstance(p, Problem)] == [
        ("not a WordPress export", None)
    ]
    broken = _export(tmp_path, EXPORT[:2000], "broken.xml")
    problems = [p for p in load_file(broken) if isinstance(p, Problem)]
    assert [p.reason for p in problems] == ["bad XML"] and problems[0].line


def test_xml_files_are_found_in_directories(tmp_path: Path) -> None:
    _export(tmp_path / "exports")
    assert list(iter_source_files([tmp_path])) == [tmp_path / "exports" / "export.xml"]


def test_html_text_drops_markup_comments_and_shortcodes() -> None:
    assert (
        html_text('<p>一&amp;二<br/>三</p><!-- wp:x --><style>p{}</style>[gallery ids="1,2"][1]')
        == "一&二\n三\n[1]"
    )
    assert site_host("http://127.0.0.1:8080/blog/") == "127.0.0.1:8080"
    assert wp_published("2025-01-01 08:00:00", "2025-01-01 00:00:00") == datetime(2025, 1, 1, 8, tzinfo=CST)
    assert wp_published("2025-01-01 08:00:00", "0000-00-00 00:00:00") == datetime(2025, 1, 1, 8)


def test_reindex_reads_an_export_and_its_second_export(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    path = _export(tmp_path / "src")
    summary = reindex([path], index_dir, jobs=1)
    assert (summary.added, summary.updated, summary.deleted) == (2, 0, 0)
    edited = EXPORT.replace("各縣市宣布停班停課。", "各縣市宣布明日停班停課。").replace(
        "<wp:post_id>12</wp:post_id>", "<wp:post_id>15</wp:post_id>"
    )
    _export(tmp_path / "src", edited)
    summary = reindex([path], index_dir, jobs=1)
    assert (summary.added, summary.updated, summary.deleted) == (1, 1, 1)
    found = Searcher(index_dir, cache_size=0).search("台湾 停课")
    assert [hit.id for hit in found.hits] == ["wp-news.example.com-13"]
