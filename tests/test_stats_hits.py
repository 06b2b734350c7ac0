"""``zhsearch stats`` shows what each query finds now, not what its latest (perhaps filtered) search found."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from web_fixtures import CORPUS, TEST_CONFIG, build_index

from web import create_app
from web.stats import recorder
from zhsearch.cli import cli


def _stats(index_dir: Path) -> tuple[int, list[str], str]:
    result = CliRunner().invoke(cli, ["stats", "--index", str(index_dir)], env={"ZHSEARCH_STATS_DAYS": "90"})
    return result.exit_code, result.stdout.splitlines(), result.stderr


def test_the_hits_shown_are_the_querys_own_not_its_last_filtered_searchs(tmp_path: Path) -> None:
    index_dir = build_index(tmp_path, CORPUS)
    app = create_app({**TEST_CONFIG, "INDEX_DIR": str(index_dir), "STATS_DAYS": "90"})
    client = app.test_client()
    everything = client.get("/api/search?q=诈骗").get_json()["total"]
    filtered = client.get("/api/search?q=诈骗&source=中央社").get_json()["total"]  # the latest search
    assert everything > filtered >= 1
    with app.app_context():
        assert recorder().flush()

    code, lines, err = _stats(index_dir)
    assert code == 0 and err == "", err
    assert f"        2  诈骗  {everything} hits" in lines

    moved = tmp_path / "stats-only"  # the stats without their index: what the last search found, said so
    moved.mkdir()
    for name in ("QUERYSTATS.sqlite3", "QUERYSTATS.sqlite3-wal"):  # the WAL may hold the latest counts
        if (index_dir / name).exists():
            shutil.copy(index_dir / name, moved)
    code, lines, err = _stats(moved)
    assert (
        code == 0
        and f"        2  诈骗  {filtered} hit{'s' if filtered != 1 else ''} at its last search" in lines
    )
    assert f"cannot read the index at {moved}" in err
