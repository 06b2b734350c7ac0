"""Live reindex under load and crash safety, with a real ``zhsearch serve --workers 2`` process on loopback.

Every answer to the steady query load must come from one whole index state (the exact set of ids and
titles of one of the states the test wrote), never a 5xx or a refused connection.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from ops_helpers import Load, signature, wait_for_state, write_state
from web_fixtures import LiveServer

from indexer.writer import reindex

HELPERS = Path(__file__).with_name("ops_helpers.py")
ROOT = HELPERS.parent.parent

S0 = {n: 1 for n in range(1, 9)}
# incremental: two added, one changed, one deleted
S1 = {**{n: 1 for n in range(1, 9) if n != 3}, 2: 2, 9: 1, 10: 1}
# full rebuild: another added, changed and deleted
S2 = {**{n: v for n, v in S1.items() if n != 1}, 4: 2, 11: 1}


def _serve(index_dir: Path) -> LiveServer:
    return LiveServer(index_dir, workers=2, env={"ZHSEARCH_REFRESH_SECONDS": "1"}).wait_ready()


def _assert_clean(load: Load, allowed: list[dict[int, int]]) -> None:
    assert load.failures == [], load.failures[:5]
    assert load.inconsistent == [], load.inconsistent[:3]
    wanted = {signature(s) for s in allowed}
    assert set(load.seen) <= wanted, [sorted(s) for s in set(load.seen) - wanted][:2]
    assert load.requests > 20


def _status_within(server: LiveServer, path: str, status: int, *, seconds: float, streak: int = 6) -> bool:
    """Whether ``streak`` requests in a row answer ``status`` within ``seconds`` (as wait_for_state does)."""
    t0, run = time.monotonic(), 0
    while time.monotonic() - t0 < seconds:
        run = run + 1 if server.json(path)[0] == status else 0
        if run >= streak:
            return True
        time.sleep(0.02)
    return False


@pytest.mark.slow
def test_live_reindex_under_load_never_fails_and_serves_whole_generations(tmp_path: Path) -> None:
    source = write_state(tmp_path / "articles" / "news.jsonl", S0)
    index_dir = tmp_path / "index"
    reindex([source], index_dir, jobs=1)
    server = _serve(index_dir)
    try:
        wait_for_state(server.url, S0, timeout=10)
        load = Load(server.url).start()
        time.sleep(0.5)

        write_state(source, S1)
        summary = reindex([source], index_dir, jobs=1)
        assert (summary.added, summary.updated, summary.deleted) == (2, 1, 1)
        took_incremental = wait_for_state(server.url, S1)
        time.sleep(0.3)

        write_state(source, S2)
        summary = reindex([source], index_dir, jobs=1, full=True)
        assert summary.mode == "full" and summary.documents == len(S2)
        took_full = wait_for_state(server.url, S2)
        print(
            f"served the incremental state after {took_incremental:.2f} s, the full rebuild after {took_full:.2f} s"
        )
        time.sleep(0.3)
        load.stop()
        _assert_clean(load, [S0, S1, S2])
        assert signature(S1) in load.seen and signature(S2) in load.seen
        assert took_incremental < 2.0 and took_full < 2.0
        assert server.process.poll() is None  # no restart
        # the changed and the deleted article, one by one (each worker looks for a new generation every second:
        # the searches above may all have been answered by the one that has switched already)
        assert _status_within(server, "/api/articles/a03", 404, seconds=2.0)
        assert _status_within(server, "/api/articles/a01", 404, seconds=2.0)
        assert server.json("/api/articles/a04")[1]["title"] == "第4号通报 版本2"
        found = server.json("/api/search?q=" + quote("甲2乙2丙"))[1]["results"]
        assert [(h["id"], h["title"]) for h in found][:1] == [("a02", "第2号通报 版本2")]
    finally:
        log = server.stop()  # shown when the test fails, less the successful requests
        print("\n".join(line for line in log.splitlines() if '" 200 ' not in line)[-8000:])


def _crash_at(point: str, source: Path, index_dir: Path, tmp_path: Path, *, full: bool) -> int:
    """Start a reindex that stops at ``point``, kill -9 it there; return the stale pid it left."""
    marker = tmp_path / f"reached-{point}-{int(full)}"
    child = subprocess.Popen(
        [
            sys.executable,
            str(HELPERS),
            point,
            str(source),
            str(index_dir),
            str(marker),
            "full" if full else "inc",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            out = child.communicate()[0].decode(errors="replace")
            raise AssertionError(f"the reindex never reached {point}: {out}")
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=10)
    return child.pid


@pytest.mark.slow
def test_reindex_killed_at_any_point_leaves_a_whole_generation_and_the_next_run_recovers(
    tmp_path: Path,
) -> None:
    source = write_state(tmp_path / "articles" / "news.jsonl", S0)
    index_dir = tmp_path / "index"
    reindex([source], index_dir, jobs=1)
    server = _serve(index_dir)
    try:
        wait_for_state(server.url, S0, timeout=10)
        load = Load(server.url).start()
        served = S0
        for point, full, target in (
            ("read", False, S1),
            ("write", False, S0),
            ("write", True, S2),
            ("swap", True, S1),
            (
                "merge",
                False,
                S0,
            ),  # S1 -> S0 deletes 3 of 11: the commit purges them (indexer/segments/mergepolicy.py)
            ("state", False, S1),  # committed, killed before the file state is saved
        ):
            write_state(source, target)
            pid = _crash_at(point, source, index_dir, tmp_path, full=full)
            time.sleep(1.0)  # a refresh period: the server has looked at what the dead run left
            if point == "state":
                served = target
            wait_for_state(server.url, served, timeout=3)
            summary = reindex([source], index_dir, jobs=1, full=full)  # no clean-up by hand
            assert summary.stale_lock_pid == pid, point
            assert summary.documents == len(target), (point, summary.as_dict())
            assert not list(index_dir.glob("*.building"))
            wait_for_state(server.url, target)  # nothing lost, nothing twice
            served = target
        load.stop()
        _assert_clean(load, [S0, S1, S2])
        assert server.process.poll() is None
    finally:
        log = server.stop()  # shown when the test fails, less the successful requests
        print("\n".join(line for line in log.splitlines() if '" 200 ' not in line)[-8000:])
