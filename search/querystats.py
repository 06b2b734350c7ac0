"""What readers search for: how often each query was searched per day, and how many articles it found.

Kept in SQLite beside the index (``<index>/QUERYSTATS.sqlite3``, next to ``CURRENT``; a reindex never replaces
it), one row per China-time day and normalized query (:func:`normalize`): the searches, how many of them found
nothing, and the hits of the last one. Nothing else is kept: no address, no cookie, no time of day.

Recording never touches the database on the search's way: :meth:`QueryStats.record` adds to a buffer in
memory, which a background thread of the process writes every :data:`FLUSH_SECONDS` in one transaction. The
database is in WAL mode, so several worker processes write it safely (each waits its turn, off the request
path); when it is locked for longer than the wait, or the disk is full, or the file cannot be written, the
counts stay in the buffer (at most :data:`MAX_PENDING` queries) for the next try and a warning is logged once.
Days older than the ``days`` kept are deleted as the buffer is written. :func:`report` reads the most frequent
queries and the most frequent queries without results; ``zhsearch stats`` and ``GET /api/admin/stats`` show it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import unicodedata
import weakref
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from indexer.articles import CHINA_TZ

log = logging.getLogger("zhsearch.querystats")

STATS_FILE = "QUERYSTATS.sqlite3"
DEFAULT_DAYS = 90
FLUSH_SECONDS = 5.0
#: Distinct (day, query) counts held in memory at most while the database cannot be written.
MAX_PENDING = 10_000
#: How long a write waits for another process's (seconds; the writer is a background thread).
BUSY_TIMEOUT = 5.0
#: Old days are deleted at most this often per process (seconds).
PRUNE_SECONDS = 3600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    day TEXT NOT NULL,
    query TEXT NOT NULL,
    searches INTEGER NOT NULL,
    no_hits INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (day, query)
) WITHOUT ROWID
"""
_UPSERT = """
INSERT INTO searches (day, query, searches, no_hits, hits) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (day, query) DO UPDATE SET
    searches = searches + excluded.searches, no_hits = no_hits + excluded.no_hits, hits = excluded.hits
"""


def normalize(query: str) -> str:
    """The form a query is counted under: NFKC (full-width letters and spaces become ASCII), lower case, one
    space between words."""
    return " ".join(unicodedata.normalize("NFKC", query).casefold().split())


def stats_path(index_dir: str | os.PathLike[str]) -> Path:
    return Path(index_dir) / STATS_FILE


def china_today() -> date:
    return datetime.now(CHINA_TZ).date()


def _connect(path: Path, timeout: float) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(_SCHEMA)
    return db


