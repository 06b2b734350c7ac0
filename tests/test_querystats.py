"""Query stats (search/querystats.py): counts per day and normalized query in SQLite beside the index, written
off the search's way, safely from several processes; a locked or full database never fails a search."""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from search import querystats
from search.querystats import QueryStats, normalize, report, stats_path

DAY = date(2025, 3, 10)


def _stats(path: Path, days: int = 90, **kwargs) -> QueryStats:  # type: ignore[no-untyped-def]
    return QueryStats(path, days, flush_seconds=0, today=kwargs.pop("today", lambda: DAY), **kwargs)


@pytest.mark.parametrize(
    ("typed", "counted"),
    [
        ("  电信诈骗  ", "电信诈骗"),
        ("电信\u3000 诈骗", "电信 诈骗"),  # an ideographic space and a space: one space
        ("ＡＩ 大模型", "ai 大模型"),  # full-width letters, upper case
        ("iPhone\t16", "iphone 16"),
        ("   ", ""),
    ],
)
def test_normalize(typed: str, counted: str) -> None:
    assert normalize(typed) == counted


def test_counts_searches_hits_and_searches_without_results(tmp_path: Path) -> None:
    stats = _stats(tmp_path / "s.sqlite3")
    for q, hits in [
        ("诈骗", 7),
        ("诈骗 ", 5),
        ("火星殖民地", 0),
        ("公安部", 3),
        ("火星殖民地", 0),
        ("ＡＩ", 0),
    ]:
        stats.record(q, hits)
    stats.record("  ", 4)  # nothing to count
    assert stats.pending() == 4 and stats.flush() and stats.pending() == 0
    stats.record("ai", 2)
    assert stats.flush()
    body = report(tmp_path / "s.sqlite3", 7, today=DAY, kept_days=90)
    assert body == {
        "days": 7,
        "from": "2025-03-04",
        "to": "2025-03-10",
        "kept_days": 90,
        "searches": 7,
        "queries": 4,
        "no_result_searches": 3,
        "top": [
            {"query": "ai", "searches": 2, "hits": 2},  # the hits of its latest search
            {"query": "火星殖民地", "searches": 2, "hits": 0},
            {"query": "诈骗", "searches": 2, "hits": 5},
            {"query": "公安部", "searches": 1, "hits": 3},
        ],
        "no_results": [{"query": "火星殖民地", "searches": 2}, {"query": "ai", "searches": 1}],
    }
    assert [r["query"] for r in report(tmp_path / "s.sqlite3", 7, limit=2, today=DAY)["top"]] == [
        "ai",
        "火星殖民地",
    ]


def test_days_counted_and_days_kept(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    today = [DAY - timedelta(days=4)]
    stats = _stats(path, days=3, today=lambda: today[0])
    for _ in range(5):  # one search a day, 2025-03-06 .. 2025-03-10
        stats.record("两会", 10)
        stats.record(f"day {today[0].day}", 1)
        stats._pruned_at = float("-inf")  # prune on every write (the test's clock moves by days)
        assert stats.flush()
        today[0] += timedelta(days=1)
    with sqlite3.connect(path) as db:
        days = [d for (d,) in db.execute("SELECT DISTINCT day FROM searches ORDER BY day")]
    assert days == ["2025-03-08", "2025-03-09", "2025-03-10"]  # three days kept
    two = report(path, 2, today=DAY)
    assert two["from"] == "2025-03-09" and two["searches"] == 4
    assert two["top"] == [
        {"query": "两会", "searches": 2, "hits": 10},
        {"query": "day 10", "searches": 1, "hits": 1},
        {"query": "day 9", "searches": 1, "hits": 1},
    ]


def test_off_records_nothing_and_writes_no_file(tmp_path: Path) -> None:
    stats = _stats(tmp_path / "s.sqlite3", days=0)
    stats.record("诈骗", 1)
    assert not stats.enabled and stats.pending() == 0 and stats.flush()
    assert not (tmp_path / "s.sqlite3").exists()
    assert report(tmp_path / "s.sqlite3", 90, today=DAY)["searches"] == 0  # a missing file: an empty report


def test_a_locked_database_keeps_the_counts_for_the_next_write(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "s.sqlite3"
    stats = _stats(path, busy_timeout=0.05)
    stats.record("诈骗", 7)
    assert stats.flush()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing for a long time
    try:
        with caplog.at_level(logging.WARNING, "zhsearch.querystats"):
            stats.record("诈骗", 6)
            t0 = time.perf_counter()
            assert not stats.flush() and not stats.flush()
            assert time.perf_counter() - t0 < 2
            stats.record("诈骗", 5)  # still counted meanwhile
        assert stats.pending() == 1
        assert [r.getMessage().split(":")[0] for r in caplog.records] == [
            f"query stats not written to {path} (kept for the next try)"
        ]  # once, not at every try
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert stats.flush()
    assert report(path, 1, today=DAY)["top"] == [{"query": "诈骗", "searches": 3, "hits": 5}]


def test_a_full_disk_never_raises_and_the_buffer_stays_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(path: Path, timeout: float) -> sqlite3.Connection:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(querystats, "_connect", full)
    monkeypatch.setattr(querystats, "MAX_PENDING", 3)
    stats = _stats(tmp_path / "s.sqlite3")
    for q in ("一", "二", "三", "四", "一"):
        stats.record(q, 1)
    assert not stats.flush()
    assert stats.pending() == 3 and stats.dropped == 1  # 四 did not fit


def test_unwritable_place_never_raises(tmp_path: Path) -> None:
    stats = _stats(tmp_path / "no-such-dir" / "s.sqlite3")
    stats.record("诈骗", 1)
    assert not stats.flush() and stats.pending() == 1


def test_the_background_writer_writes_by_itself(tmp_path: Path) -> None:
    stats = QueryStats(tmp_path / "s.sqlite3", 90, flush_seconds=0.05, today=lambda: DAY)
    stats.record("诈骗", 2)
    deadline = time.monotonic() + 10
    while report(tmp_path / "s.sqlite3", 1, today=DAY)["searches"] == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert report(tmp_path / "s.sqlite3", 1, today=DAY)["top"] == [
        {"query": "诈骗", "searches": 1, "hits": 2}
    ]
    stats.close()


def _write_many(path: str, worker: int, rounds: int) -> None:
    stats = QueryStats(path, 90, flush_seconds=0, today=lambda: DAY)
    for i in range(rounds):
        stats.record(f"q{i % 5}", worker + 1)
        stats.record("共同", 0)
        if i % 10 == 9:
            assert stats.flush()
    assert stats.flush()


def test_several_processes_write_the_same_database(tmp_path: Path) -> None:
    path = stats_path(tmp_path)
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_write_many, args=(str(path), w, 200)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    body = report(path, 1, today=DAY)
    assert body["searches"] == 4 * 400 and body["no_result_searches"] == 4 * 200
    assert {r["query"]: r["searches"] for r in body["top"]} == {
        "共同": 800,
        **{f"q{i}": 160 for i in range(5)},
    }
