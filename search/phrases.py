"""Exact phrases over the unit fields, without Whoosh's span machinery.

A phrase is a list of units (one CJK character, or a run of other letters and digits) that must stand at
consecutive positions of a ``*_ng`` field (see :mod:`indexer.analysis`). Whoosh's ``Phrase`` query does this
with ``SpanNear2``, whose matcher scans forward through every document holding all the units and builds span
objects. :class:`ExactPhrase` matches the same documents: its matcher intersects the unit postings and checks
the positions of each common document with set arithmetic, and the set evaluation in :mod:`search.collect`
checks only the documents left by the rest of the query (:func:`phrase_docs`). Skipping through the long
posting lists of common characters uses a cached block table (:func:`skip`).

The score of a phrase match is the sum of its units' BM25F scores times the query boost, as Whoosh computes
it for ``Phrase``.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any

from whoosh import matching
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import Query, Term
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher as WhooshSearcher
from whoosh.system import _INT_SIZE

from indexer.codec import ZhLeafMatcher

#: Block tables of posting lists, shared by all readers: (segment id, field, term) -> (max ids, offsets).
#: Segments never change once written, so an entry stays valid for as long as its segment exists.
_TABLES: OrderedDict[tuple[str, str, Any], tuple[list[int], list[int]]] = OrderedDict()
_TABLES_LOCK = threading.Lock()
_TABLES_SIZE = 4096
#: Posting lists with fewer blocks than this are skipped through block by block, as Whoosh does.
_TABLE_MIN_BLOCKS = 8


def _block_table(segment: str, m: Any) -> tuple[list[int], list[int]] | None:
    """The (max id, file offset) of every block of a postings matcher's list, read once per segment."""
    key = (segment, *m.term())
    with _TABLES_LOCK:
        table = _TABLES.get(key)
        if table is not None:
            _TABLES.move_to_end(key)
            return table
    try:
        if isinstance(m, ZhLeafMatcher):
            maxids, offsets = m.block_table()
        else:
            maxids, offsets = _w3_block_table(m)
    except Exception:  # noqa: BLE001 -- another postings layout: skip the way Whoosh does
        return None
    with _TABLES_LOCK:
        _TABLES[key] = (maxids, offsets)
        while len(_TABLES) > _TABLES_SIZE:
            _TABLES.popitem(last=False)
    return maxids, offsets


def _w3_block_table(m: Any) -> tuple[list[int], list[int]]:
    """The block table of a W3 postings list (block headers are pickles)."""
    postfile = m._postfile
    pos = m._baseoffset
    maxids: list[int] = []
    offsets: list[int] = []
    while True:  # the block headers, as W3LeafMatcher._goto reads them
        postfile.seek(pos)
        length = postfile.read_int()
        offsets.append(pos)
        maxids.append(postfile.read_pickle()[1])
        if length < 0:
            break
        pos += _INT_SIZE + length
    return maxids, offsets


def skip(m: Any, target: int, segment: str | None = None) -> None:
    """``m.skip_to(target)`` for a postings matcher, without reading every block on the way.

    Whoosh reads the header of each block it skips (a pickle each) and then steps through the target block
    one posting at a time. On the unit fields, where 国 or 一 is in nearly every article, that is most of
    the cost of a phrase. Here a block table (:func:`_block_table`, built once per term and segment) finds
    the block, and a binary search the posting in it.
    """
    if isinstance(m, FilterMatcher):  # a segment with deleted documents
        skip(m.child, target, segment)
        m._find_next()
        return
    if not hasattr(m, "_skip_to_block") or getattr(m, "_ids", False) is False:
        m.skip_to(target)
        return
    if not m.is_active() or target <= m.id():
        return
    if target > m._maxid:
        table = _block_table(segment, m) if segment is not None and m._lastblock is False else None
        if table is not None and len(table[0]) >= _TABLE_MIN_BLOCKS:
            maxids, offsets = table
            k = bisect_left(maxids, target)
            if k >= len(maxids):
                m._atend = True
                return
            m._goto(offsets[k])
        else:
            m._skip_to_block(lambda: target > m._maxid)
        if not m.is_active():
            return
    if m._ids is None:
        m._read_ids()
    i = bisect_left(m._ids, target, m._i)
    if i < m._blocklength:
        m._i = i
    else:  # cannot happen (target <= the block's max id); stay correct anyway
        m.skip_to(target)


