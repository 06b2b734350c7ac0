"""A full disk (a small tmpfs) or an unwritable (read-only) index directory: a clear message, the live index
untouched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from ops_helpers import article, write_state

from indexer.check import check_index
from indexer.writer import reindex
from search import Searcher

STATE = {n: 1 for n in range(1, 9)}


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 384 KiB tmpfs (root only; skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=384k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _big(tmp_path: Path) -> Path:
    path = tmp_path / "big" / "news.jsonl"
    path.parent.mkdir()
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(1, 400):
            a = article(n)
            a["body"] += f"第{n}段正文。" * 120
            fh.write(json.dumps(a, ensure_ascii=False) + "\n")
    return path


@pytest.mark.parametrize("full", [True, False])
def test_full_disk_fails_with_a_clear_message_and_leaves_the_live_index(
    tmp_path: Path, small_disk: Path, full: bool
) -> None:
    source = write_state(tmp_path / "articles" / "news.jsonl", STATE)
    index_dir = small_disk / "index"
    reindex([source], index_dir, jobs=1)
    before = sorted(os.listdir(index_dir)), (index_dir / "CURRENT").read_text()
    big = _big(tmp_path)
    args = [
        "reindex",
        str(big),
        str(source),
        "--index",
        str(index_dir),
        "--jobs",
        "1",
        "--userdict",
        "/dev/null",
    ]
    # the real command, in its own process (Whoosh's writer leaves files open when a write fails; the process ends)
    result = subprocess.run(
        [sys.executable, "-m", "zhsearch", *args, *(["--full"] if full else [])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "No space left on device" in result.stderr and "the live index is unchanged" in result.stderr
    assert "Traceback" not in result.stderr
    assert (sorted(os.listdir(index_dir)), (index_dir / "CURRENT").read_text()) == before
    assert check_index(index_dir).ok
    assert Searcher(index_dir).search("巡检", per_page=50).total == len(STATE)


@pytest.mark.parametrize("full", [True, False])
def test_read_only_index_directory_fails_with_a_clear_message(
    tmp_path: Path, small_disk: Path, full: bool
) -> None:
    source = write_state(tmp_path / "articles" / "news.jsonl", STATE)
    index_dir = small_disk / "index"
    reindex([source], index_dir, jobs=1)
    write_state(source, {**STATE, 20: 1})
    before = sorted(os.listdir(index_dir)), (index_dir / "CURRENT").read_text()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)  # root ignores chmod, not this
    try:
        args = ["reindex", str(source), "--index", str(index_dir), "--jobs", "1", "--userdict", "/dev/null"]
        result = subprocess.run(
            [sys.executable, "-m", "zhsearch", *args, *(["--full"] if full else [])],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert result.returncode == 1, result.stderr
    assert "Read-only file system" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert (sorted(os.listdir(index_dir)), (index_dir / "CURRENT").read_text()) == before
    assert Searcher(index_dir).search("巡检", per_page=50).total == len(STATE)
