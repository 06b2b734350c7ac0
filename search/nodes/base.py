"""The node protocol: :class:`Matches`, :class:`Node`, the kinds of node (over children, wrapping a lead part),
the helpers every operator shares, :class:`Nothing` and :func:`walk`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from search.context import Context

EMPTY_IDS = np.zeros(0, dtype=np.int64)
EMPTY_SCORES = np.zeros(0, dtype=np.float64)


class Matches(NamedTuple):
    docs: np.ndarray  # int64, ascending, global document numbers
    scores: np.ndarray  # float64, aligned with docs

    def __len__(self) -> int:
        return len(self.docs)


NO_MATCHES = Matches(EMPTY_IDS, EMPTY_SCORES)


def member_index(haystack: np.ndarray, needles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ascending ``needles`` and ``haystack``: which needles are in the haystack, and where."""
    if not len(haystack):
        return np.zeros(len(needles), dtype=bool), np.zeros(len(needles), dtype=np.int64)
    at = np.searchsorted(haystack, needles)
    np.minimum(at, len(haystack) - 1, out=at)
    return haystack[at] == needles, at


def restrict(m: Matches, docs: np.ndarray) -> np.ndarray:
    """The scores of ``m`` at ``docs`` (a subset of ``m.docs``)."""
    if len(docs) == len(m.docs):
        return m.scores
    return m.scores[np.searchsorted(m.docs, docs)]


def picked(m: Matches, within: np.ndarray) -> Matches:
    """The matches of ``m`` among ``within`` (ascending), with their scores."""
    hit, at = member_index(m.docs, within)
    return Matches(within[hit], m.scores[at[hit]])


def count_reaching(node: Node, ctx: Context, enough: int, share: int = 8, least: int = 4096) -> int:
    """How many documents ``node`` matches, or some number of them at least ``enough`` (a threshold is all
    the caller asks): counted first among the newest ``1 / share`` of the live documents (an index of at
    least ``least``), where a common phrase soon has ``enough``, then among all when it has fewer there."""
    live = ctx.live_docs()
    if enough > 0 and len(live) >= least:
        part = len(node.evaluate(ctx, live[len(live) - len(live) // share :]))
        if part >= enough:
            return part
    return len(node.evaluate(ctx, None))


class Node:
    """A query node. Subclasses implement :meth:`evaluate` and :meth:`cost`."""

    __slots__ = ()

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        """The node's matches among ``within`` (ascending live document numbers: never a deleted document),
        or among every live document when ``within`` is None."""
        raise NotImplementedError

    def cost(self, ctx: Context) -> float:
        """A guess of how many documents the node matches (to order the parts of an ``AND``)."""
        return float(ctx.doc_count)

    def has_phrase(self) -> bool:
        return False


class Group(Node):
    """A node over several children (``children``)."""

    __slots__ = ()
    children: tuple[Node, ...]

    def has_phrase(self) -> bool:
        return any(c.has_phrase() for c in self.children)


class Union(Group):
    """Any child matches (how their scores combine is the subclass's)."""

    __slots__ = ()

    def _parts(self, ctx: Context, within: np.ndarray | None) -> list[Matches]:
        return [m for m in (c.evaluate(ctx, within) for c in self.children) if len(m)]

    def cost(self, ctx: Context) -> float:
        return min(float(ctx.doc_count), sum(c.cost(ctx) for c in self.children))


class Wrapping(Node):
    """A node that matches within the matches of its lead part (``child``, or ``required``)."""

    __slots__ = ()

    def _lead(self) -> Node:
        raise NotImplementedError

    def cost(self, ctx: Context) -> float:
        return self._lead().cost(ctx)

    def has_phrase(self) -> bool:
        return self._lead().has_phrase()


def union_of(parts: list[Matches]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The union of the parts' documents, and for each part's every document its index in the union: what
    ``np.unique(..., return_inverse=True)`` gives, by a stable sort that merges the parts' ascending runs in
    linear time (``np.unique`` sorts them as if they were in any order)."""
    every = np.concatenate([m.docs for m in parts])
    order = every.argsort(kind="stable")
    ordered = every[order]
    head = np.empty(len(ordered), dtype=bool)
    head[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=head[1:])
    inverse = np.empty(len(ordered), dtype=np.int64)
    inverse[order] = np.cumsum(head) - 1
    return ordered[head], inverse, np.concatenate([m.scores for m in parts])


@dataclass(frozen=True, slots=True)
class Nothing(Node):
    """Matches no document (a ``source:`` value no article has)."""

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        return NO_MATCHES

    def cost(self, ctx: Context) -> float:
        return 0.0


def walk(node: Node, *, scored_only: bool = False) -> Iterator[Node]:
    """Every node of a tree, parents first (``scored_only``: not the excluded parts, which score nothing)."""
    yield node
    for child in getattr(node, "children", ()):
        yield from walk(child, scored_only=scored_only)
    names = (
        ("child", "required", "optional") if scored_only else ("child", "excluded", "required", "optional")
    )
    for name in names:
        child = getattr(node, name, None)
        if isinstance(child, Node):
            yield from walk(child, scored_only=scored_only)
