"""An index with deleted documents (an incremental reindex that updated articles): every part of a query,
with or without filters, answers with the live documents only."""

from __future__ import annotations

import pytest
from conftest import write_jsonl

from search import Searcher

ARTICLES = [
    {"id": f"a{i}", "title": f"标题{i}", "body": "北京新闻内容", "source": "新华社", "date": "2025-03-06"}
    for i in range(3)
]
#: Other articles, none of which the queries below find: with them, one deleted document in eleven stays below
#: the share from which a commit purges deletions (indexer/segments/mergepolicy.py).
OTHERS = [
    {"id": f"o{i}", "title": f"天气{i}", "body": "上海多云", "source": "中新社", "date": "2024-01-0{i + 1}"}
    for i in range(8)
]


@pytest.fixture(scope="module")
def updated(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    """Three articles, then the file again with one of them edited: the old copies are deleted documents."""
    from indexer.writer import reindex

    root = tmp_path_factory.mktemp("deleted")
    source = root / "articles" / "a.jsonl"
    write_jsonl(source, ARTICLES)
    write_jsonl(source.parent / "others.jsonl", OTHERS)
    reindex([source.parent], root / "index", jobs=1)
    write_jsonl(source, [dict(ARTICLES[0], body="北京新闻改了"), *ARTICLES[1:]])
    reindex([source.parent], root / "index", jobs=1)
    searcher = Searcher(root / "index", cache_size=0)
    with searcher.reader() as reader:
        assert reader.doc_count_all() > reader.doc_count() == 11  # there are deleted documents
    return searcher


@pytest.mark.parametrize(
    ("query", "kwargs"),
    [
        ("date:2025-03-06", {}),
        ("date:2025-03-06", {"sources": ["新华社"]}),
        ("date:2025-03-06", {"sources": ["新华社"], "sort": "newest", "date_from": "2025-03-01"}),
        ("date:2025 OR 不存在的词", {"sources": ["新华社"]}),
        ("date:2025 -不存在的词", {"date_to": "2025-12-31"}),
        ("北京", {"sources": ["新华社"]}),
        ('"北京新闻"', {"sources": ["新华社"]}),
        ("source:新华社", {"date_from": "2025-01-01"}),
    ],
)
def test_deleted_copies_never_come_back(updated: Searcher, query: str, kwargs: dict[str, object]) -> None:
    # every copy listed (collapse=False): a0-a2 are the same text, one story (tests/test_collapse.py)
    result = updated.search(query, per_page=50, collapse=False, **kwargs)  # type: ignore[arg-type]
    assert sorted(h.id for h in result.hits) == ["a0", "a1", "a2"]
    assert result.total == 3
    assert result.facets["source"] == [("新华社", 3)]
    assert result.facets["year"] == [(2025, 3)]


def test_the_edited_article_shows_its_new_text(updated: Searcher) -> None:
    hit = next(h for h in updated.search("date:2025-03-06", sources=["新华社"]).hits if h.id == "a0")
    assert "改了" in hit.snippet_html
