"""The query tree as Whoosh queries: Whoosh's own matchers as the reference for the array engine.

``to_whoosh(node)`` builds the Whoosh query with the same meaning as a :mod:`search.nodes` tree (Whoosh's
``Phrase`` for a phrase, ``AndMaybe`` for a bonus, ``DisjunctionMax`` for the best of ...); ``whoosh_matches``
steps its matcher through every segment, one posting at a time, and returns each match with its score.
"""

from __future__ import annotations

from typing import Any

from whoosh import matching
from whoosh.query import And, AndMaybe, AndNot, DisjunctionMax, NullQuery, Or, Phrase, Query, Term
from whoosh.query.wrappers import WrappingQuery
from whoosh.util.times import datetime_to_long

from search import nodes
from search.ranking import Coordinated
from search.relaxed import TitleCovered


class _ScaledMatcher(matching.WrappingMatcher):
    def __init__(self, child: matching.Matcher, scale: float, add: float) -> None:
        super().__init__(child)
        self.scale, self.add = scale, add

    def copy(self) -> _ScaledMatcher:
        return _ScaledMatcher(self.child.copy(), self.scale, self.add)

    def _replacement(self, newchild: matching.Matcher) -> _ScaledMatcher:
        return _ScaledMatcher(newchild, self.scale, self.add)

    def supports_block_quality(self) -> bool:
        return False

    def score(self) -> float:
        return self.add if self.scale == 0 else self.child.score() * self.scale + self.add


class Scaled(WrappingQuery):
    def __init__(self, child: Query, scale: float, add: float) -> None:
        super().__init__(child)
        self.scale, self.add = scale, add

    def _rewrap(self, child: Query) -> Scaled:
        return Scaled(child, self.scale, self.add)

    def matcher(self, searcher, context=None):  # type: ignore[no-untyped-def]
        m = self.child.matcher(searcher, context)
        return m if isinstance(m, matching.NullMatcherClass) else _ScaledMatcher(m, self.scale, self.add)


class _PublishedBetween(Query):
    """Documents whose stored ``published`` lies in ``[lo, hi]`` (datetime longs; None: open): read from the
    stored fields, one document at a time (``published`` is a column, not indexed as terms)."""

    def __init__(self, lo: int | None, hi: int | None) -> None:
        self.lo, self.hi = lo, hi

    def estimate_size(self, ixreader) -> int:  # type: ignore[no-untyped-def]
        return ixreader.doc_count_all()

    def estimate_min_size(self, ixreader) -> int:  # type: ignore[no-untyped-def]
        return 0

    def matcher(self, searcher, context=None):  # type: ignore[no-untyped-def]
        reader = searcher.reader()
        ids = []
        for d in range(reader.doc_count_all()):
            when = None if reader.is_deleted(d) else reader.stored_fields(d).get("published")
            if when is None:
                continue
            v = datetime_to_long(when)
            if (self.lo is None or v >= self.lo) and (self.hi is None or v <= self.hi):
                ids.append(d)
        return matching.ListMatcher(ids, [1.0] * len(ids)) if ids else matching.NullMatcher()


class _AndNotMatcher(matching.AndNotMatcher):
    """whoosh3 3.54's ``AndNotMatcher`` returns its first document unchecked when the excluded matcher starts
    before the required one; this one checks it."""

    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class Excluding(AndNot):
    def matcher(self, searcher, context=None):  # type: ignore[no-untyped-def]
        return _AndNotMatcher(
            self.a.matcher(searcher, context), self.b.matcher(searcher, searcher.boolean_context())
        )


def to_whoosh(node: nodes.Node) -> Query:
    """The Whoosh query meaning the same as ``node``."""
    if isinstance(node, nodes.Term):
        return Term(node.field, node.text, boost=node.boost)
    if isinstance(node, nodes.Phrase):
        if len(node.units) == 1:
            return Term(node.field, node.units[0], boost=node.boost)
        return Phrase(node.field, list(node.units), boost=node.boost)
    if isinstance(node, nodes.AllOf):
        return And([to_whoosh(c) for c in node.children])
    if isinstance(node, nodes.AnyOf):
        return Or([to_whoosh(c) for c in node.children])
    if isinstance(node, nodes.BestOf):
        return DisjunctionMax([to_whoosh(c) for c in node.children])
    if isinstance(node, nodes.Scaled):
        return Scaled(to_whoosh(node.child), node.scale, node.add)
    if isinstance(node, nodes.Excluding):
        return Excluding(to_whoosh(node.child), to_whoosh(node.excluded))
    if isinstance(node, nodes.WithBonus):
        return AndMaybe(to_whoosh(node.required), to_whoosh(node.optional))
    if isinstance(node, nodes.Near):
        return to_whoosh(node.child)
    if isinstance(node, nodes.DateRange):
        return Scaled(_PublishedBetween(node.lo, node.hi), 0.0, 0.0)
    if isinstance(node, nodes.Nothing):
        return NullQuery
    raise TypeError(f"no Whoosh query for {node!r}")


def whoosh_matches(searcher: Any, node: nodes.Node) -> dict[int, float]:
    """Every (global) document matching ``node`` with its score, by Whoosh's matchers (a long query's
    :class:`~search.ranking.Coordinated` union: its children's, put together one document at a time)."""
    while isinstance(node, nodes.Near):
        node = node.child
    if isinstance(node, Coordinated):
        parts = [whoosh_matches(searcher, c) for c in node.children]
        found = set().union(*parts[: node.required])
        out = {}
        for d in found:
            held = sum(w for part, w in zip(parts, node.weights, strict=True) if d in part)
            score = sum(part[d] for part in parts if d in part)
            out[d] = score * (held / sum(node.weights)) ** node.power
        if (
            isinstance(node, TitleCovered) and node.cover
        ):  # times 1 + cover * share of the title covered ** power
            reader = searcher.reader()
            for d in out:
                title = {
                    w for w, _ in node.cover_words if d in whoosh_matches(searcher, nodes.Term("title", w))
                }
                covered = sum(size for w, size in node.cover_words if w in title)
                share = min(covered / max(reader.doc_field_length(d, "title_ng", 0), 1), 1.0)
                out[d] *= 1.0 + node.cover * share**node.cover_power
        return out
    q = to_whoosh(node)
    out: dict[int, float] = {}
    for sub, offset in searcher.leaf_searchers():
        m = q.matcher(sub, searcher.context(needs_current=True))
        while m.is_active():
            out[m.id() + offset] = m.score()
            m.next()
    return out