def weights_at(searcher: WhooshSearcher, field: str, text: bytes, docs: Sequence[int]) -> dict[int, float]:
    """The term's weight in each of ``docs`` (ascending, segment-local) that holds it, moving one matcher
    through the posting list with :func:`skip`: a few documents cost a few blocks, not the whole list."""
    reader = searcher.reader()
    try:
        m = reader.postings(field, text)
    except TermNotFound:
        return {}
    segment = reader.segment()
    segid = segment.segment_id() if segment is not None else None
    out: dict[int, float] = {}
    for d in docs:
        if not m.is_active():
            break
        skip(m, d, segid)
        if m.is_active() and m.id() == d:
            out[d] = m.weight()
    return out


class _Probe:
    """Positions-checking access to one phrase in one segment (unit matchers moved forward only)."""

    def __init__(
        self,
        leaves: list[matching.Matcher],
        boost: float,
        rarity: list[int] | None = None,
        segment: str | None = None,
    ) -> None:
        self.leaves = leaves
        self.segment = segment
        self.boost = boost
        self.bound = sum(m.max_quality() for m in leaves) * boost
        # positions are intersected rarest unit first: a scattered candidate fails on the first pair
        self.order = (
            sorted(range(len(leaves)), key=lambda i: rarity[i]) if rarity else list(range(len(leaves)))
        )

    @classmethod
    def open(cls, searcher: WhooshSearcher, field: str, units: Sequence[str], boost: float) -> _Probe | None:
        leaves = []
        context = searcher.context(needs_current=True)
        for unit in units:
            m = Term(field, unit).matcher(searcher, context)
            if not m.is_active():
                return None  # a unit that is not in this segment: the phrase is nowhere here
            leaves.append(m)
        rarity = [searcher.doc_frequency(field, unit) for unit in units]
        segment = searcher.reader().segment()
        return cls(leaves, boost, rarity, segment.segment_id() if segment is not None else None)

    def at(self, doc: int) -> bool:
        """Whether the phrase stands in document ``doc`` (if so, the leaves are left on it).

        The units are moved to ``doc`` rarest first, and their positions intersected as they arrive: a
        candidate where the rare units do not stand side by side is dropped before the common units' posting
        lists are touched.
        """
        leaves = self.leaves
        several = len(leaves) > 1
        starts: set[int] | None = None
        for i in self.order:
            m = leaves[i]
            if not self._move(m, doc):
                return False
            if several:
                shifted = {p - i for p in m.value_as("positions")}
                starts = shifted if starts is None else starts & shifted
                if not starts:
                    return False
        return True

    def on(self, doc: int) -> bool:
        """Move every unit to ``doc`` (rarest first); whether all of them are there."""
        leaves = self.leaves
        return all(self._move(leaves[i], doc) for i in self.order)

    def _move(self, m: Any, doc: int) -> bool:
        """Move one unit's matcher forward to ``doc``; whether the unit is in that document."""
        if not m.is_active():
            return False
        if m.id() < doc:
            skip(m, doc, self.segment)
            if not m.is_active():
                return False
        return m.id() == doc

    def _positions_match(self) -> bool:
        leaves = self.leaves
        if len(leaves) == 1:
            return True
        first, *rest = self.order
        starts = {p - first for p in leaves[first].value_as("positions")}
        for i in rest:
            starts.intersection_update(p - i for p in leaves[i].value_as("positions"))
            if not starts:
                return False
        return True

    def score(self) -> float:
        return sum(m.score() for m in self.leaves) * self.boost


