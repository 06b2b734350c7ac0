"""Helpers of the operations tests: a bounded query load on loopback, states of a small corpus, a killable reindex.

Run as a script (``python tests/ops_helpers.py POINT ARTICLES INDEX MARKER``) it is a reindex that stops at one
point (``read``: after reading three articles; ``write``: segment files written, not yet listed in a new table of
contents; ``swap``: after the
new generation was moved into place, before ``CURRENT`` points at it), creates ``MARKER`` and sleeps there until
it is killed. Only the test process patches anything; the product code has no test hook.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The word every article of the ops corpus holds: a search for it lists the whole index.
MARK = "巡检"


def article(n: int, version: int = 1) -> dict[str, Any]:
    """Article ``a{n}``; its title tells its version, its body holds :data:`MARK` and ``词{n}v{version}``."""
    return {
        "id": f"a{n:02d}",
        "title": f"第{n}号通报 版本{version}",
        "body": f"{MARK}工作通报第{n}号。本次内容编号 甲{n}乙{version}丙。",
        "source": "新华社",
        "published": f"2025-01-{n % 28 + 1:02d}",
    }


def write_state(path: Path, state: dict[int, int]) -> Path:
    """Write the articles ``{n: version}`` as one JSON Lines file (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    text = "".join(json.dumps(article(n, v), ensure_ascii=False) + "\n" for n, v in sorted(state.items()))
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def signature(state: dict[int, int]) -> frozenset[tuple[str, str]]:
    """What a search for :data:`MARK` must show for a state: (id, title) of every article."""
    return frozenset((a["id"], a["title"]) for a in (article(n, v) for n, v in state.items()))


def get(base: str, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read()


def mark_query(base: str) -> tuple[int, frozenset[tuple[str, str]] | None, int]:
    """One search for :data:`MARK`: status, the (id, title) pairs listed, the total it claims."""
    status, body = get(base, "/api/search?per_page=50&q=" + urllib.parse.quote(MARK))
    if status != 200:
        return status, None, -1
    data = json.loads(body)
    pairs = [(h["id"], h["title"]) for h in data["results"]]
    if len(pairs) != len(set(pairs)):
        return status, None, data["total"]  # a duplicate: never a whole generation
    return status, frozenset(pairs), data["total"]


@dataclass
class Load:
    """Threads that search for :data:`MARK` until stopped (at most ``max_requests`` each, ``max_seconds``)."""

    base: str
    threads: int = 3
    max_requests: int = 4000
    max_seconds: float = 60.0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seen: Counter[frozenset[tuple[str, str]]] = field(default_factory=Counter)
    inconsistent: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Load:
        for _ in range(self.threads):
            t = threading.Thread(target=self._run, daemon=True)
            t.start()
            self._workers.append(t)
        return self

    def _run(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        for _ in range(self.max_requests):
            if self._stop.is_set() or time.monotonic() > deadline:
                return
            try:
                status, pairs, total = mark_query(self.base)
            except Exception as exc:  # a refused or reset connection is a failed request
                with self._lock:
                    self.failures.append(repr(exc))
                continue
            with self._lock:
                self.statuses[status] += 1
                if status != 200:
                    self.failures.append(f"HTTP {status}")
                elif pairs is None or total != len(pairs):
                    self.inconsistent.append(f"total {total}, {pairs}")
                else:
                    self.seen[pairs] += 1

    def stop(self) -> Load:
        self._stop.set()
        for t in self._workers:
            t.join(timeout=30)
        return self

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + sum(1 for f in self.failures if not f.startswith("HTTP"))


def wait_for_state(base: str, state: dict[int, int], timeout: float = 2.0, streak: int = 6) -> float:
    """Seconds until ``streak`` searches in a row show ``state``; AssertionError after ``timeout``."""
    want = signature(state)
    t0 = time.monotonic()
    run = 0
    last: Any = None
    while time.monotonic() - t0 < timeout:
        try:
            status, pairs, _ = mark_query(base)
        except OSError as exc:  # not listening yet
            status, pairs = 0, None
            last = exc
        else:
            last = (status, pairs)
        run = run + 1 if pairs == want else 0
        if run >= streak:
            return time.monotonic() - t0
        time.sleep(0.02)
    raise AssertionError(f"state not served within {timeout} s; last answer {last}")


# -- a reindex that stops where told ------------------------------------------------------------------------


def _stop_here(marker: Path) -> None:
    marker.write_text("here\n")
    time.sleep(120)  # the test kills us well before
    raise SystemExit("not killed")


def _killable_reindex(point: str, articles: Path, index_dir: Path, marker: Path, full: bool) -> None:
    import os

    from whoosh.index import TOC

    import indexer.ingest.reading as ingest_module
    import indexer.writer as writer_module
    from indexer.store import CURRENT

    if point == "read":
        original_load = ingest_module.load_file

        def load_file(path, name=None, known=None):  # type: ignore[no-untyped-def]
            for n, item in enumerate(original_load(path, name, known)):
                yield item
                if n == 2:
                    _stop_here(marker)

        ingest_module.load_file = load_file
    elif point == "write":
        # the segment files are written, the table of contents that would list them is not (the fast full
        # build and Whoosh's own writer both end that way)
        original_write = TOC.write

        def write(self, storage, indexname):  # type: ignore[no-untyped-def]
            if self.generation >= 1:
                _stop_here(marker)
            return original_write(self, storage, indexname)

        TOC.write = write  # type: ignore[method-assign]
    elif point == "merge":  # the merged segment written, the table of contents not
        import indexer.segments.segmentwriter as segmentwriter_module

        for name in ("merge_segments", "rewrite_live"):
            original = getattr(segmentwriter_module, name)

            def merged(*args, _original=original, **kwargs):  # type: ignore[no-untyped-def]
                _original(*args, **kwargs)
                _stop_here(marker)

            setattr(segmentwriter_module, name, merged)
    elif point == "state":  # the commit done, the file state of the run not saved
        from indexer.ingest.filestate import FileState

        def save(self, gen_dir, commit):  # type: ignore[no-untyped-def]
            _stop_here(marker)

        FileState.save = save  # type: ignore[method-assign]
    elif point == "swap":

        def publish(index_dir: Path, building: Path, number: int) -> Path:
            final = index_dir / writer_module.generation_name(number)
            os.replace(building, final)
            assert (index_dir / CURRENT).exists()
            _stop_here(marker)
            return final

        writer_module.publish_generation = publish
    else:
        raise SystemExit(f"unknown point {point}")
    summary = writer_module.reindex([articles], index_dir, full=full, jobs=1)
    raise SystemExit(f"reindex ended without reaching {point}: {summary.as_dict()}")


if __name__ == "__main__":
    _point, _articles, _index, _marker, _full = sys.argv[1:6]
    _killable_reindex(_point, Path(_articles), Path(_index), Path(_marker), _full == "full")
