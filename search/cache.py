"""``ResultCache``: a bounded, thread-safe LRU of result pages, owned by one :class:`search.Searcher`.

The searcher builds the key from everything a page depends on: the version of the index it was computed on
(generation directory and Whoosh commit number), the version of the synonyms file, the normalized query string
and every search argument. A new generation or commit changes the version, so entries of an older index can no
longer be found; the searcher also clears the cache when it switches to a new snapshot, so they do not hold
memory either.

Values are stored as given and must not be handed out as they are: the searcher stores a private copy of each
result and returns a fresh copy of it on every hit (see ``Searcher.search``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

#: Entries kept when no size is given (setting ``ZHSEARCH_RESULT_CACHE``).
DEFAULT_ENTRIES = 1024


class ResultCache:
    """At most ``max_entries`` values, least recently used evicted first; ``max_entries=0`` disables it."""

    def __init__(self, max_entries: int = DEFAULT_ENTRIES) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 0:
            raise ValueError(f"max_entries must be a whole number of at least 0, not {max_entries!r}")
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.evictions = 0
        self.clears = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Any | None:
        """The value stored under ``key`` (now the most recently used), or None; counts a hit or a miss."""
        if not self.enabled:
            return None
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: Any) -> None:
        """Store ``value`` (not None) under ``key``, evicting the least recently used entries beyond the bound."""
        if not self.enabled or value is None:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
                self.evictions += 1

    def clear(self) -> None:
        """Drop every entry (the counters are kept)."""
        with self._lock:
            if self._entries:
                self._entries.clear()
            self.clears += 1

    def stats(self) -> dict[str, Any]:
        """``{"hits", "misses", "size", "max_entries", "evictions", "clears", "hit_rate"}`` since start."""
        with self._lock:
            hits, misses = self.hits, self.misses
            return {
                "hits": hits,
                "misses": misses,
                "size": len(self._entries),
                "max_entries": self.max_entries,
                "evictions": self.evictions,
                "clears": self.clears,
                "hit_rate": hits / (hits + misses) if hits + misses else 0.0,
            }
