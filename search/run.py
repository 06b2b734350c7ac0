"""One search on one pinned index: plan → collect → page → mark.

:class:`SearchRun` holds what a request needs while its snapshot's context is open: the filter mask, the story
groups, the stored fields read so far (each article's once). :meth:`SearchRun.answer` plans a query string and
collects its matches (a long question in two tiers, a part of a name as typed, or else the any-word fallback);
:meth:`SearchRun.page` takes the request's page of the ranking and marks its hits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from search import query as ast
from search.articles import oldest_first
from search.clauses import Weights
from search.collect import Collected, collect, page_scores
from search.context import Context
from search.filters import Filters
from search.fresh import Freshness
from search.nodes import Node
from search.pinned import PinnedIndex
from search.plan import CompiledQuery
from search.ranking import collect_long
from search.request import SearchRequest
from search.results import Hit, copy_from_fields, hits_from_fields
from search.snippets import Highlighter
from search.typed import answer_as_typed

#: Plans a query string (or a syntax tree) on the run's index (``Searcher._plan``).
Plan = Callable[[str | ast.Node | None], CompiledQuery]


@dataclass
class Answer:
    """What a query string found: its plan, its matches, whether only some words match (``relaxed``), and the
    tree the matches are scored by (``used``; None when nothing can match)."""

    compiled: CompiledQuery
    got: Collected
    relaxed: bool
    used: Node | None


NO_MATCH = Collected(0, [], (np.zeros(0, np.int64),) * 3)


class SearchRun:
    """A request on one snapshot while its context ``ctx`` is open (see the module docs)."""

    def __init__(
        self,
        snap: PinnedIndex,
        ctx: Context,
        request: SearchRequest,
        weights: Weights,
        plan: Plan,
        fresh: Freshness | None = None,
    ) -> None:
        self.ctx, self.request, self.weights, self.plan = ctx, request, weights, plan
        filters = Filters(request.date_from, request.date_to, request.sources, request.categories)
        self.mask = filters.mask(snap.columns)
        self.groups = snap.dup_groups() if request.collapse else None
        self._stored: dict[int, dict[str, Any]] = {}
        self._opts: dict[str, Any] = {"proximity": weights.proximity, "collapse": self.groups}
        if request.sort == "fresh" and fresh is not None:
            self._opts["fresh"] = fresh

    def fields(self, docnum: int) -> dict[str, Any]:
        """The stored fields of an article (read once per run)."""
        found = self._stored.get(docnum)
        if found is None:
            found = self._stored[docnum] = self.ctx.searcher.stored_fields(docnum)
        return found

    def gather(self, node: Node) -> Collected:
        """Every match of ``node`` among the filtered articles, with the request's best ranked."""
        return collect(
            self.ctx, node, self.request.keep, self.request.sort, self.mask, stored=self.fields, **self._opts
        )

    # -- plan and collect ------------------------------------------------------------------------------------

    def answer(self, text: str) -> Answer:
        """Plan ``text`` and collect its matches (see :mod:`search.ranking` and :mod:`search.typed`)."""
        compiled = self.plan(text)
        if compiled.long and self.request.sort == "relevance":  # every word first, then some
            return self._long(compiled)
        got = NO_MATCH if compiled.strict is None else self.gather(compiled.strict)
        # a part of a name whose words fail is matched as typed (search.typed)
        typed = answer_as_typed(
            compiled, self.plan, self.ctx, got.total, masked=self.mask is not None, collect=self.gather
        )
        if typed is not None:
            return Answer(typed[0], typed[1], False, typed[0].strict)
        if got.total == 0 and compiled.relaxed is not None:
            fallback = self.gather(compiled.relaxed)
            if fallback.total:
                return Answer(compiled, fallback, True, compiled.relaxed)
        return Answer(compiled, got, False, compiled.strict)

    def _long(self, compiled: CompiledQuery) -> Answer:
        assert compiled.relaxed is not None
        got, relaxed = collect_long(
            self.ctx,
            compiled.strict,
            compiled.relaxed,
            self.request.keep,
            self.mask,
            stored=self.fields,
            proximity=self.weights.long_proximity,
            collapse=self.groups,
        )
        return Answer(compiled, got, relaxed, compiled.relaxed)

    # -- page and mark ---------------------------------------------------------------------------------------

    def page(self, answer: Answer) -> list[Hit]:
        """The request's page of ``answer``'s ranking as hits, their words marked in title and snippet, each
        story's other copies listed (with ``collapse``)."""
        request = self.request
        docs = answer.got.top[request.first : request.first + request.per_page]
        if request.sort in ("newest", "oldest") and docs and answer.used is not None:
            docs = page_scores(docs, answer.used, self.fields, self.weights.proximity)
        highlighter = Highlighter(answer.compiled.highlights)
        hits = hits_from_fields([(self.fields(d), score) for d, score in docs], highlighter)
        groups = self.groups
        if groups is None:
            return hits
        return [
            replace(hit, duplicates=oldest_first(copy_from_fields(self.fields(o)) for o in groups.others(d)))
            if groups.multi[d]
            else hit
            for hit, (d, _) in zip(hits, docs, strict=True)
        ]
