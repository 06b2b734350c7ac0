"""The web app's only door to the search engine: one ``search.Searcher`` per process, shared by its threads.

The searcher is made on first use, in the worker process, and looks for a new index generation or commit at most
every ``REFRESH_SECONDS`` by itself: workers pick up a reindex without a restart, and an app made before the first
reindex answers 503 until an index exists (``zhsearch serve`` refuses to start without one). The suggestion table is rebuilt when the index version changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from search import Searcher
from search.snippets import Highlighter
from web.config import WebConfig
from web.errors import ApiError, engine_error
from web.params import SearchParams
from web.suggest import SuggestionTables


def index_version(index_dir: str | Path) -> tuple[str, int] | None:
    """``(generation directory, Whoosh commit number)`` of the live index, or None when there is none or it
    cannot be read (cheap enough for every suggestion request)."""
    from indexer.store import StoreError, live_version

    try:
        return live_version(Path(index_dir))
    except (StoreError, OSError):
        return None


class Engine:
    """The search engine as the web app sees it."""

    def __init__(self, settings: WebConfig) -> None:
        self.index_dir = settings.index_dir
        self.refresh_seconds = settings.refresh_seconds
        self.synonyms = settings.synonyms or None
        self.result_cache = settings.result_cache
        self.fresh_half_life_days = settings.fresh_half_life_days
        self.suggestions = SuggestionTables(settings.suggest_terms, settings.suggest_titles)
        self._searcher: Searcher | None = None
        self._lock = threading.Lock()
        #: Called after each search with its seconds and whether it came from the result cache (web/metrics.py).
        self.on_search: Callable[[float, bool], None] | None = None

    # -- the searcher -------------------------------------------------------------------------------------

    def searcher(self) -> Searcher:
        """The process's Searcher (it refreshes itself at most every ``REFRESH_SECONDS``)."""
        searcher = self._searcher
        if searcher is None:
            with self._lock:
                if self._searcher is None:
                    self._searcher = Searcher(
                        self.index_dir,
                        refresh_interval=self.refresh_seconds,
                        synonyms=self.synonyms,
                        cache_size=self.result_cache,
                        fresh_half_life_days=self.fresh_half_life_days,
                    )
                searcher = self._searcher
        return searcher

    def search(self, params: SearchParams) -> Any:
        """A ``search.SearchResult``; ``cached`` tells whether it came from the searcher's result cache."""
        searcher = self.searcher()
        t0 = time.perf_counter()
        try:
            result = searcher.search(params.request)
        except Exception as exc:
            raise _engine_error(exc) from exc
        if self.on_search is not None:
            self.on_search(time.perf_counter() - t0, bool(getattr(result, "cached", False)))
        return result

    def latest(self, params: SearchParams, limit: int) -> list[Any]:
        """The ``limit`` newest dated articles passing the filters of ``params`` (``search.Hit`` objects)."""
        searcher = self.searcher()
        try:
            return searcher.latest(
                limit,
                date_from=params.date_from,
                date_to=params.date_to,
                sources=params.sources,
                categories=params.categories,
                collapse=params.collapse,
            )
        except Exception as exc:
            raise _engine_error(exc) from exc

    def article(self, doc_id: str) -> dict[str, Any] | None:
        searcher = self.searcher()
        try:
            found = searcher.get(doc_id)
        except Exception as exc:
            raise _engine_error(exc) from exc
        return _as_dict(found) if found is not None else None

    def copies(self, doc_id: str) -> list[dict[str, Any]]:
        """The other copies of the article's story (near-duplicates), oldest first."""
        searcher = self.searcher()
        try:
            return [c.to_dict() for c in searcher.copies(doc_id)]
        except Exception as exc:
            raise _engine_error(exc) from exc

    def related(self, doc_id: str, n: int = 5) -> list[dict[str, Any]]:
        searcher = self.searcher()
        try:
            return [_as_dict(hit) for hit in searcher.related(doc_id, n=n)]
        except Exception as exc:
            raise _engine_error(exc) from exc

    # -- index facts and suggestions ----------------------------------------------------------------------------

    def _reader(self) -> Any:
        # the shared Searcher's memory-mapped reader: opening the index with Whoosh directly copies it into memory
        return self.searcher().reader()

    def suggest(self, prefix: str, limit: int) -> list[dict[str, Any]]:
        version = index_version(self.index_dir)
        if version is None:
            raise ApiError(503, "no_index", f"no index at {self.index_dir} (run `zhsearch reindex` first)")
        try:
            gen_dir, commit = Path(self.index_dir) / version[0], version[1]
            table = self.suggestions.table(
                version, self._reader, lambda: self.suggestions.prebuilt(gen_dir, commit)
            )
        except Exception as exc:
            raise _engine_error(exc) from exc
        return table.lookup(prefix, limit)

    def preload(self) -> None:
        """In a server's master before it forks its workers: load the suggestion table ``reindex`` wrote for
        the live index, so that the workers share it (none written: each worker builds its own). The index
        itself is not opened here."""
        version = index_version(self.index_dir)
        if version is None:
            return
        table = self.suggestions.prebuilt(Path(self.index_dir) / version[0], version[1])
        if table is not None:
            self.suggestions.table(version, self._reader, lambda: table)

    def warm_up(self) -> threading.Thread:
        """Open the index, load its spelling tables and build the suggestion table in a background thread, so the
        first reader waits less."""

        def run() -> None:
            try:
                self.health()
                self.searcher().warm_up()
                self.suggest("a", 1)
            except Exception:  # no index yet, or it is being replaced: the first request will try again
                pass

        thread = threading.Thread(target=run, name="zhsearch-warm-up", daemon=True)
        thread.start()
        return thread

    def health(self) -> dict[str, Any]:
        try:
            documents = self.searcher().doc_count
            damage = self.searcher().damage()
        except Exception as exc:
            raise _engine_error(exc) from exc
        if damage:
            raise ApiError(
                503,
                "index_damaged",
                f"the index is damaged: {damage}; `zhsearch check` tells more, `zhsearch reindex --full` repairs it",
            )
        version = index_version(self.index_dir)
        return {"status": "ok", "documents": documents, "generation": version[0] if version else None}

    def marker(self, q: str) -> Highlighter:
        """Marks the words of query ``q`` in any text the way result titles and snippets are marked."""
        try:
            return Highlighter(self.searcher().compile(q).highlights if q else [])
        except Exception as exc:
            raise _engine_error(exc) from exc


def _engine_error(exc: Exception) -> Exception:
    """``exc`` as an ApiError when it is an engine or store error (:data:`web.errors.ENGINE_ERRORS`)."""
    if isinstance(exc, ApiError):
        return exc
    return engine_error(exc) or exc


def _as_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return obj
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return dict(vars(obj))


def init_app(app: Flask, settings: WebConfig) -> Engine:
    return Engine(settings)


def engine() -> Engine:
    """The engine of the current app."""
    return current_app.extensions["zhsearch"].engine
