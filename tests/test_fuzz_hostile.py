"""Hostile input: loaders and searches fuzzed with hypothesis, and a reindex over a directory of bad files.

The properties: a loader never fails with an unexpected exception (``load_file`` would report it as a
"loader error" problem: that is a bug), a query never raises anything but a ``SearchError``, and the same input
gives the same result.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.articles import Article
from indexer.ingest.loaders import Problem, load_file
from indexer.writer import reindex
from search import Searcher
from search.errors import SearchError

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

_CHINESE = (
    "新华社北京电公安部召开新闻发布会通报打击电信网络诈骗成效。！？，、；：“”（）《》来源作者责任编辑年月日"
)
_TEXT = st.text(
    alphabet=st.sampled_from(list(_CHINESE + "abcXYZ019 \n\t\r<>&\"'{}[]:,/\\#\x00\u200b\ufeff😀")),
    max_size=300,
)
_JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)
_FIELDS = st.sampled_from(
    ["id", "title", "body", "content", "date", "published", "source", "url", "tags", "author"]
)
_RECORD = st.dictionaries(_FIELDS, _JSON_VALUE, max_size=6)


def _load(path: Path) -> list[Article | Problem]:
    items = list(load_file(path))
    for item in items:
        assert isinstance(item, Article | Problem)
        if isinstance(item, Problem):
            assert item.reason != "loader error", item  # an unexpected exception inside a loader
            assert str(item)
    return items


def _same_twice(path: Path) -> None:
    assert _load(path) == _load(path)


@FAST
@given(
    raw=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".json", ".jsonl", ".html", ".jsonl.gz"])
)
def test_any_bytes_under_any_supported_name(tmp_path: Path, raw: bytes, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(gzip.compress(raw) if suffix == ".jsonl.gz" and raw[:1] == b"\x00" else raw)
    _same_twice(path)


@FAST
@given(records=st.lists(st.one_of(_RECORD, _JSON_VALUE), max_size=5))
def test_jsonl_of_any_json_values(tmp_path: Path, records: list) -> None:
    path = tmp_path / "fuzz.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    _same_twice(path)
    whole = tmp_path / "fuzz.json"
    whole.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    _same_twice(whole)


@FAST
@given(text=_TEXT, encoding=st.sampled_from(["utf-8", "gb18030", "big5", "utf-16"]))
def test_text_and_html_pages_of_any_text(tmp_path: Path, text: str, encoding: str) -> None:
    raw = text.encode(encoding, errors="replace")
    for name in ("page.txt", "page.html"):
        path = tmp_path / name
        path.write_bytes(raw if name.endswith(".txt") else b"<html><body><p>" + raw + b"</p></body></html>")
        _same_twice(path)


_QUERY = st.text(
    alphabet=st.sampled_from(
        list('公安部电信诈骗缅北人工智能国際 -"“”()（）|:：ORANDNOTtitlesourcedate2024-01.*~^\\\x00😀')
    ),
    max_size=60,
)


@pytest.fixture(scope="module")
def uncached_searcher(search_news_index):  # type: ignore[no-untyped-def]
    """A searcher without a result cache: the same query asked twice is computed twice."""
    return Searcher(search_news_index, cache_size=0)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=_QUERY, page=st.integers(-1, 3), sort=st.sampled_from(["relevance", "newest", "oldest", "bogus"]))
def test_any_query_answers_or_refuses_and_the_same_query_answers_the_same(
    uncached_searcher: Searcher, news_searcher: Searcher, q: str, page: int, sort: str
) -> None:
    def run(searcher: Searcher) -> object:
        try:
            result = searcher.search(q, page=page, sort=sort)
        except SearchError as exc:
            return type(exc).__name__, str(exc)
        return result.total, [(h.id, round(h.score, 6), h.title_html, h.snippet_html) for h in result.hits]

    first = run(uncached_searcher)
    assert run(uncached_searcher) == first  # computed again: deterministic
    assert run(news_searcher) == first  # the cached searcher answers the same


# -- a reindex over a directory of hostile files -------------------------------------------------------------


def test_reindex_goes_on_past_hostile_files_with_a_message_for_each(tmp_path: Path) -> None:
    src = tmp_path / "articles"
    (src / "sub").mkdir(parents=True)
    good = [{"id": "g1", "title": "公安部通报", "body": "公安部召开新闻发布会。"}]
    (src / "good.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in good), "utf-8")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 64)
    deep = "[" * 50_000 + "]" * 50_000
    (src / "deep.jsonl").write_text('{"title": "t", "body": ' + deep + "}\n", encoding="utf-8")
    (src / "sub" / "loop").symlink_to(src, target_is_directory=True)  # a link back to an enclosing directory
    (src / "self.txt").symlink_to(src / "self.txt")  # a link to itself
    (src / "dangling.jsonl").symlink_to(tmp_path / "nowhere.jsonl")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "far.jsonl").write_text(
        json.dumps({"id": "far", "title": "外部文章", "body": "外部。"}) + "\n", "utf-8"
    )
    (src / "far.jsonl").symlink_to(outside / "far.jsonl")  # a file outside the directory, linked in
    os.mkfifo(src / "pipe.jsonl")
    index_dir = tmp_path / "index"
    summary = reindex([src, tmp_path / "missing"], index_dir, jobs=1)
    assert summary.added == 2  # the good article and the linked one; the run went on past everything else
    reasons = {(Path(p.path).name, p.reason) for p in summary.problems}
    assert ("deep.jsonl", "too deeply nested") in reasons
    assert ("loop", "symlink loop") in reasons and ("self.txt", "symlink loop") in reasons
    assert ("dangling.jsonl", "not found") in reasons and ("missing", "not found") in reasons
    assert ("pipe.jsonl", "not a regular file") in reasons
    assert any(name == "binary.txt" for name, _ in reasons), reasons
    assert all(p.message for p in summary.problems)
    # the linked article is stored under the link (inside the given directory): removing the link removes it
    (src / "far.jsonl").unlink()
    assert reindex([src], index_dir, jobs=1).deleted == 1
    # articles indexed from a directory not given this time are left alone
    assert reindex([src / "sub"], index_dir, jobs=1).deleted == 0


@pytest.mark.slow
def test_a_huge_article_file_is_indexed_without_stopping_the_run(tmp_path: Path) -> None:
    src = tmp_path / "articles"
    src.mkdir()
    body = "公安部召开新闻发布会，通报打击电信网络诈骗犯罪成效。" * 20_000  # ~1.5 MB of UTF-8 in one article
    (src / "huge.jsonl").write_text(
        json.dumps({"id": "huge", "title": "长文", "body": body}, ensure_ascii=False)
    )
    (src / "small.jsonl").write_text(
        json.dumps({"id": "small", "title": "短文", "body": "短。"}, ensure_ascii=False)
    )
    summary = reindex([src], tmp_path / "index", jobs=1)
    assert summary.added == 2 and not summary.problems
    assert Searcher(tmp_path / "index").search("电信网络诈骗").total == 1
