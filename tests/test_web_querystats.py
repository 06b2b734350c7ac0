"""Query stats in the web app and on the command line: what is counted, ``GET /api/admin/stats`` with the
admin token, ``zhsearch stats``, and searches that go on while the stats database is locked or unwritable."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from web_fixtures import TEST_CONFIG, build_index

from search import querystats
from search.querystats import STATS_FILE, china_today
from web import create_app
from web.stats import recorder
from zhsearch.cli import cli

TOKEN = "stats-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def own_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the web corpus for this module (its stats file must not see other tests' searches)."""
    return build_index(tmp_path_factory.mktemp("stats"))


@pytest.fixture
def stats_app(own_index: Path) -> Flask:
    app = create_app({**TEST_CONFIG, "INDEX_DIR": str(own_index), "ADMIN_TOKEN": TOKEN})
    (own_index / STATS_FILE).unlink(missing_ok=True)
    return app


def _searches(app: Flask) -> None:
    client = app.test_client()
    for url in (
        "/?q=诈骗",
        "/?q=诈骗&page=2",  # turning a page is not a new search
        "/api/search?q=诈骗 &sort=newest",
        "/api/search?q=火星殖民地",
        "/?q=火星殖民地&source=新华社",
        "/?q=５Ｇ手机",
        "/feed.atom?q=公安部",  # feed readers poll: not counted
        "/api/suggest?q=公安",
        "/?q=",
    ):
        assert client.get(url).status_code == 200, url


def test_what_is_counted_and_the_admin_report(stats_app: Flask) -> None:
    _searches(stats_app)
    client = stats_app.test_client()
    assert client.get("/api/admin/stats").status_code == 401
    assert client.get("/api/admin/stats", headers={"Authorization": "Bearer nope"}).status_code == 403
    response = client.get("/api/admin/stats", headers=AUTH)  # writes this worker's counts first
    assert response.status_code == 200
    today = china_today().isoformat()
    body = response.get_json()
    assert body["to"] == today and body["days"] == 90 and body["kept_days"] == 90
    assert (body["searches"], body["queries"], body["no_result_searches"]) == (5, 3, 2)
    total = client.get("/api/search?q=诈骗").get_json()["total"]
    assert body["top"] == [
        {"query": "火星殖民地", "searches": 2, "hits": 0},
        {"query": "诈骗", "searches": 2, "hits": total},
        {"query": "5g手机", "searches": 1, "hits": 1},
    ]
    assert body["no_results"] == [{"query": "火星殖民地", "searches": 2}]
    limited = client.get("/api/admin/stats?days=1&limit=1", headers=AUTH).get_json()
    assert limited["from"] == today and [r["query"] for r in limited["top"]] == ["诈骗"]  # 3 searches now
    for bad in ("days=0", "days=x", "limit=201", "days=99999"):
        response = client.get(f"/api/admin/stats?{bad}", headers=AUTH)
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_parameter"


def test_the_database_holds_only_day_query_and_counts(stats_app: Flask, own_index: Path) -> None:
    _searches(stats_app)
    assert recorder_of(stats_app).flush()
    with sqlite3.connect(own_index / STATS_FILE) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(searches)")]
        rows = db.execute("SELECT day, query, searches, no_hits FROM searches ORDER BY query").fetchall()
    assert columns == ["day", "query", "searches", "no_hits", "hits"]
    today = china_today().isoformat()
    assert rows == [(today, "5g手机", 1, 0), (today, "火星殖民地", 2, 2), (today, "诈骗", 2, 0)]


def recorder_of(app: Flask) -> querystats.QueryStats:
    with app.app_context():
        return recorder()


def test_off_with_zero_days(own_index: Path) -> None:
    (own_index / STATS_FILE).unlink(missing_ok=True)
    app = create_app({**TEST_CONFIG, "INDEX_DIR": str(own_index), "STATS_DAYS": "0", "ADMIN_TOKEN": TOKEN})
    _searches(app)
    body = app.test_client().get("/api/admin/stats", headers=AUTH).get_json()
    assert body["kept_days"] == 0 and body["searches"] == 0 and body["top"] == []
    assert not (own_index / STATS_FILE).exists()


