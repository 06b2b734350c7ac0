"""``Searcher``: everything between a search request and a page of results.

One ``Searcher`` per process is meant to be shared by all threads. It queries the pinned index that
:class:`search.live.LiveIndex` serves now (switched when the index on disk changes). A search is a checked
:class:`search.request.SearchRequest`, answered by a :class:`search.run.SearchRun` on the pinned index: the
query planned by :mod:`search.plan`, collected by :mod:`search.collect` (every match with its score, exact
totals and facets, the top of the ranking), then the page's hits marked by :mod:`search.snippets`; a word typed
in pinyin or with a slip is offered (and maybe answered) as :mod:`search.spelling` corrects it.

Pages are kept in a :class:`search.cache.ResultCache` (``cache_size`` entries, 0: none), keyed by the index
version of the snapshot, the synonyms file's version and the request (:meth:`SearchRequest.cache_key`); the
cache is cleared when a new snapshot is served. A page served from it has ``cached=True`` and ``took_ms`` is the
time of the lookup.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from whoosh.reading import IndexReader

from indexer.analysis import units
from search import query as ast
from search.articles import ArticleLookups
from search.cache import DEFAULT_ENTRIES, ResultCache
from search.clauses import MAX_EXPANSIONS, Weights
from search.collect import facets_of
from search.context import Context
from search.errors import NoIndexError
from search.fresh import DEFAULT_HALF_LIFE_DAYS, Freshness, parse_half_life, utc_now
from search.latest import LatestArticles
from search.live import REFRESH_INTERVAL, LiveIndex
from search.nodes import count_reaching
from search.pinned import PinnedIndex
from search.plan import CompiledQuery
from search.query import parse
from search.request import MAX_RESULTS, SearchRequest
from search.results import FACETS, SearchResult
from search.run import Answer, SearchRun
from search.spelling import PINYIN, IndexStats, Suggestion
from search.synonyms import SynonymTable


def _detached(result: SearchResult, **changes: Any) -> SearchResult:
    """A copy of ``result`` sharing no mutable container with it (hits and facet pairs are immutable)."""
    facets = {name: list(pairs) for name, pairs in result.facets.items()}
    return replace(result, hits=list(result.hits), facets=facets, **changes)


class Searcher(ArticleLookups, LatestArticles):
    """Search the index at ``index_dir`` (see the module docs). Thread-safe; share one per process."""

    def __init__(
        self,
        index_dir: str | os.PathLike[str],
        *,
        weights: Weights | None = None,
        refresh_interval: float = REFRESH_INTERVAL,
        synonyms: str | os.PathLike[str] | None = None,
        cache_size: int = DEFAULT_ENTRIES,
        fresh_half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    ) -> None:
        self.index_dir = Path(index_dir)
        #: result pages of the snapshot served now (``cache_size`` entries at most; 0: no cache)
        self.cache = ResultCache(cache_size)
        #: query-time synonym groups (``synonyms``: their file, reloaded when it changes; None: none)
        self.synonyms = SynonymTable(synonyms, check_seconds=max(refresh_interval, 0.2))
        self.weights = weights or Weights()
        #: ``sort="fresh"``: the half-life of its decay, and the clock ages are counted from (search.fresh)
        self.fresh_half_life_days, self.clock = parse_half_life(fresh_half_life_days), utc_now
        self.refresh_interval = refresh_interval
        #: the pinned index served now; a switch drops the result pages of the old one
        self.live = LiveIndex(self.index_dir, self.weights, refresh_interval, on_switch=self._switched)
        try:
            self.refresh()
        except NoIndexError:
            pass  # served as an error by each query until an index appears

    # -- the index served ------------------------------------------------------------------------------------

    def _switched(self, forked: bool) -> None:
        if forked:  # its lock may be held by a thread of the parent
            self.cache = ResultCache(self.cache.max_entries)
        else:  # entries of the old index can no longer be found (its version is in the key)
            self.cache.clear()

    def refresh(self) -> bool:
        """Look for a new index generation or commit now; True if it is now served (see :mod:`search.live`)."""
        return self.live.refresh()

    def _current(self) -> PinnedIndex:
        return self.live.current()

    def damage(self) -> str | None:
        """Why the index served now is damaged on disk, or None (see :meth:`LiveIndex.damage`)."""
        return self.live.damage()

    @property
    def doc_count(self) -> int:
        """Articles in the index served now."""
        return self._current().doc_count

    @property
    def version(self) -> tuple[str, int]:
        """``(generation directory, Whoosh commit number)`` of the index served now."""
        return self._current().key

    def warm_up(self) -> None:
        """Load what the first query on the index served now would otherwise wait for (its spelling tables)."""
        self._current().speller()

    def cache_stats(self) -> dict[str, Any]:
        """Result cache counters since start: ``hits``, ``misses``, ``size``, ``max_entries``, ``hit_rate`` ..."""
        return self.cache.stats()

    @contextmanager
    def reader(self) -> Iterator[IndexReader]:
        """A Whoosh reader on the index served now, for a moment (lexicon walks, counts).

        Prefer this to opening the index with Whoosh directly: whoosh3 copies every segment file into memory
        per reader it opens that way (see :class:`search.pinned.PinnedStorage`).
        """
        with self._current().searcher() as s:
            yield s.reader()

    def compile(self, q: str) -> CompiledQuery:
        """The query trees and highlight terms a query string turns into (for debugging and tests)."""
        snap = self._current()
        with snap.context() as ctx:
            return self._plan(snap, ctx, q)

    def _plan(self, snap: PinnedIndex, ctx: Context, q: str | ast.Node | None) -> CompiledQuery:
        return snap.builder.compile(
            parse(q) if isinstance(q, str) else q,
            doc_frequency=ctx.body_frequency,
            expand=lambda field, word: ctx.longer_words(field, word, MAX_EXPANSIONS),
            synonyms=self.synonyms.lookup,
        )

    @staticmethod
    def _suggest(snap: PinnedIndex, ctx: Context, q: str, tree: ast.Node | None) -> Suggestion | None:
        """What the reader may have meant (:mod:`search.spelling`), from the index's spelling tables."""
        speller = snap.speller()
        if speller is None or tree is None:
            return None

        def frequency(word: str) -> int:
            return ctx.doc_frequency("title", word) + ctx.doc_frequency("body", word)

        def text_frequency(text: str, enough: int) -> int:
            return count_reaching(snap.builder.phrase_clause(text, [units(text)], None), ctx, enough)

        def segment(text: str) -> list[tuple[int, int]]:
            return [(w.start, w.end) for w in snap.analyzer.words(text, removestops=False)]

        known = snap.analyzer.segmenter.has_word
        return speller.suggest(q, tree, IndexStats(frequency, text_frequency, segment, known))

    # -- search ----------------------------------------------------------------------------------------------

    def search(self, q: str | SearchRequest, **params: Any) -> SearchResult:
        """One page of results for the query ``q`` (see :mod:`search.query` for the language): a checked
        :class:`~search.request.SearchRequest`, or the query string with the request's other fields as keyword
        arguments (``page``, ``per_page``, ``sort``, ``date_from``, ``date_to``, ``sources``, ``categories``,
        ``spellcheck``, ``collapse``; checked here).

        With ``spellcheck``, a word typed in pinyin or a sound-alike slip (:mod:`search.spelling`) gets a
        ``suggestion``; the results are the suggestion's (``corrected``) for pinyin, and for a slip when the
        query as typed is short and has no article with every word. Without it the words are searched as
        typed.

        With ``collapse``, the copies of a story (:mod:`search.collapse`) are ranked once, as the hit of their
        first copy, which lists the others in ``duplicates``; ``total`` and the facets count every match."""
        t0 = time.perf_counter()
        request = q if isinstance(q, SearchRequest) else SearchRequest(q=q, **params)
        if params and isinstance(q, SearchRequest):
            request = request.but(**params)
        snap = self._current()
        key = (snap.key, self.synonyms.version, *request.cache_key())
        found = self.cache.get(key) if self.cache.enabled else None
        if found is not None:
            return _detached(found, query=request.q, took_ms=(time.perf_counter() - t0) * 1000, cached=True)
        fresh = Freshness(self.fresh_half_life_days, self.clock()) if request.sort == "fresh" else None
        with snap.context() as ctx:
            run = SearchRun(snap, ctx, request, self.weights, partial(self._plan, snap, ctx), fresh)
            answer = run.answer(request.q)  # plan and collect
            suggestion = (
                self._suggest(snap, ctx, request.q, answer.compiled.node) if request.spellcheck else None
            )
            corrected = False
            if suggestion is not None:
                alt = run.answer(suggestion.query)
                if not alt.got.total:
                    suggestion = None  # it finds nothing either: no use to the reader
                elif _take_suggestion(answer, suggestion):
                    answer, corrected = alt, True
            hits = run.page(answer)  # page and mark
        got = answer.got
        result = SearchResult(
            query=request.q,
            total=got.total,
            page=request.page,
            per_page=request.per_page,
            took_ms=(time.perf_counter() - t0) * 1000,
            relaxed=answer.relaxed,
            hits=hits,
            facets=facets_of(snap.columns, got) if got.total else {name: [] for name in FACETS},
            max_results=MAX_RESULTS,
            suggestion=suggestion,
            corrected=corrected,
            collapsed=got.collapsed,
        )
        if self.cache.enabled:
            self.cache.put(key, _detached(result))
        return result


def _take_suggestion(answer: Answer, suggestion: Suggestion) -> bool:
    """Whether the suggestion's results replace the query's: always for pinyin; for a slip, unless the query
    found every word together (as typed or in a part of a name, :mod:`search.typed`) or is long (a question,
    a headline: answered as typed, its partial matches fill the page, and the names it holds are likelier
    rare than misspelled)."""
    full_match = answer.got.total > 0 and not (answer.relaxed or answer.compiled.typed)
    return suggestion.reason == PINYIN or not (full_match or answer.compiled.long)
