"""The Searcher over a changing index: no index yet, incremental commits, full rebuilds, threads."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import write_jsonl

from indexer.writer import reindex
from search import NoIndexError, Searcher

A = {
    "id": "a1",
    "title": "长江流域启动防汛应急响应",
    "body": "水利部启动防汛四级应急响应，长江中下游多地降雨偏多。",
}
B = {"id": "b1", "title": "黄河流域春灌用水有序推进", "body": "黄河水利委员会统筹调度水资源，保障春灌用水。"}
C = {
    "id": "c1",
    "title": "珠江流域旱情缓解",
    "body": "珠江流域近日迎来降雨，旱情明显缓解，水利部门继续加强调度。",
}


def test_no_index_yet_then_index_appears(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    searcher = Searcher(index_dir, refresh_interval=0)
    with pytest.raises(NoIndexError, match="run `zhsearch reindex` first"):
        searcher.search("水利")
    reindex([write_jsonl(tmp_path / "src" / "a.jsonl", [A])], index_dir, jobs=1)
    assert [h.id for h in searcher.search("水利").hits] == ["a1"]


def test_incremental_commit_and_full_rebuild(tmp_path: Path) -> None:
    src = tmp_path / "src"
    index_dir = tmp_path / "index"
    reindex([write_jsonl(src / "a.jsonl", [A])], index_dir, jobs=1)
    searcher = Searcher(index_dir, refresh_interval=3600)  # only explicit refreshes
    assert searcher.search("水利").total == 1

    reindex([src, write_jsonl(tmp_path / "more" / "b.jsonl", [B])], index_dir, jobs=1)  # a new Whoosh commit
    assert searcher.search("水利").total == 1  # not checked yet: the open snapshot keeps answering
    assert searcher.refresh() is True
    assert {h.id for h in searcher.search("水利").hits} == {"a1", "b1"}
    assert searcher.refresh() is False  # nothing new

    write_jsonl(src / "a.jsonl", [C])
    reindex([src], index_dir, jobs=1, full=True)  # a new generation behind CURRENT
    assert searcher.refresh() is True
    assert {h.id for h in searcher.search("水利").hits} == {"c1"}
    assert searcher.get("a1") is None and searcher.get("c1") is not None


def test_a_query_finishes_on_the_snapshot_it_started_with(tmp_path: Path) -> None:
    src = tmp_path / "src"
    index_dir = tmp_path / "index"
    reindex([write_jsonl(src / "a.jsonl", [A])], index_dir, jobs=1)
    searcher = Searcher(index_dir, refresh_interval=3600)
    old = searcher._current()
    with old.searcher() as borrowed:  # a query in flight on the old snapshot
        write_jsonl(src / "a.jsonl", [C])
        reindex([src], index_dir, jobs=1, full=True)
        assert searcher.refresh() is True
        assert borrowed.doc_count() == 1
        assert borrowed.stored_fields(0)["id"] == "a1"  # still readable
    assert searcher._current() is not old
    assert [h.id for h in searcher.search("水利").hits] == ["c1"]


def test_auto_refresh(tmp_path: Path) -> None:
    src = tmp_path / "src"
    index_dir = tmp_path / "index"
    reindex([write_jsonl(src / "a.jsonl", [A])], index_dir, jobs=1)
    searcher = Searcher(index_dir, refresh_interval=0)
    assert searcher.search("流域").total == 1
    reindex([src, write_jsonl(tmp_path / "more" / "b.jsonl", [B])], index_dir, jobs=1)
    assert searcher.search("流域").total == 2


@pytest.mark.parametrize("cache_size", [0, 1024], ids=["uncached", "cached"])
def test_threads_share_one_searcher(search_news_index: Path, cache_size: int) -> None:
    # uncached: every search runs on the shared snapshot; cached: hits and misses race on the shared cache
    news_searcher = Searcher(search_news_index, cache_size=cache_size)
    queries = [
        "诈骗",
        "电信诈骗 -缅北",
        '"诈骗窝点"',
        "date:2024",
        "哪个国家的女排被中国队战胜了？",
        "source:新华社",
    ]
    expected = {q: news_searcher.search(q).to_api_dict()["results"] for q in queries}
    failures: list[str] = []

    def work(offset: int) -> None:
        for i in range(30):
            q = queries[(i + offset) % len(queries)]
            if news_searcher.search(q).to_api_dict()["results"] != expected[q]:
                failures.append(q)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    stats = news_searcher.cache_stats()
    if cache_size:
        assert (stats["misses"], stats["hits"]) == (len(queries), 8 * 30)
    else:
        assert (stats["misses"], stats["hits"], stats["size"]) == (0, 0, 0)


def test_version_and_reader(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    reindex([write_jsonl(tmp_path / "src" / "a.jsonl", [A, B])], index_dir, jobs=1)
    searcher = Searcher(index_dir)
    assert searcher.version[0] == "gen-000001" and searcher.version[1] >= 1
    assert searcher.doc_count == 2
    with searcher.reader() as reader:
        assert reader.doc_count() == 2
        assert "流域" in {t.decode("utf-8") for t in reader.lexicon("title")}
