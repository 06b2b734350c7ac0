"""The Searcher's result cache: hits equal misses, every argument is in the key, a new index invalidates."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from conftest import write_jsonl

from indexer.writer import reindex
from search import PageOutOfRangeError, QueryTooLongError, Searcher
from search.cache import ResultCache

A = {
    "id": "a1",
    "title": "长江流域启动防汛应急响应",
    "body": "水利部启动防汛四级应急响应，长江中下游多地降雨偏多。",
    "source": "新华社",
    "category": "水利",
    "published": "2024-06-01T10:00:00+08:00",
}
B = {
    "id": "b1",
    "title": "黄河流域春灌用水有序推进",
    "body": "黄河水利委员会统筹调度水资源，保障春灌用水。",
    "source": "人民日报",
    "category": "农业",
    "published": "2025-03-01T10:00:00+08:00",
}
C = {
    "id": "c1",
    "title": "珠江流域旱情缓解",
    "body": "珠江流域近日迎来降雨，旱情明显缓解，水利部门继续加强调度。",
    "source": "新华社",
    "category": "水利",
    "published": "2025-04-01T10:00:00+08:00",
}


def _stats(searcher: Searcher) -> tuple[int, int, int]:
    s = searcher.cache_stats()
    return s["hits"], s["misses"], s["size"]


def _fields(result: object) -> dict[str, object]:
    """Everything of a result but the timing and the cache flag."""
    out = dataclasses.asdict(result)  # type: ignore[call-overload]
    del out["took_ms"], out["cached"]
    return out


@pytest.fixture
def two_articles(tmp_path: Path) -> Path:
    index_dir = tmp_path / "index"
    reindex([write_jsonl(tmp_path / "src" / "a.jsonl", [A, B])], index_dir, jobs=1)
    return index_dir


def test_a_second_identical_search_is_a_hit_with_an_equal_result(two_articles: Path) -> None:
    searcher = Searcher(two_articles, refresh_interval=3600)
    first = searcher.search("水利")
    assert first.cached is False and _stats(searcher) == (0, 1, 1)
    second = searcher.search("水利")
    assert second.cached is True and _stats(searcher) == (1, 1, 1)
    assert _fields(second) == _fields(first)
    assert [h.id for h in second.hits] == ["a1", "b1"] or [h.id for h in second.hits] == ["b1", "a1"]
    assert second.took_ms >= 0 and second.query == "水利"
    assert searcher.cache_stats()["hit_rate"] == 0.5


def test_the_normalized_query_is_the_key(two_articles: Path) -> None:
    searcher = Searcher(two_articles, refresh_interval=3600)
    searcher.search("水利")
    again = searcher.search("  水利\u3000")  # NFKC turns the ideographic space into a space, then trimmed
    assert again.cached is True and again.query == "  水利\u3000"  # the caller's own query string
    assert _stats(searcher) == (1, 1, 1)


@pytest.mark.parametrize(
    "changes",
    [
        {"page": 2},
        {"per_page": 1},
        {"sort": "newest"},
        {"date_from": "2025-01-01"},
        {"date_to": "2024-12-31"},
        {"sources": ["新华社"]},
        {"categories": ["农业"]},
    ],
    ids=lambda c: next(iter(c)),
)
def test_every_argument_is_part_of_the_key(two_articles: Path, changes: dict[str, object]) -> None:
    searcher = Searcher(two_articles, refresh_interval=3600)
    plain = searcher.search("水利")
    other = searcher.search("水利", **changes)  # type: ignore[arg-type]
    assert other.cached is False and _stats(searcher) == (0, 2, 2)
    assert _fields(other) != _fields(plain)
    assert _fields(other) == _fields(Searcher(two_articles, cache_size=0).search("水利", **changes))  # type: ignore[arg-type]
    assert searcher.search("水利", **changes).cached is True  # type: ignore[arg-type]


def test_filter_order_and_repeats_do_not_matter(two_articles: Path) -> None:
    searcher = Searcher(two_articles, refresh_interval=3600)
    searcher.search("水利", sources=["新华社", "人民日报"])
    assert searcher.search("水利", sources=("人民日报", "新华社", "新华社")).cached is True


def test_errors_are_not_cached(two_articles: Path) -> None:
    searcher = Searcher(two_articles, refresh_interval=3600)
    for _ in range(2):
        with pytest.raises(QueryTooLongError):
            searcher.search("水" * 300)
        with pytest.raises(PageOutOfRangeError):
            searcher.search("水利", page=0)
    assert _stats(searcher) == (0, 0, 0)


def test_a_new_commit_invalidates(tmp_path: Path) -> None:
    src = tmp_path / "src"
    index_dir = tmp_path / "index"
    reindex([write_jsonl(src / "a.jsonl", [A])], index_dir, jobs=1)
    searcher = Searcher(index_dir, refresh_interval=3600)
    version = searcher.version
    assert [h.id for h in searcher.search("流域").hits] == ["a1"]
    assert searcher.search("流域").cached is True

    reindex([src, write_jsonl(tmp_path / "more" / "b.jsonl", [B])], index_dir, jobs=1)  # a new Whoosh commit
    assert searcher.search("流域").cached is True  # not looked at yet: the open snapshot answers, as uncached
    assert searcher.refresh() is True
    assert searcher.version[0] == version[0] and searcher.version[1] > version[1]
    assert searcher.cache_stats()["size"] == 0  # cleared on the switch
    fresh = searcher.search("流域")
    assert fresh.cached is False and {h.id for h in fresh.hits} == {"a1", "b1"} and fresh.total == 2
    assert searcher.search("流域").cached is True


def test_a_new_generation_invalidates(tmp_path: Path) -> None:
    src = tmp_path / "src"
    index_dir = tmp_path / "index"
    reindex([write_jsonl(src / "a.jsonl", [A])], index_dir, jobs=1)
    searcher = Searcher(index_dir, refresh_interval=0)  # checks on every query, as a worker does
    assert [h.id for h in searcher.search("流域").hits] == ["a1"]
    assert searcher.search("流域").cached is True

    write_jsonl(src / "a.jsonl", [C])
    reindex([src], index_dir, jobs=1, full=True)  # a new generation behind CURRENT
    fresh = searcher.search("流域")
    assert fresh.cached is False and [h.id for h in fresh.hits] == ["c1"]


def test_an_entry_of_an_old_snapshot_cannot_be_found(two_articles: Path, tmp_path: Path) -> None:
    # a query that started before the switch may store its page after the clear: its key names the old index
    searcher = Searcher(two_articles, refresh_interval=3600)
    old = searcher.version
    reindex(
        [tmp_path / "src" / "a.jsonl", write_jsonl(tmp_path / "more" / "c.jsonl", [C])], two_articles, jobs=1
    )
    assert searcher.refresh() is True and searcher.version != old
    stale = Searcher(two_articles, cache_size=0).search("珠江")
    assert stale.total == 1
    searcher.cache.put(
        (old, searcher.synonyms.version, "珠江", 1, 10, "relevance", None, None, frozenset(), frozenset()),
        dataclasses.replace(stale, total=99),
    )
    assert searcher.search("珠江").total == 1


def test_a_synonyms_edit_invalidates(two_articles: Path, tmp_path: Path) -> None:
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("# none yet\n", encoding="utf-8")
    searcher = Searcher(two_articles, refresh_interval=0, synonyms=synonyms)
    assert searcher.search("珠江").total == 0
    synonyms.write_text("珠江,长江\n", encoding="utf-8")
    stamp = synonyms.stat()
    os.utime(synonyms, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 10**9))  # a visibly newer file
    searcher.synonyms.check_seconds = 0
    again = searcher.search("珠江")
    assert again.cached is False and [h.id for h in again.hits] == ["a1"]


def test_the_lru_bound_is_kept(two_articles: Path) -> None:
    searcher = Searcher(two_articles, refresh_interval=3600, cache_size=2)
    searcher.search("水利")
    searcher.search("流域")
    assert searcher.search("水利").cached is True  # now the most recently used
    searcher.search("黄河")  # evicts 流域, the least recently used
    assert searcher.cache_stats()["size"] == 2 and searcher.cache_stats()["evictions"] == 1
    assert searcher.search("水利").cached is True
    assert searcher.search("黄河").cached is True
    assert searcher.search("流域").cached is False


def test_zero_disables_the_cache(two_articles: Path) -> None:
    searcher = Searcher(two_articles, refresh_interval=3600, cache_size=0)
    first, second = searcher.search("水利"), searcher.search("水利")
    assert first.cached is False and second.cached is False
    assert _fields(first) == _fields(second)
    assert _stats(searcher) == (0, 0, 0)


def test_a_caller_cannot_corrupt_the_cached_page(two_articles: Path) -> None:
    searcher = Searcher(two_articles, refresh_interval=3600)
    first = searcher.search("水利")
    expected = _fields(first)
    first.hits.clear()  # the page computed on the miss
    first.facets["source"].append(("伪造", 99))
    first.facets.pop("year")
    hit = searcher.search("水利")
    assert _fields(hit) == expected
    hit.hits.reverse()  # a page served from the cache
    hit.facets.clear()
    assert _fields(searcher.search("水利")) == expected
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.total = 0  # type: ignore[misc]


def test_result_cache_rejects_a_bad_size() -> None:
    with pytest.raises(ValueError, match="at least 0"):
        ResultCache(-1)
    assert ResultCache(0).enabled is False
