"""Ranking long queries (questions, headlines, pasted sentences): how well an article matches, partial matches
after the full ones.

A short keyword query (``电信 诈骗``) asks for articles with every word; only when there are none does the
relaxed fallback list those with some (:mod:`search.plan`). A long query rarely has an article holding every
word -- a question's words are not an article's, a headline's are a rewording of its post -- so
:meth:`search.plan.QueryBuilder.compile` marks it ``long`` and it is ranked in two tiers
(:func:`collect_long`): the articles with every word first, as a keyword query ranks them, then the best of
those with only some of the words, ranked by :class:`Coordinated`: the sum of their words' BM25F scores
(length-normalised, so a short article where the words stand densely beats a long one that holds a few of
them in passing) times the share of the query's weight that the article holds (the coordination factor,
each word weighted by its idf, raised to :attr:`search.clauses.Weights.coordination`), then times the
proximity factor where pairs of the query's words stand together (:class:`search.nodes.Near`). Each word's
score there is scaled by :func:`search.scoring.rarity_factor` first: Whoosh's idf (``log(N / (df + 1)) + 1``) keeps a common
word's score close to a rare one's, so an article holding three common words of a headline could outrank the
short post holding its rare name.

Measured on the CMRC questions, xwlb headlines and short posts: ``bench/results/relevance.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from search.collapse import DupGroups
from search.collect import Collected, collect
from search.nodes import NO_MATCHES, Excluding, Matches, Node, Scaled, Union, union_of
from search.scoring import coordination, rarity_factor

if TYPE_CHECKING:
    from search.context import Context


#: How much more a rare word of a long query counts in a partial match than Whoosh's idf says, see
#: :func:`search.scoring.rarity_factor` (0: Whoosh's idf alone). Measured on the tuning halves of the relevance sets
#: (bench/results/relevance.md): 1, 2 and 3 within 0.001 of each other on each set; 2 kept.
RARITY = 2.0


@dataclass(frozen=True, slots=True)
class Coordinated(Union):
    """Any of the first ``required`` children matches; the others (the common words of a question) add their
    score where they match too. The score is the sum of the matching children's scores times
    ``(held / sum(weights)) ** power``, ``held`` the sum of the ``weights`` of the children that match.

    Each child is given scaled by :func:`~search.scoring.rarity_factor` of its weight (``rarity``: the power, None:
    :data:`RARITY`), so ``children`` holds the scaled nodes."""

    children: tuple[Node, ...]
    weights: tuple[float, ...]
    required: int
    power: float = 1.0
    rarity: float | None = None

    def __post_init__(self) -> None:
        rarity = RARITY if self.rarity is None else self.rarity
        if rarity:
            scaled = tuple(
                Scaled(c, scale=rarity_factor(w, rarity))
                for c, w in zip(self.children, self.weights, strict=True)
            )
            object.__setattr__(self, "children", scaled)
            object.__setattr__(self, "rarity", 0.0)  # scaled once (a copy of the node is not scaled again)

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        found = [
            (c.evaluate(ctx, within), w)
            for c, w in zip(self.children[: self.required], self.weights[: self.required], strict=True)
        ]
        parts = [(m, w) for m, w in found if len(m)]
        if not parts:
            return NO_MATCHES
        docs, inverse, scores = union_of([m for m, _ in parts])
        total = np.bincount(inverse, weights=scores, minlength=len(docs))
        each = np.concatenate([np.full(len(m), w) for m, w in parts])
        held = np.bincount(inverse, weights=each, minlength=len(docs))
        for child, w in zip(self.children[self.required :], self.weights[self.required :], strict=True):
            extra = child.evaluate(ctx, docs)
            if len(extra):
                at = np.searchsorted(docs, extra.docs)
                total[at] += extra.scores
                held[at] += w
        total *= coordination(held, sum(self.weights), self.power)
        return Matches(docs, total)

    def cost(self, ctx: Context) -> float:
        return min(float(ctx.doc_count), sum(c.cost(ctx) for c in self.children[: self.required]))


def collect_long(
    ctx: Context,
    strict: Node | None,
    partial: Node,
    keep: int,
    mask: np.ndarray | None,
    *,
    stored: Callable[[int], dict[str, Any]],
    proximity: float,
    collapse: DupGroups | None = None,
) -> tuple[Collected, bool]:
    """The best ``keep`` of a long query by relevance: the articles matching ``strict`` (every word) first,
    then those matching only ``partial`` (some of the words); and ``relaxed``: True when no article matches
    ``strict`` and some match ``partial`` (every result holds only some of the words).

    Totals and facets count both tiers (each article once: the partial tier leaves out the full matches);
    with ``collapse``, each tier ranks each story once, and a partial match whose story the full tier shows
    is left out.
    """
    full = None
    if strict is not None:
        full = collect(
            ctx, strict, keep, "relevance", mask, stored=stored, proximity=proximity, collapse=collapse
        )
    if full is not None and full.total:
        partial = Excluding(partial, strict)  # type: ignore[arg-type]
    shown = len(full.top) if full is not None else 0
    rest = collect(
        ctx,
        partial,
        max(1, keep - shown),
        "relevance",
        mask,
        stored=stored,
        proximity=proximity if shown < keep else 0.0,  # a full page: the partial tier's order is not shown
        collapse=collapse,
    )
    if full is None or not full.total:
        return rest, rest.total > 0
    if not rest.total:
        return full, False
    below = rest.top
    hidden = full.collapsed + rest.collapsed
    if collapse is not None:
        told = {o for d, _ in full.top for o in collapse.others(d)}
        below = [(d, s) for d, s in rest.top if d not in told]
        hidden += len(rest.top) - len(below)
    facets = tuple(a + b for a, b in zip(full.facets, rest.facets, strict=True))
    return Collected(full.total + rest.total, [*full.top, *below][:keep], facets, hidden), False
