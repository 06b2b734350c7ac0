"""The latest articles of the index served now, without a query: a news site's latest-news feed.

:class:`LatestArticles` is mixed into :class:`search.Searcher`, which gives it the pinned index it serves. The
filters are those of a search (publication days, sources, categories); only dated articles are listed, newest
first (ties by id), and with ``collapse`` each story once, as its newest copy (the others in ``duplicates``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import numpy as np

from search.articles import oldest_first
from search.filters import Filters
from search.pinned import PinnedIndex
from search.results import Hit, copy_from_fields, hit_from_fields
from search.snippets import Highlighter

#: Most articles listed at once.
MAX_LATEST = 100


class LatestArticles:
    """The newest dated articles on the pinned index of ``_current()``."""

    def _current(self) -> PinnedIndex:
        raise NotImplementedError

    def latest(
        self,
        limit: int = 20,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        sources: Sequence[str] = (),
        categories: Sequence[str] = (),
        collapse: bool = True,
    ) -> list[Hit]:
        """The ``limit`` newest dated articles passing the filters, each with the opening of its body as its
        snippet."""
        limit = max(0, min(int(limit), MAX_LATEST))
        snap = self._current()
        cols = snap.columns
        mask = Filters(date_from, date_to, tuple(sources), tuple(categories)).mask(cols)
        with snap.context() as ctx:
            wanted = cols.dated if mask is None else cols.dated & mask
            docs = np.flatnonzero(ctx.live(wanted))
            groups = snap.dup_groups() if collapse else None
            if groups is not None and len(docs):
                docs = docs[groups.heads(docs, np.zeros(len(docs)), "newest", cols)]
            order = cols.order(docs, "newest")[:limit]
            s = ctx.searcher
            highlighter = Highlighter([])
            hits = []
            for d in order.tolist():
                hit = hit_from_fields(s.stored_fields(d), 0.0, highlighter)
                if groups is not None and groups.multi[d]:
                    copies = oldest_first(copy_from_fields(s.stored_fields(o)) for o in groups.others(d))
                    hit = replace(hit, duplicates=copies)
                hits.append(hit)
        return hits
