"""``Searcher``: everything between a query string and a page of results.

One ``Searcher`` per process is meant to be shared by all threads. It queries the pinned index that
:class:`search.live.LiveIndex` serves now (switched when the index on disk changes); the query is planned by
:mod:`search.plan`, collected by :mod:`search.collect` (every match with its score, exact totals and facets,
the top of the ranking) and its page's hits marked by :mod:`search.snippets`.

Pages are kept in a :class:`search.cache.ResultCache` (``cache_size`` entries, 0: none), keyed by the index
version of the snapshot, the synonyms file's version, the normalized query and every search argument; the cache
is cleared when a new snapshot is served. A page served from it has ``cached=True`` and ``took_ms`` is the time
of the lookup.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.reading import IndexReader

from indexer.analysis import units
from indexer.articles import CHINA_TZ
from search import query as ast
from search.articles import ArticleLookups, oldest_first
from search.cache import DEFAULT_ENTRIES, ResultCache
from search.clauses import MAX_EXPANSIONS, Weights
from search.collect import Collected, collect, facets_of, page_scores
from search.context import Context
from search.errors import InvalidParameterError, NoIndexError, PageOutOfRangeError, QueryTooLongError
from search.filters import Filters
from search.fresh import DEFAULT_HALF_LIFE_DAYS, Freshness, parse_half_life, utc_now
from search.latest import LatestArticles
from search.live import REFRESH_INTERVAL, LiveIndex
from search.nodes import Node
from search.pinned import PinnedIndex
from search.plan import CompiledQuery
from search.query import MAX_QUERY_CHARS, normalize_query, parse
from search.ranking import collect_long
from search.results import (
    FACETS,
    SearchResult,
    copy_from_fields,
    hits_from_fields,
)
from search.snippets import Highlighter
from search.spelling import PINYIN, IndexStats, Suggestion
from search.synonyms import SynonymTable
from search.typed import answer_as_typed

SORTS = ("relevance", "newest", "oldest", "fresh")
MAX_PER_PAGE = 50
#: Results beyond this rank are not served.
MAX_RESULTS = 1000


def _to_date(value: date | datetime | str | None, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(CHINA_TZ)
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidParameterError(f"{name}: {value!r} is not a date (use YYYY-MM-DD)")


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

        def text_frequency(text: str) -> int:
            node = snap.builder.phrase_clause(text, [units(text)], None)
            return len(node.evaluate(ctx, None).docs)

        def segment(text: str) -> list[tuple[int, int]]:
            return [(w.start, w.end) for w in snap.analyzer.words(text, removestops=False)]

        known = snap.analyzer.segmenter.has_word
        return speller.suggest(q, tree, IndexStats(frequency, text_frequency, segment, known))

    # -- search ----------------------------------------------------------------------------------------------

    def search(
        self,
        q: str,
        *,
        page: int = 1,
        per_page: int = 10,
        sort: str = "relevance",
        date_from: date | datetime | str | None = None,
        date_to: date | datetime | str | None = None,
        sources: Sequence[str] = (),
        categories: Sequence[str] = (),
        spellcheck: bool = True,
        collapse: bool = True,
    ) -> SearchResult:
        """One page of results for the query ``q`` (see :mod:`search.query` for the language).

        With ``spellcheck``, a word typed in pinyin or a sound-alike slip (:mod:`search.spelling`) gets a
        ``suggestion``; the results are the suggestion's (``corrected``) for pinyin, and for a slip when the
        query as typed is short and has no article with every word. Without it the words are searched as
        typed.

        With ``collapse``, the copies of a story (:mod:`search.collapse`) are ranked once, as the hit of their
        first copy, which lists the others in ``duplicates``; ``total`` and the facets count every match."""
        t0 = time.perf_counter()
        q = "" if q is None else str(q)
        length = len(q.strip())
        if length > MAX_QUERY_CHARS:
            raise QueryTooLongError(
                f"the query is {length} characters long; at most {MAX_QUERY_CHARS} characters are allowed"
            )
        if isinstance(page, bool) or not isinstance(page, int) or page < 1:
            raise PageOutOfRangeError(f"page must be a whole number of at least 1, not {page!r}")
        if isinstance(per_page, bool) or not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
            raise PageOutOfRangeError(f"per_page must be between 1 and {MAX_PER_PAGE}, not {per_page!r}")
        first = (page - 1) * per_page
        if first >= MAX_RESULTS:
            raise PageOutOfRangeError(
                f"only the first {MAX_RESULTS:,} results can be shown; page {page} at {per_page} per page "
                f"starts at result {first + 1:,}"
            )
        if sort not in SORTS:
            raise InvalidParameterError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        d_from, d_to = _to_date(date_from, "date_from"), _to_date(date_to, "date_to")
        if d_from and d_to and d_from > d_to:
            raise InvalidParameterError(f"date_from {d_from} is after date_to {d_to}")
        if isinstance(sources, str):
            sources = (sources,)
        if isinstance(categories, str):
            categories = (categories,)

        snap = self._current()
        key = (
            snap.key,
            self.synonyms.version,
            normalize_query(q),
            page,
            per_page,
            sort,
            d_from,
            d_to,
            frozenset(sources),
            frozenset(categories),
            spellcheck,
            collapse,
        )
        found = self.cache.get(key) if self.cache.enabled else None
        if found is not None:
            return _detached(found, query=q, took_ms=(time.perf_counter() - t0) * 1000, cached=True)
        mask = Filters(d_from, d_to, tuple(sources), tuple(categories)).mask(snap.columns)
        groups = snap.dup_groups() if collapse else None
        keep = min(page * per_page, MAX_RESULTS)
        relaxed = False
        prox = self.weights.proximity
        opts: dict[str, Any] = {"proximity": prox, "collapse": groups}
        if sort == "fresh":
            opts["fresh"] = Freshness(self.fresh_half_life_days, self.clock())
        with snap.context() as ctx:
            s = ctx.searcher
            stored: dict[int, dict[str, Any]] = {}

            def fields(d: int) -> dict[str, Any]:
                found = stored.get(d)
                if found is None:
                    found = stored[d] = s.stored_fields(d)
                return found

            plan = partial(self._plan, snap, ctx)

            def gather(node: Node) -> Collected:
                return collect(ctx, node, keep, sort, mask, stored=fields, **opts)

            def run(text: str) -> tuple[CompiledQuery, Collected, bool, Node | None]:
                compiled = self._plan(snap, ctx, text)
                if compiled.long and sort == "relevance":  # every word first, then some (search.ranking)
                    assert compiled.relaxed is not None
                    long = collect_long(
                        ctx,
                        compiled.strict,
                        compiled.relaxed,
                        keep,
                        mask,
                        stored=fields,
                        proximity=self.weights.long_proximity,
                        collapse=groups,
                    )
                    return compiled, long[0], long[1], compiled.relaxed
                got = Collected(0, [], (np.zeros(0, np.int64),) * 3)
                used = compiled.strict
                if compiled.strict is not None:
                    got = gather(compiled.strict)
                # a part of a name whose words fail is matched as typed (search.typed)
                typed = answer_as_typed(
                    compiled, plan, ctx, got.total, masked=mask is not None, collect=gather
                )
                if typed is not None:
                    return typed[0], typed[1], False, typed[0].strict
                if got.total == 0 and compiled.relaxed is not None:
                    fallback = gather(compiled.relaxed)
                    if fallback.total:
                        return compiled, fallback, True, compiled.relaxed
                return compiled, got, False, used

            compiled, got, relaxed, used = run(q)
            suggestion = self._suggest(snap, ctx, q, compiled.node) if spellcheck else None
            corrected = False
            if suggestion is not None:
                alt = run(suggestion.query)
                full_match = got.total > 0 and not (relaxed or compiled.typed)  # search.typed
                if not alt[1].total:
                    suggestion = None  # it finds nothing either: no use to the reader
                elif suggestion.reason == PINYIN or not (full_match or compiled.long):
                    # a long query (a question, a headline) is answered as typed: its partial matches fill the
                    # page, and the names it holds are likelier rare than misspelled
                    compiled, got, relaxed, used = alt
                    corrected = True
            page_docs = got.top[first : first + per_page]
            if sort in ("newest", "oldest") and page_docs and used is not None:
                page_docs = page_scores(page_docs, used, fields, prox)
            highlighter = Highlighter(compiled.highlights)
            hits = hits_from_fields([(fields(d), score) for d, score in page_docs], highlighter)
            if groups is not None:
                hits = [
                    replace(
                        hit, duplicates=oldest_first(copy_from_fields(fields(o)) for o in groups.others(d))
                    )
                    if groups.multi[d]
                    else hit
                    for hit, (d, _) in zip(hits, page_docs, strict=True)
                ]
        facets = facets_of(snap.columns, got) if got.total else {name: [] for name in FACETS}
        result = SearchResult(
            query=q,
            total=got.total,
            page=page,
            per_page=per_page,
            took_ms=(time.perf_counter() - t0) * 1000,
            relaxed=relaxed,
            hits=hits,
            facets=facets,
            max_results=MAX_RESULTS,
            suggestion=suggestion,
            corrected=corrected,
            collapsed=got.collapsed,
        )
        if self.cache.enabled:
            self.cache.put(key, _detached(result))
        return result

    def ranked_ids(self, q: str, limit: int = 10) -> list[str]:
        """The ids of the best ``limit`` articles for ``q`` by relevance, without building a page (no
        snippets, facets or cache): what the relevance evaluation measures."""
        snap = self._current()
        with snap.context() as ctx:
            s = ctx.searcher
            compiled = self._plan(snap, ctx, q)
            if compiled.long:
                assert compiled.relaxed is not None
                got = collect_long(
                    ctx,
                    compiled.strict,
                    compiled.relaxed,
                    limit,
                    None,
                    stored=s.stored_fields,
                    proximity=self.weights.long_proximity,
                )[0]
                return [s.stored_fields(d)["id"] for d, _ in got.top[:limit]]

            def top(node: Node) -> Collected:
                return collect(ctx, node, limit, "relevance", None, stored=s.stored_fields, proximity=prox)

            prox = self.weights.proximity
            got = top(compiled.strict) if compiled.strict is not None else None
            total = got.total if got is not None else 0
            plan = partial(self._plan, snap, ctx)
            typed = answer_as_typed(compiled, plan, ctx, total, masked=False, collect=top)
            if typed is not None:
                got = typed[1]
            elif not total and compiled.relaxed is not None:
                got = top(compiled.relaxed)
            return [s.stored_fields(d)["id"] for d, _ in got.top[:limit]] if got is not None else []
