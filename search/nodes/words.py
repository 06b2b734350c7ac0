"""Words: :class:`Term` (one indexed term of a field) and :class:`Phrase` (units at consecutive positions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from search.nodes.base import NO_MATCHES, Matches, Node, member_index, picked

if TYPE_CHECKING:
    from search.context import Context

#: Phrase position keys: document number << 32 | position (positions are below 2**32 - the phrase length).
_SHIFT = np.int64(32)


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
        # every match is kept for the query (a part of a name is matched as typed, then counted by the spelling
        # check); a phrase already matched everywhere is matched within any documents by picking those
        found = ctx.phrases.get(self)
        if within is not None:
            return self._evaluate(ctx, within) if found is None else picked(found, within)
        if found is None:
            found = ctx.phrases[self] = self._evaluate(ctx, None)
        return found

    def _evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
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
