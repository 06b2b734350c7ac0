"""``LiveIndex``: the pinned index served now, switched atomically when the index on disk changes.

It serves from a :class:`~search.pinned.PinnedIndex` of the live index and looks for a newer one (a new
generation behind ``CURRENT``, or a new Whoosh commit inside the live generation) at most every
``refresh_interval`` seconds, or when :meth:`LiveIndex.refresh` is called. The switch is atomic: a query runs
entirely on the pinned index it started with, and a new one is only served once it is fully open. After a
fork (gunicorn's workers) the child opens its own.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from indexer.store import StoreError, open_generation
from search.clauses import Weights
from search.errors import IndexUnavailableError, NoIndexError
from search.pinned import PinnedIndex, live_key
from search.spelling import shared_speller

#: How often (seconds) a query checks whether the index changed.
REFRESH_INTERVAL = 0.5


class LiveIndex:
    """The pinned index of ``index_dir`` served now (see the module docs). Thread-safe.

    ``on_switch(forked)`` is called when another pinned index is served (``forked``: in a new process), so that
    what was computed on the old one (a result cache) can be dropped.
    """

    def __init__(
        self,
        index_dir: Path,
        weights: Weights,
        refresh_interval: float = REFRESH_INTERVAL,
        on_switch: Callable[[bool], None] = lambda forked: None,
    ) -> None:
        self.index_dir = index_dir
        self.weights = weights
        self.refresh_interval = refresh_interval
        self._on_switch = on_switch
        self._pinned: PinnedIndex | None = None
        self._lock = threading.Lock()
        self._checked = 0.0
        self._pid = os.getpid()

    def refresh(self) -> bool:
        """Look for a new index generation or commit now; True if a new pinned index is now served.

        Raises :class:`NoIndexError` when there is no index and none was open before.
        """
        return self._check(blocking=True)

    def current(self) -> PinnedIndex:
        """The pinned index to run a query on (checking for a newer one when it is time)."""
        pinned = self._pinned
        if (
            pinned is None
            or time.monotonic() - self._checked >= self.refresh_interval
            or self._pid != os.getpid()
        ):
            self._check(blocking=False)
            pinned = self._pinned
        if pinned is None:
            raise NoIndexError(f"no index at {self.index_dir} (run `zhsearch reindex` first)")
        return pinned

    def damage(self) -> str | None:
        """Why the index served now is damaged on disk (a segment file missing or of another size), or None.

        A file replaced by a newer commit is not damage: the newer commit is opened first.
        """
        pinned = self.current()
        if live_key(self.index_dir) != pinned.key:
            self.refresh()
            pinned = self.current()
            if live_key(self.index_dir) != pinned.key:
                return None  # changing right now
        problem = pinned.storage.damage()
        return f"{pinned.gen_dir.name}: {problem}" if problem else None

    def _check(self, *, blocking: bool) -> bool:
        if self._pid != os.getpid():  # forked: locks and readers of the parent are not ours
            self._pid = os.getpid()
            self._lock = threading.Lock()
            self._pinned = None
            self._on_switch(True)
        if not self._lock.acquire(blocking=blocking or self._pinned is None):
            return False  # another thread is checking; keep serving the current pinned index
        try:
            self._checked = time.monotonic()
            for attempt in range(3):
                key = live_key(self.index_dir)
                if key is None:
                    if self._pinned is None:
                        raise NoIndexError(f"no index at {self.index_dir} (run `zhsearch reindex` first)")
                    return False  # keep serving what is open
                old = self._pinned
                if old is not None and old.key == key:
                    return False
                try:
                    new = PinnedIndex(self.index_dir, key, self.weights)
                except FileNotFoundError as exc:
                    if attempt == 2:
                        missing = f" ({exc.filename} is missing)" if live_key(self.index_dir) == key else ""
                        raise IndexUnavailableError(
                            f"the index at {self.index_dir} changed while it was being opened{missing}; try again"
                        ) from None
                    continue  # replaced while opening: read CURRENT again
                except OSError as exc:
                    raise IndexUnavailableError(
                        f"the index at {self.index_dir} cannot be read: {exc.strerror or exc}"
                    ) from None
                self._pinned = new
                self._on_switch(False)
                if old is not None:
                    old.retire()
                return True
            return False
        finally:
            self._lock.release()


def preload_for_workers(index_dir: str | Path) -> None:
    """In a server's master before it forks its workers: load what every worker would otherwise load a copy of
    -- the live index's segmenter (jieba's dictionary) and its spelling tables (:func:`search.spelling.
    shared_speller`) -- so that the workers share those pages. The index itself is not opened: each worker opens
    it after the fork. Without a readable index, nothing is loaded (the workers say what is wrong)."""
    try:
        key = live_key(Path(index_dir))
        if key is None:
            return
        schema = open_generation(Path(index_dir) / key[0]).schema
    except (IndexUnavailableError, StoreError, OSError):
        return
    if "title" in schema.names() and hasattr(schema["title"].analyzer, "words"):
        schema["title"].analyzer.words("预热")
    shared_speller(Path(index_dir) / key[0], key[1])
