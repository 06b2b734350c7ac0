"""Combining nodes: every child (:class:`AllOf`), any (:class:`AnyOf`, :class:`BestOf`), a child rescored
(:class:`Scaled`), without the matches of another (:class:`Excluding`), with another's score where it matches
too (:class:`WithBonus`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from search.nodes.base import NO_MATCHES, Group, Matches, Node, Union, Wrapping, restrict, union_of

if TYPE_CHECKING:
    from search.context import Context


@dataclass(frozen=True, slots=True)
class AllOf(Group):
    """Every child matches; the score is the sum of theirs. The children are evaluated cheapest first, each
    among the documents left by the ones before (phrases last: their positions are checked on what is left)."""

    children: tuple[Node, ...]

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        order = sorted(
            range(len(self.children)),
            key=lambda i: (self.children[i].has_phrase(), self.children[i].cost(ctx)),
        )
        found: dict[int, Matches] = {}
        docs = within
        for i in order:
            m = self.children[i].evaluate(ctx, docs)
            if not len(m):
                return NO_MATCHES
            found[i] = m
            docs = m.docs
        assert docs is not None
        scores = np.zeros(len(docs), dtype=np.float64)
        for i in range(len(self.children)):
            scores += restrict(found[i], docs)
        return Matches(docs, scores)

    def cost(self, ctx: Context) -> float:
        return min(c.cost(ctx) for c in self.children)


@dataclass(frozen=True, slots=True)
class AnyOf(Union):
    """Any child matches; the score is the sum of the children that match."""

    children: tuple[Node, ...]

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        parts = self._parts(ctx, within)
        if not parts:
            return NO_MATCHES
        if len(parts) == 1:
            return parts[0]
        docs, inverse, scores = union_of(parts)
        return Matches(docs, np.bincount(inverse, weights=scores, minlength=len(docs)))


@dataclass(frozen=True, slots=True)
class BestOf(Union):
    """Any child matches; the score is the best of the children that match (a word or its longer forms)."""

    children: tuple[Node, ...]

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        parts = self._parts(ctx, within)
        if not parts:
            return NO_MATCHES
        if len(parts) == 1:
            return parts[0]
        docs, inverse, scores = union_of(parts)
        best = np.full(len(docs), -1.0)
        np.maximum.at(best, inverse, scores)
        return Matches(docs, best)


@dataclass(frozen=True, slots=True)
class Scaled(Wrapping):
    """``child`` with its score turned into ``score * scale + add`` (``scale=0``: a filter scoring ``add``)."""

    child: Node
    scale: float = 1.0
    add: float = 0.0

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        m = self.child.evaluate(ctx, within)
        if not len(m):
            return m
        if self.scale == 0:
            return Matches(m.docs, np.full(len(m.docs), float(self.add)))
        return Matches(m.docs, m.scores * self.scale + self.add)

    def _lead(self) -> Node:
        return self.child


@dataclass(frozen=True, slots=True)
class Excluding(Wrapping):
    """``child`` without the documents matching ``excluded`` (which scores nothing)."""

    child: Node
    excluded: Node

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        m = self.child.evaluate(ctx, within)
        if not len(m):
            return m
        out = self.excluded.evaluate(ctx, m.docs)
        if not len(out):
            return m
        keep = ~np.isin(m.docs, out.docs, assume_unique=True)
        return Matches(m.docs[keep], m.scores[keep])

    def _lead(self) -> Node:
        return self.child


@dataclass(frozen=True, slots=True)
class WithBonus(Wrapping):
    """``required``, plus the score of ``optional`` where it matches too (the common words of a question)."""

    required: Node
    optional: Node

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        m = self.required.evaluate(ctx, within)
        if not len(m):
            return m
        extra = self.optional.evaluate(ctx, m.docs)
        if not len(extra):
            return m
        scores = m.scores.copy()
        scores[np.searchsorted(m.docs, extra.docs)] += extra.scores
        return Matches(m.docs, scores)

    def _lead(self) -> Node:
        return self.required
