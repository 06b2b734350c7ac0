"""What a server's master loads before forking its workers (search.live.preload_for_workers) is what the workers
use: the spelling tables are read once per process and shared by the processes forked after, and a new commit's
tables are read anew."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from conftest import SEARCH_CORPUS, build_index, write_jsonl

from search import Searcher
from search.live import preload_for_workers
from search.pinned import live_key
from search.spelling import shared_speller


def _child_uses_the_parents(index_dir: str, out: multiprocessing.Queue) -> None:
    searcher = Searcher(index_dir, cache_size=0)
    speller = searcher._current().speller()
    result = searcher.search("zhapian")  # pinyin: answered through the spelling tables
    out.put((id(speller), result.suggestion.query if result.suggestion else None))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork (Linux)")
def test_a_worker_forked_after_the_preload_uses_the_masters_tables(search_news_index: Path) -> None:
    preload_for_workers(search_news_index)
    gen, commit = live_key(search_news_index)  # type: ignore[misc]
    preloaded = shared_speller(search_news_index / gen, commit)
    assert preloaded is not None
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_child_uses_the_parents, args=(str(search_news_index), out))
    child.start()
    speller_id, suggested = out.get(timeout=60)
    child.join(timeout=60)
    assert child.exitcode == 0
    assert (speller_id, suggested) == (id(preloaded), "诈骗")  # the same object, inherited: not read again


def test_a_new_commit_reads_its_own_tables(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "a" / "articles.jsonl", [{"id": "x1", "title": "水利工程", "body": "水利工程建设"}]
    )
    index_dir = build_index([source], tmp_path / "index")
    searcher = Searcher(index_dir, cache_size=0, refresh_interval=0)
    first = searcher._current().speller()
    assert first is not None and "水利" in first.frequency
    build_index([source, SEARCH_CORPUS], index_dir)  # a new commit, with more words
    searcher.refresh()
    second = searcher._current().speller()
    assert second is not first and "诈骗" in second.frequency  # type: ignore[union-attr]
    gen, commit = live_key(index_dir)  # type: ignore[misc]
    assert shared_speller(index_dir / gen, commit) is second  # the process keeps the newest


def test_the_suggestion_table_preloaded_is_the_one_served(search_news_index: Path) -> None:
    from web import create_app

    engine = create_app({"INDEX_DIR": str(search_news_index), "TESTING": True}).extensions["zhsearch"].engine
    engine.preload()
    assert (engine.suggestions.loaded, engine.suggestions.built) == (
        1,
        0,
    )  # read in the master, no reader opened
    assert engine._searcher is None
    found = engine.suggest("诈", 5)
    assert found and all(entry["text"].startswith("诈") for entry in found)
    assert (engine.suggestions.loaded, engine.suggestions.built) == (1, 0)  # served as preloaded
