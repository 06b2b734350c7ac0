"""A second ``zhsearch snapshot DEST`` replaces the first: DEST holds only what it serves, and a server reading
DEST meanwhile never fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from ops_helpers import Load, signature, wait_for_state, write_state
from web_fixtures import LiveServer

from indexer.check import check_index
from indexer.writer import reindex
from search import Searcher
from zhsearch.cli import cli

S0 = {n: 1 for n in range(1, 9)}
S1 = {**{n: 1 for n in range(1, 9) if n != 3}, 2: 2, 9: 1}
S2 = {**{n: v for n, v in S1.items() if n != 1}, 4: 2, 10: 1}


def _snapshot(index_dir: Path, dest: Path) -> str:
    result = CliRunner().invoke(cli, ["snapshot", str(dest), "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_second_snapshot_leaves_only_the_generation_it_serves(tmp_path: Path) -> None:
    source = write_state(tmp_path / "articles" / "news.jsonl", S0)
    index_dir, dest = tmp_path / "index", tmp_path / "snapshot"
    reindex([source], index_dir, jobs=1)
    _snapshot(index_dir, dest)
    searcher = Searcher(dest, refresh_interval=0)
    assert {(h.id, h.title) for h in searcher.search("巡检", per_page=50).hits} == signature(S0)

    write_state(source, S1)
    reindex([source], index_dir, jobs=1)
    output = _snapshot(index_dir, dest)
    assert "written to" in output and output.rstrip().endswith(f"{dest}/CURRENT points at it")
    assert sorted(p.name for p in dest.iterdir()) == ["CURRENT", "LOCK", "gen-000002"]
    assert (dest / "CURRENT").read_text().strip() == "gen-000002" and check_index(dest).ok
    copied = {p.name for p in (dest / "gen-000002").iterdir()}
    assert copied <= {p.name for p in (index_dir / "gen-000001").iterdir()}  # only the source's files
    # a reader of DEST that had the removed generation open moves to the new one
    assert {(h.id, h.title) for h in searcher.search("巡检", per_page=50).hits} == signature(S1)


@pytest.mark.slow
def test_a_server_of_dest_never_fails_while_snapshots_replace_each_other(tmp_path: Path) -> None:
    source = write_state(tmp_path / "articles" / "news.jsonl", S0)
    index_dir, dest = tmp_path / "index", tmp_path / "snapshot"
    reindex([source], index_dir, jobs=1)
    _snapshot(index_dir, dest)
    server = LiveServer(dest, workers=2, env={"ZHSEARCH_REFRESH_SECONDS": "0.2"}).wait_ready()
    load: Load | None = None
    try:
        wait_for_state(server.url, S0, timeout=10)
        load = Load(server.url, threads=3).start()
        for state in (S1, S2, S1, S2):
            write_state(source, state)
            reindex([source], index_dir, jobs=1, full=state is S2)
            _snapshot(index_dir, dest)
            wait_for_state(server.url, state, timeout=5)
            assert len([p for p in dest.iterdir() if p.name.startswith("gen-")]) == 1
        load.stop()
        assert load.failures == [], load.failures[:5]
        assert load.inconsistent == [], load.inconsistent[:3]
        assert load.requests > 20
    finally:
        if load is not None:
            load.stop()
        server.stop()
