"""The query tree: plain nodes, each with its match set and its scores over arrays, written once.

:mod:`search.plan` turns the parsed query into a tree of these nodes. ``node.evaluate(ctx, within)`` returns
the :class:`Matches` of the node -- the ascending global document numbers that match (only among ``within``,
an ascending array, when it is given) and each one's score -- computed on numpy arrays: posting lists come
from :meth:`search.context.Context.postings`, ``AND`` narrows ``within`` child by child (rarest first),
``OR`` is a union with the scores summed by ``bincount``, a phrase checks positions of whole arrays.

Scores are Whoosh's BM25F (same idf, quantised field lengths, B and K1; the node's boost multiplies a term's
score), summed over the parts that match; ``tests/test_search.py::test_engine_equals_whoosh_matchers``
checks them against Whoosh's own matchers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from search.context import Context

_EMPTY_I = np.zeros(0, dtype=np.int64)
_EMPTY_F = np.zeros(0, dtype=np.float64)
#: Phrase position keys: document number << 32 | position (positions are below 2**32 - the phrase length).
_SHIFT = np.int64(32)


class Matches(NamedTuple):
    docs: np.ndarray  # int64, ascending, global document numbers
    scores: np.ndarray  # float64, aligned with docs

    def __len__(self) -> int:
        return len(self.docs)


NO_MATCHES = Matches(_EMPTY_I, _EMPTY_F)


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


class _Group(Node):
    """A node over several children (``children``)."""

    __slots__ = ()
    children: tuple[Node, ...]

    def has_phrase(self) -> bool:
        return any(c.has_phrase() for c in self.children)


class _Union(_Group):
    """Any child matches (how their scores combine is the subclass's)."""

    __slots__ = ()

    def _parts(self, ctx: Context, within: np.ndarray | None) -> list[Matches]:
        return [m for m in (c.evaluate(ctx, within) for c in self.children) if len(m)]

    def cost(self, ctx: Context) -> float:
        return min(float(ctx.doc_count), sum(c.cost(ctx) for c in self.children))


class _Wrapping(Node):
    """A node that matches within the matches of its lead part (``child``, or ``required``)."""

    __slots__ = ()

    def _lead(self) -> Node:
        raise NotImplementedError

    def cost(self, ctx: Context) -> float:
        return self._lead().cost(ctx)

    def has_phrase(self) -> bool:
        return self._lead().has_phrase()


@dataclass(frozen=True, slots=True)
class Nothing(Node):
    """Matches no document (a ``source:`` value no article has)."""

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        return NO_MATCHES

    def cost(self, ctx: Context) -> float:
        return 0.0


@dataclass(frozen=True, slots=True)
class Term(Node):
    """One indexed term of a field."""

    field: str
    text: str
    boost: float = 1.0

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        p = ctx.postings(self.field, self.text, within)
        if within is not None:
            hit, at = member_index(p.ids, within)
            docs, tfs = within[hit], p.tfs[at[hit]]
        else:
            docs, tfs = p.ids, p.tfs
        return Matches(docs, ctx.bm25(self.field, self.text, self.boost, docs, tfs))

    def cost(self, ctx: Context) -> float:
        return float(ctx.doc_frequency(self.field, self.text))


@dataclass(frozen=True, slots=True)
class AllOf(_Group):
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


def _union(parts: list[Matches]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The union of the parts' documents, and for each part's every document its index in the union."""
    every = np.concatenate([m.docs for m in parts])
    docs, inverse = np.unique(every, return_inverse=True)
    return docs, inverse, np.concatenate([m.scores for m in parts])


@dataclass(frozen=True, slots=True)
class AnyOf(_Union):
    """Any child matches; the score is the sum of the children that match."""

    children: tuple[Node, ...]

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        parts = self._parts(ctx, within)
        if not parts:
            return NO_MATCHES
        if len(parts) == 1:
            return parts[0]
        docs, inverse, scores = _union(parts)
        return Matches(docs, np.bincount(inverse, weights=scores, minlength=len(docs)))


@dataclass(frozen=True, slots=True)
class BestOf(_Union):
    """Any child matches; the score is the best of the children that match (a word or its longer forms)."""

    children: tuple[Node, ...]

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        parts = self._parts(ctx, within)
        if not parts:
            return NO_MATCHES
        if len(parts) == 1:
            return parts[0]
        docs, inverse, scores = _union(parts)
        best = np.full(len(docs), -1.0)
        np.maximum.at(best, inverse, scores)
        return Matches(docs, best)


@dataclass(frozen=True, slots=True)
class Scaled(_Wrapping):
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
class Excluding(_Wrapping):
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
class WithBonus(_Wrapping):
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


@dataclass(frozen=True, slots=True)
class Near(_Wrapping):
    """``child``, whose best matches rank higher where a run of its words stands together.

    The runs (patterns over folded text) are looked for in the stored title and body of the best matches
    only (:func:`search.collect.proximity_boost`); the matches and the scores are the child's.
    """

    child: Node
    runs: tuple[str, ...]  # regex patterns, see search.highlights.phrase_pattern
    field: str | None = None  # "title" or "body": look there only

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        return self.child.evaluate(ctx, within)

    def _lead(self) -> Node:
        return self.child


@dataclass(frozen=True, slots=True)
class DateRange(Node):
    """Published between ``lo`` and ``hi`` (Whoosh datetime longs, inclusive; None: open)."""

    lo: int | None
    hi: int | None

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        docs = ctx.live_docs() if within is None else within
        mask = ctx.date_mask(self.lo, self.hi)[docs]
        docs = docs[mask]
        return Matches(docs, np.zeros(len(docs), dtype=np.float64))


@dataclass(frozen=True, slots=True)
class Phrase(Node):
    """``units`` at consecutive positions of a unit field (``title_ng``/``body_ng``).

    The units are read rarest first; each next unit is read only in the blocks of the documents still
    standing, and its positions tested at +k of the phrase's start, whole arrays at a time. The score is the
    sum of the units' BM25F scores (a unit repeated in the phrase counts each time) times the boost.
    """

    field: str
    units: tuple[str, ...]
    boost: float = 1.0
    #: each unit's position relative to the first (None: consecutive); a phrase with punctuation inside keeps
    #: the gaps the index leaves there
    offsets: tuple[int, ...] | None = None
    #: a regex the folded stored text of a match must hold (the punctuation of such a phrase)
    verify: str | None = None

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        units = self.units
        n = len(units)
        offsets = self.offsets or tuple(range(n))
        top = max(offsets)
        df = {u: ctx.doc_frequency(self.field, u) for u in set(units)}
        if not all(df.values()):
            return NO_MATCHES
        order = sorted(range(n), key=lambda i: df[units[i]])
        docs = within
        keys: np.ndarray | None = None
        tfs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for i in order:
            p = ctx.postings(self.field, units[i], docs, positions=True)
            if docs is not None:
                hit, at = member_index(p.ids, docs)
                p = p.take(at[hit])
            if not len(p):
                return NO_MATCHES
            assert p.pstart is not None and p.flat is not None
            counts = np.diff(p.pstart)
            here = (np.repeat(p.ids, counts) << _SHIFT) | (p.flat + (top - offsets[i]))
            if keys is None:
                keys = here
            else:
                hit, _ = member_index(here, keys)
                keys = keys[hit]
            if not len(keys):
                return NO_MATCHES
            starts = keys >> _SHIFT
            docs = starts[np.concatenate(([True], starts[1:] != starts[:-1]))]
            tfs[units[i]] = (p.ids, p.tfs)
        assert docs is not None
        if self.verify is not None:
            docs = ctx.text_holds(self.field.removesuffix("_ng"), docs, self.verify)
            if not len(docs):
                return NO_MATCHES
        scores = np.zeros(len(docs), dtype=np.float64)
        for unit in units:
            ids, tf = tfs[unit]
            at = np.searchsorted(ids, docs)
            scores += ctx.bm25(self.field, unit, self.boost, docs, tf[at])
        return Matches(docs, scores)

    def cost(self, ctx: Context) -> float:
        return float(min(ctx.doc_frequency(self.field, u) for u in self.units))

    def has_phrase(self) -> bool:
        return True


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