def test_a_locked_stats_database_never_fails_or_slows_a_search(stats_app: Flask, own_index: Path) -> None:
    stats = recorder_of(stats_app)
    stats.busy_timeout = 0.05
    client = stats_app.test_client()
    client.get("/?q=诈骗")
    assert stats.flush()
    holder = sqlite3.connect(own_index / STATS_FILE, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        for _ in range(3):
            t0 = time.perf_counter()
            assert client.get("/api/search?q=诈骗").status_code == 200
            assert time.perf_counter() - t0 < 1.0
        assert not stats.flush()
        assert client.get("/?q=公安部").status_code == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    body = client.get("/api/admin/stats", headers=AUTH).get_json()
    assert {r["query"]: r["searches"] for r in body["top"]} == {"诈骗": 4, "公安部": 1}


def test_a_full_disk_never_fails_a_search(stats_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, timeout: float) -> sqlite3.Connection:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(querystats, "_connect", full)
    client = stats_app.test_client()
    assert client.get("/?q=诈骗").status_code == 200
    assert not recorder_of(stats_app).flush()
    assert client.get("/api/search?q=诈骗").status_code == 200
    assert recorder_of(stats_app).pending() == 1  # kept for when the disk has room again


def test_an_unreadable_stats_database_is_a_503_of_the_report(stats_app: Flask, own_index: Path) -> None:
    (own_index / STATS_FILE).write_bytes(b"this is not a database" * 100)
    try:
        response = stats_app.test_client().get("/api/admin/stats", headers=AUTH)
        assert response.status_code == 503 and response.get_json()["error"]["code"] == "stats_unavailable"
        assert stats_app.test_client().get("/?q=诈骗").status_code == 200
    finally:
        (own_index / STATS_FILE).unlink()


def _cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["stats", *args], env=env or {})
    return result.exit_code, result.stdout, result.stderr


def test_zhsearch_stats(stats_app: Flask, own_index: Path) -> None:
    code, out, err = _cli("--index", str(own_index), "--json")
    assert code == 0 and json.loads(out)["searches"] == 0 and "no query stats at" in err
    _searches(stats_app)
    assert recorder_of(stats_app).flush()
    code, out, _ = _cli("--index", str(own_index), "--json", "--days", "7")
    body = json.loads(out)
    assert code == 0 and body["days"] == 7 and body["searches"] == 5 and body["kept_days"] == 90
    assert body == stats_app.test_client().get("/api/admin/stats?days=7", headers=AUTH).get_json()
    code, out, _ = _cli("--index", str(own_index), "--no-results", "--json")
    assert code == 0 and "top" not in json.loads(out)
    assert json.loads(out)["no_results"] == [{"query": "火星殖民地", "searches": 2}]
    code, out, _ = _cli("--index", str(own_index))
    lines = out.splitlines()
    assert code == 0 and lines[0].endswith("(90 days): 5 searches, 3 distinct queries, 2 without results")
    assert lines[1:] == [
        "",
        "most searched:",
        "        2  火星殖民地  0 hits",
        f"        2  诈骗  {body['top'][1]['hits']} hits",
        "        1  5g手机  1 hit",
        "",
        "no results:",
        "        2  火星殖民地",
    ]
    code, out, _ = _cli("--index", str(own_index), "--no-results", "-n", "1")
    assert out.splitlines()[1:] == ["", "no results:", "        2  火星殖民地"]
    code, _, err = _cli("--index", str(own_index), env={"ZHSEARCH_STATS_DAYS": "0"})
    assert code == 0 and "ZHSEARCH_STATS_DAYS is 0" in err
    code, _, err = _cli("--index", str(own_index), env={"ZHSEARCH_STATS_DAYS": "many"})
    assert code == 1 and "ZHSEARCH_STATS_DAYS: expected a whole number, got 'many'" in err


def test_zhsearch_stats_on_a_damaged_file(own_index: Path) -> None:
    (own_index / STATS_FILE).write_bytes(b"not sqlite" * 200)
    try:
        code, _, err = _cli("--index", str(own_index))
        assert code == 1 and f"cannot read the query stats {own_index / STATS_FILE}" in err
    finally:
        (own_index / STATS_FILE).unlink()


def test_the_stats_outlive_a_full_reindex(stats_app: Flask, own_index: Path) -> None:
    from indexer.writer import reindex

    _searches(stats_app)
    assert recorder_of(stats_app).flush()
    before = sorted(p.name for p in own_index.iterdir())
    reindex([own_index.parent / "articles" / "articles.jsonl"], own_index, full=True, jobs=1)
    assert {p.name for p in own_index.iterdir()} >= {STATS_FILE, "CURRENT"} and before != sorted(
        p.name for p in own_index.iterdir()
    )  # a new generation beside the stats
    body = stats_app.test_client().get("/api/admin/stats", headers=AUTH).get_json()
    assert body["searches"] == 5 and body["no_results"] == [{"query": "火星殖民地", "searches": 2}]
