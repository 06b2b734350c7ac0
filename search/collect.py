"""Collecting results: every match with its score, exact totals and facets, the top of the ranking.

One pass over arrays: the query tree (:mod:`search.nodes`) gives every matching document and its BM25F score
(among the filtered documents when there is a filter); the total is their number, each facet a ``bincount``
over the snapshot's columns; the best ``keep`` are taken with ``argpartition`` and sorted by score, ties by
the id's rank. The proximity factor re-ranks the best :data:`PROXIMITY_POOL` of them from their stored text
(:func:`~search.nodes.near.proximity_boosts`). Date sorts order the matches by the ``published`` column; ``sort="fresh"``
multiplies every score by the decay of its article's age first (:mod:`search.fresh`), then ranks as relevance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from search.collapse import DupGroups
from search.columns import Columns
from search.context import Context
from search.fresh import Freshness
from search.nodes import Node, proximity_boosts, proximity_runs
from search.results import Facets

#: The best documents by their words' score that are re-ranked with the proximity factor (see
#: :func:`~search.nodes.near.proximity_boosts`). A fixed number, so that pages never overlap: ranks beyond it keep the word order.
PROXIMITY_POOL = 64


@dataclass
class Collected:
    total: int
    top: list[tuple[int, float]]  # (docnum, score) best first (or by date)
    facets: tuple[np.ndarray, ...]  # source, category, year, month code -> count
    #: matches left out of the ranking as copies of a story ranked above (see :mod:`search.collapse`)
    collapsed: int = 0


def _best(docs: np.ndarray, scores: np.ndarray, rank: np.ndarray, keep: int) -> np.ndarray:
    """Indexes of the ``keep`` best (score descending, then id rank ascending), in that order."""
    if len(docs) > keep:
        threshold = -np.partition(-scores, keep - 1)[keep - 1]
        pool = np.flatnonzero(scores >= threshold)  # ties at the threshold stay in, ranked by id below
    else:
        pool = np.arange(len(docs))
    order = np.lexsort((rank[docs[pool]], -scores[pool]))
    return pool[order[:keep]]


def collect(
    ctx: Context,
    node: Node,
    keep: int,
    sort: str,
    mask: np.ndarray | None,
    *,
    stored: Callable[[int], dict[str, Any]],
    proximity: float = 0.5,
    collapse: DupGroups | None = None,
    fresh: Freshness | None = None,
) -> Collected:
    """Total, facet counts and the best ``keep`` documents by ``sort`` (``mask``: the filters' documents).

    ``stored(docnum)`` gives a document's stored fields (for the proximity check and the caller's hits);
    ``collapse``: rank each story's first copy only (the total and the facets count every match);
    ``fresh``: the decay of ``sort="fresh"`` (its default half-life when None).
    """
    cols = ctx.columns
    within = None if mask is None else np.flatnonzero(ctx.live(mask))
    m = node.evaluate(ctx, within)
    docs, scores = m.docs, m.scores
    facets = _facets(cols, docs)
    if not len(docs):
        return Collected(0, [], facets)
    total, hidden = len(docs), 0
    if sort == "fresh":
        scores = (fresh or Freshness()).scores(cols.published[docs], scores)
        sort = "relevance"
    if collapse is not None:
        heads = collapse.heads(docs, scores, sort, cols)
        hidden = len(docs) - int(np.count_nonzero(heads))
        if hidden:
            docs, scores = docs[heads], scores[heads]
    if sort != "relevance":
        order = cols.order(docs, sort)[:keep]
        at = np.searchsorted(docs, order)
        return Collected(total, list(zip(order.tolist(), scores[at].tolist(), strict=True)), facets, hidden)
    runs = proximity_runs(node) if proximity > 0 else []
    best = _best(docs, scores, cols.rank, max(keep, PROXIMITY_POOL) if runs else keep)
    top = list(zip(docs[best].tolist(), scores[best].tolist(), strict=True))
    if runs:
        pool = top[:PROXIMITY_POOL]
        factors = proximity_boosts([stored(d) for d, _ in pool], runs, proximity)
        pool = [(d, s * f) for (d, s), f in zip(pool, factors, strict=True)]
        rank = cols.rank
        pool.sort(key=lambda item: (-item[1], rank[item[0]]))
        top = [*pool, *top[PROXIMITY_POOL:]][:keep]
    return Collected(total, top, facets, hidden)


def page_scores(
    top: list[tuple[int, float]], node: Node, stored: Callable[[int], dict[str, Any]], proximity: float
) -> list[tuple[int, float]]:
    """The scores of a page sorted by date, with the proximity factor as a relevance page would have it."""
    runs = proximity_runs(node) if proximity > 0 else []
    if not runs:
        return top
    factors = proximity_boosts([stored(d) for d, _ in top], runs, proximity)
    return [(d, s * f) for (d, s), f in zip(top, factors, strict=True)]


def _facets(cols: Columns, docs: np.ndarray) -> tuple[np.ndarray, ...]:
    return (
        np.bincount(cols.source[docs], minlength=len(cols.source_names)),
        np.bincount(cols.category[docs], minlength=len(cols.category_names)),
        np.bincount(cols.year[docs], minlength=len(cols.year_values)),
        np.bincount(cols.month[docs], minlength=len(cols.month_values)),
    )


def facets_of(cols: Columns, got: Collected) -> Facets:
    """Facet lists: sources and categories by count (then value), years newest first, months ("YYYY-MM") oldest
    first (a timeline); empty values left out."""
    n_src, n_cat, n_year, n_month = got.facets

    def named(names: list[str], counts: np.ndarray) -> list[tuple[Any, int]]:
        pairs = [(names[code], int(counts[code])) for code in np.flatnonzero(counts) if names[code]]
        pairs.sort(key=lambda p: (-p[1], p[0]))
        return pairs

    years = [(cols.year_values[c], int(n_year[c])) for c in np.flatnonzero(n_year) if cols.year_values[c]]
    years.sort(reverse=True)
    return {
        "source": named(cols.source_names, n_src),
        "category": named(cols.category_names, n_cat),
        "year": years,
        "month": [(cols.month_values[c], int(n_month[c])) for c in np.flatnonzero(n_month) if c],
    }