class _PhraseMatcher(matching.Matcher):
    """Documents where the units stand at consecutive positions (see :class:`ExactPhrase`).

    With ``known`` (the phrase's documents in this segment, already checked by the set evaluation of the same
    search), it walks those documents and only moves the units there to score them.
    """

    def __init__(self, probe: _Probe, known: set[int] | None = None) -> None:
        self.probe = probe
        self._active = True
        self._known = sorted(known) if known is not None else None
        self._k = 0
        self._find(0)

    def _find(self, target: int) -> None:
        """Move to the first document >= target that holds the phrase."""
        if self._known is not None:
            known = self._known
            self._k = bisect_left(known, target, self._k)
            if self._k >= len(known):
                self._active = False
                return
            self._doc = known[self._k]
            self.probe.on(self._doc)
            return
        leaves = self.probe.leaves
        while True:
            doc = target
            for m in leaves:  # the largest current id among the units is the next candidate
                if not m.is_active():
                    self._active = False
                    return
                if m.id() < doc:
                    skip(m, doc, self.probe.segment)
                    if not m.is_active():
                        self._active = False
                        return
                doc = max(doc, m.id())
            if all(m.id() == doc for m in leaves):
                if self.probe._positions_match():
                    self._doc = doc
                    return
                target = doc + 1
            else:
                target = doc

    def is_active(self) -> bool:
        return self._active

    def id(self) -> int:
        return self._doc

    def next(self) -> bool:
        if not self._active:
            raise matching.ReadTooFar
        self._find(self._doc + 1)
        return False

    def skip_to(self, target: int) -> bool:
        if not self._active:
            raise matching.ReadTooFar
        if target > self._doc:
            self._find(target)
        return False

    def all_ids(self) -> Iterator[int]:
        while self._active:
            yield self._doc
            self._find(self._doc + 1)

    def replace(self, minquality: float = 0) -> matching.Matcher:
        if not self._active or (minquality and self.max_quality() < minquality):
            return matching.NullMatcher()
        return self

    def copy(self) -> _PhraseMatcher:
        raise NotImplementedError("phrase matchers are not copied")

    def supports(self, astype: str) -> bool:
        return False

    def supports_block_quality(self) -> bool:
        return False  # quality skipping would have to keep the units aligned: not worth it here

    def max_quality(self) -> float:
        return self.probe.bound

    def block_quality(self) -> float:
        return self.probe.bound

    def weight(self) -> float:
        return float(len(self.probe.leaves))

    def score(self) -> float:
        return self.probe.score()

    def spans(self):  # type: ignore[no-untyped-def]
        return []


class ExactPhrase(Query):
    """``units`` at consecutive positions of ``fieldname`` (a one-unit phrase is just that unit's term)."""

    def __init__(self, fieldname: str, units: Sequence[str], boost: float = 1.0) -> None:
        self.fieldname = fieldname
        self.units = list(units)
        self.boost = boost

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and (self.fieldname, self.units, self.boost) == (other.fieldname, other.units, other.boost)  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.fieldname, tuple(self.units), self.boost))

    def __repr__(self) -> str:
        return f"ExactPhrase({self.fieldname!r}, {self.units!r}, boost={self.boost})"

    def __str__(self) -> str:
        boost = f"^{self.boost:g}" if self.boost != 1 else ""
        return f'{self.fieldname}:"{" ".join(self.units)}"{boost}'

    def is_leaf(self) -> bool:
        return True

    def has_terms(self) -> bool:
        return True

    def terms(self, phrases: bool = False):  # type: ignore[no-untyped-def]
        if phrases:
            for unit in self.units:
                yield (self.fieldname, unit)

    def estimate_size(self, ixreader):  # type: ignore[no-untyped-def]
        return min((ixreader.doc_frequency(self.fieldname, u) for u in self.units), default=0)

    def estimate_min_size(self, ixreader):  # type: ignore[no-untyped-def]
        return 0

    def matcher(self, searcher, context=None):  # type: ignore[no-untyped-def]
        probe = _Probe.open(searcher, self.fieldname, self.units, self.boost)
        if probe is None:
            return matching.NullMatcher()
        checked = getattr(context, "phrase_docs", None)
        known = checked.get((id(self), id(searcher.reader()))) if checked is not None else None
        m = _PhraseMatcher(probe, known)
        return m if m.is_active() else matching.NullMatcher()


def phrase_docs(
    q: ExactPhrase, searcher: WhooshSearcher, candidates: set[int], checked: dict[tuple[int, int], set[int]]
) -> set[int]:
    """The documents among ``candidates`` (those holding every unit) where the phrase stands.

    The result is remembered in ``checked`` for the scoring pass of the same search (see ``_PhraseMatcher``).
    """
    if len(q.units) == 1:
        found = candidates
    else:
        probe = _Probe.open(searcher, q.fieldname, q.units, 1.0)
        found = set() if probe is None else {d for d in sorted(candidates) if probe.at(d)}
    checked[(id(q), id(searcher.reader()))] = found
    return found