class QueryStats:
    """The query counts of one process, written to ``path`` in the background (see the module docs).

    ``days``: days kept (0: nothing is recorded). Thread-safe; after a fork the child starts afresh.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        days: int = DEFAULT_DAYS,
        *,
        flush_seconds: float = FLUSH_SECONDS,
        busy_timeout: float = BUSY_TIMEOUT,
        today: Callable[[], date] = china_today,
    ) -> None:
        self.path = Path(path)
        self.days = days
        self.flush_seconds = flush_seconds
        self.busy_timeout = busy_timeout
        self.today = today
        #: (day, query) -> [searches, searches without hits, hits of the last]
        self._pending: dict[tuple[str, str], list[int]] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._pid = os.getpid()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._pruned_at = float("-inf")
        self._failing = False
        #: counts given up because the buffer was full
        self.dropped = 0

    @property
    def enabled(self) -> bool:
        return self.days > 0

    def record(self, query: str, hits: int) -> None:
        """Count one search of ``query`` that found ``hits`` articles. Never raises, never waits on the disk."""
        if not self.enabled:
            return
        key = normalize(query)
        if not key:
            return
        if os.getpid() != self._pid:
            self._after_fork()
        slot = (self.today().isoformat(), key)
        with self._lock:
            counts = self._pending.get(slot)
            if counts is None:
                if len(self._pending) >= MAX_PENDING:
                    self.dropped += 1
                    return
                counts = self._pending[slot] = [0, 0, 0]
            counts[0] += 1
            counts[1] += hits == 0
            counts[2] = hits
        if self._thread is None and self.flush_seconds > 0:
            self._start()

    def _after_fork(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._pending = {}
        self._thread = None
        self._wake = threading.Event()

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=_write_every,
                args=(weakref.ref(self), self._wake, self.flush_seconds),
                name="zhsearch-querystats",
                daemon=True,
            )
        self._thread.start()

    def pending(self) -> int:
        """Distinct (day, query) counts not yet written."""
        with self._lock:
            return len(self._pending)

    def flush(self) -> bool:
        """Write the buffered counts in one transaction; False (and the counts kept) when the database cannot
        be written now. Never raises."""
        with self._write_lock:
            with self._lock:
                batch, self._pending = self._pending, {}
            if not batch:
                return True
            try:
                self._write(batch)
            except (sqlite3.Error, OSError) as exc:
                self._keep(batch)
                if not self._failing:
                    log.warning("query stats not written to %s (kept for the next try): %s", self.path, exc)
                self._failing = True
                return False
            if self._failing:
                log.warning("query stats written to %s again", self.path)
            self._failing = False
            return True

    def _write(self, batch: dict[tuple[str, str], list[int]]) -> None:
        db = _connect(self.path, self.busy_timeout)
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    _UPSERT, [(day, q, n, zero, hits) for (day, q), (n, zero, hits) in batch.items()]
                )
                now = time.monotonic()
                if now - self._pruned_at >= PRUNE_SECONDS:
                    db.execute("DELETE FROM searches WHERE day < ?", (self._first_kept_day(),))
                    self._pruned_at = now
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        finally:
            db.close()

    def _keep(self, batch: dict[tuple[str, str], list[int]]) -> None:
        """Put an unwritten batch back in front of what was recorded meanwhile (bounded by MAX_PENDING)."""
        with self._lock:
            newer, self._pending = self._pending, {}
            for key, counts in [*batch.items(), *newer.items()]:
                have = self._pending.get(key)
                if have is not None:
                    have[0] += counts[0]
                    have[1] += counts[1]
                    have[2] = counts[2]
                elif len(self._pending) < MAX_PENDING:
                    self._pending[key] = list(counts)
                else:
                    self.dropped += counts[0]

    def _first_kept_day(self) -> str:
        return (self.today() - timedelta(days=max(self.days, 1) - 1)).isoformat()

    def close(self) -> None:
        """Stop the background writer and write what is left."""
        self._wake.set()
        self.flush()


def _write_every(ref: weakref.ref[QueryStats], wake: threading.Event, seconds: float) -> None:
    """The background writer: flush every ``seconds`` until woken by ``close`` or the stats are dropped."""
    while not wake.wait(seconds):
        stats = ref()
        if stats is None:
            return
        stats.flush()
        del stats


def report(
    path: str | os.PathLike[str],
    days: int,
    *,
    limit: int = 20,
    today: date | None = None,
    kept_days: int | None = None,
) -> dict[str, Any]:
    """The most frequent queries and the most frequent queries without results over the last ``days`` days
    (today included), with counts: the JSON of ``zhsearch stats --json`` and ``GET /api/admin/stats``.

    ``top``: ``[{"query", "searches", "hits"}]`` (``hits``: what its last search found), ``no_results``:
    ``[{"query", "searches"}]`` (``searches``: those that found nothing), both by count then query. A missing
    database is an empty report; one that cannot be read raises ``sqlite3.Error`` (or ``OSError``).
    """
    last = today or china_today()
    first = (last - timedelta(days=days - 1)).isoformat()
    out: dict[str, Any] = {
        "days": days,
        "from": first,
        "to": last.isoformat(),
        "kept_days": kept_days,
        "searches": 0,
        "queries": 0,
        "no_result_searches": 0,
        "top": [],
        "no_results": [],
    }
    path = Path(path)
    if not path.exists():
        return out
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
    try:
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'searches'").fetchone() is None:
            return out  # created by a writer that has not written yet
        between = (first, last.isoformat())
        row = db.execute(
            "SELECT COALESCE(SUM(searches), 0), COUNT(DISTINCT query), COALESCE(SUM(no_hits), 0) "
            "FROM searches WHERE day BETWEEN ? AND ?",
            between,
        ).fetchone()
        out["searches"], out["queries"], out["no_result_searches"] = row
        out["top"] = [
            {"query": q, "searches": n, "hits": hits}
            for q, n, hits in db.execute(
                "SELECT query, SUM(searches) AS n, "
                "(SELECT hits FROM searches AS last WHERE last.query = s.query AND last.day BETWEEN ? AND ? "
                "ORDER BY last.day DESC LIMIT 1) "
                "FROM searches AS s WHERE day BETWEEN ? AND ? GROUP BY query ORDER BY n DESC, query LIMIT ?",
                (*between, *between, limit),
            )
        ]
        out["no_results"] = [
            {"query": q, "searches": n}
            for q, n in db.execute(
                "SELECT query, SUM(no_hits) AS n FROM searches WHERE day BETWEEN ? AND ? "
                "GROUP BY query HAVING n > 0 ORDER BY n DESC, query LIMIT ?",
                (*between, limit),
            )
        ]
    finally:
        db.close()
    return out
