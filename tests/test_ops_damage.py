"""A damaged index (truncated or deleted segment file): /healthz 503 with the reason, `zhsearch check` says so,
`zhsearch reindex --full` repairs it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from ops_helpers import write_state
from web_fixtures import TEST_CONFIG, LiveServer

from indexer.store import current_generation
from indexer.writer import reindex
from web import create_app
from zhsearch.cli import cli

STATE = {n: 1 for n in range(1, 9)}


def _segment_file(index_dir: Path) -> Path:
    gen = current_generation(index_dir)
    assert gen is not None
    return next(gen.glob("MAIN_*.seg"))


def _check(index_dir: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", "--index", str(index_dir)])
    return result.exit_code, result.output


def _health_until(server: LiveServer, status: int, timeout: float = 5.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        got, body = server.json("/healthz")
        if got == status or time.monotonic() > deadline:
            assert got == status, body
            return body
        time.sleep(0.1)


@pytest.mark.slow
def test_damaged_index_turns_healthz_503_check_reports_it_and_a_full_reindex_repairs_it(
    tmp_path: Path,
) -> None:
    source = write_state(tmp_path / "articles" / "news.jsonl", STATE)
    index_dir = tmp_path / "index"
    reindex([source], index_dir, jobs=1)
    assert _check(index_dir) == (
        0,
        f"{index_dir}: gen-000001 (commit 1) is whole: 8 articles in 1 segment(s)\n",
    )
    server = LiveServer(index_dir, env={"ZHSEARCH_REFRESH_SECONDS": "0.2"}).wait_ready()
    try:
        assert _health_until(server, 200)["documents"] == 8
        assert server.json("/api/suggest?q=%E5%B7%A1")[0] == 200  # the warm-up has read the index
        seg = _segment_file(index_dir)
        with open(seg, "r+b") as fh:
            fh.truncate(seg.stat().st_size // 2)
        body = _health_until(server, 503)
        message = body["error"]["message"]
        if body["error"]["code"] == "index_damaged":  # the worker that had it open noticed
            assert f"gen-000001: segment file {seg.name} has" in message, message
        else:  # a worker that opened it anew (gunicorn replaced one) cannot read it
            assert body["error"]["code"] == "index_unavailable" and "is damaged" in message, message
        assert "zhsearch reindex --full" in message
        code, output = _check(index_dir)
        assert code == 1 and f"segment {seg.stem} is damaged" in output and "reindex --full" in output

        reindex([source], index_dir, jobs=1, full=True)  # repairs: a new generation from the article files
        assert _health_until(server, 200)["generation"] == "gen-000002"
        assert _check(index_dir)[0] == 0
        assert server.json("/api/search?q=%E5%B7%A1%E6%A3%80")[1]["total"] == 8

        seg = _segment_file(index_dir)
        seg.unlink()
        body = _health_until(server, 503)
        assert seg.name in body["error"]["message"] and "is missing" in body["error"]["message"], body
        code, output = _check(index_dir)
        assert code == 1 and f"the files of segment {seg.stem} are missing" in output
        reindex([source], index_dir, jobs=1, full=True)
        assert _health_until(server, 200)["documents"] == 8
    finally:
        server.stop()


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_a_server_started_on_a_damaged_index_answers_503_not_500(tmp_path: Path, damage: str) -> None:
    source = write_state(tmp_path / "articles" / "news.jsonl", STATE)
    index_dir = tmp_path / "index"
    reindex([source], index_dir, jobs=1)
    seg = _segment_file(index_dir)
    if damage == "truncate":
        with open(seg, "r+b") as fh:
            fh.truncate(seg.stat().st_size // 3)
    else:
        seg.unlink()
    client = create_app({**TEST_CONFIG, "INDEX_DIR": str(index_dir)}).test_client()
    for path in ("/healthz", "/api/search?q=%E5%B7%A1%E6%A3%80"):
        response = client.get(path)
        assert response.status_code == 503, (path, response.json)
        message = response.json["error"]["message"]
        assert "damaged" in message or "is missing" in message, message
