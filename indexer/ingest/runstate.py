"""A reindex run in the background, and what it reports: ``REINDEX.json`` beside the generations.

The admin API (:mod:`web.admin`) starts ``python -m indexer.ingest.runstate`` as a child process, so a reindex never
runs inside a web worker (a crash, a leak or a kill of one cannot take the other down). The child writes its
state to ``INDEX_DIR/REINDEX.json`` atomically: ``running`` with the articles read so far and the estimate
(at most twice a second), then ``finished`` with the summary or ``failed`` with the message.
``/api/admin/status`` reads that file; whether a run is really going on is told by the reindex lock
(``LOCK`` holds the pid of a living process), not by the file, so a run killed with ``-9`` shows as
``interrupted``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from indexer.progress import Progress
from indexer.store import LOCK

STATUS_FILE = "REINDEX.json"
#: Held (flock) by the web worker that started a background reindex, until the child ends.
ADMIN_LOCK = "ADMIN.lock"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_status(index_dir: Path, data: dict[str, Any]) -> None:
    """Replace the status file atomically (a reader sees the old or the new one, whole)."""
    path = index_dir / STATUS_FILE
    tmp = path.with_name(f"{STATUS_FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_status(index_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((index_dir / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def lock_holder(index_dir: Path) -> int | None:
    """The pid of the living process that holds the reindex lock, or None (no reindex is running).

    The lock file holds the pid while a reindex runs and is emptied when it ends; a pid left by a killed
    run belongs to no living process. Reading it never takes the lock (a probe could make a real run fail).
    """
    try:
        text = (index_dir / LOCK).read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    if not text.isdigit():
        return None
    pid = int(text)
    return pid if pid_alive(pid) else None


def pid_alive(pid: object) -> bool:
    """Whether ``pid`` is a living process (a zombie, ended but not yet reaped, is not)."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, someone else's
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            if fh.read().rsplit(")", 1)[-1].split()[0] == "Z":
                return False
    except (OSError, IndexError):
        pass
    return True


class FileProgress(Progress):
    """Reports progress into the status file (at most every ``interval`` seconds)."""

    def __init__(self, index_dir: Path, base: dict[str, Any], interval: float = 0.5) -> None:
        self.index_dir = index_dir
        self.base = base
        self.interval = interval
        self.total: int | None = None
        self.done = 0
        self.last = 0.0

    def _write(self) -> None:
        self.last = time.monotonic()
        write_status(self.index_dir, {**self.base, "progress": {"read": self.done, "estimate": self.total}})

    def start(self, total: int | None) -> None:
        self.total = total
        self._write()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self.last >= self.interval:
            self._write()


def run(index_dir: Path, paths: list[Path], userdict: Path, full: bool) -> int:
    """Run one reindex, reporting to the status file; the exit status of ``python -m indexer.ingest.runstate``."""
    from indexer.analysis import read_userdict
    from indexer.store import StoreError
    from indexer.writer import reindex

    base: dict[str, Any] = {"state": "running", "pid": os.getpid(), "started": now_iso(), "full": full}
    index_dir.mkdir(parents=True, exist_ok=True)
    write_status(index_dir, base)
    messages: list[str] = []
    try:
        summary = reindex(
            paths,
            index_dir,
            full=full,
            userdict=read_userdict(userdict),
            progress=FileProgress(index_dir, base),
            log=messages.append,
        )
    except (StoreError, OSError, UnicodeDecodeError, ValueError) as exc:
        write_status(index_dir, {**base, "state": "failed", "ended": now_iso(), "error": str(exc)})
        return 1
    result = summary.as_dict()
    result["problems"] = [str(p) for p in summary.problems[:20]]
    if summary.stale_lock_pid:
        messages.append(f"broke a stale lock left by process {summary.stale_lock_pid}")
    write_status(
        index_dir, {**base, "state": "finished", "ended": now_iso(), "summary": result, "messages": messages}
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m indexer.ingest.runstate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--index", required=True, type=Path, help="index directory")
    parser.add_argument("--userdict", required=True, type=Path, help="user dictionary")
    parser.add_argument("--full", action="store_true", help="full rebuild")
    parser.add_argument("paths", nargs="+", type=Path, help="article files and directories")
    args = parser.parse_args(argv)
    return run(args.index, args.paths, args.userdict, args.full)


if __name__ == "__main__":
    sys.exit(main())
