"""Reading a term's postings (document numbers and term frequencies) once per search.

Both passes of a search need the postings of the same terms: the set evaluation their document numbers,
the scoring their term frequencies. Decoding a Whoosh postings block (unpickle, decompress, delta-decode) is
the largest cost of a query on a big index, so the lists are read a block at a time into plain lists and
kept in a :class:`SearchCache` for the rest of the search.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher as WhooshSearcher

from indexer.codec import DecodedBlock, ZhLeafMatcher

Postings = tuple[list[int], list[float]]
#: Per posting: the positions as a list (this project's codec) or Whoosh's encoded value (other codecs).
Values = list[Any]


class LazyPositions(Sequence[list[int]]):
    """The positions of a posting list, by posting number, decoded only for the postings asked for (a phrase
    check asks for its few candidate documents, not for every document holding a common character)."""

    def __init__(self) -> None:
        self.blocks: list[DecodedBlock] = []
        self.starts: list[int] = []
        self.count = 0

    def add(self, block: DecodedBlock) -> None:
        self.blocks.append(block)
        self.starts.append(self.count)
        self.count += len(block.ids)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> list[int]:  # type: ignore[override]
        if not 0 <= i < self.count:
            raise IndexError(i)
        k = bisect_right(self.starts, i) - 1
        return self.blocks[k].posting_positions(i - self.starts[k])


class SearchCache:
    """What one search reads once and uses twice: postings lists, and the documents of each phrase."""

    def __init__(self) -> None:
        self.postings: dict[tuple[int, str, bytes], Postings] = {}
        self.values: dict[tuple[int, str, bytes], Values] = {}
        self.phrases: dict[tuple[int, int], set[int]] = {}


_EMPTY: Postings = ([], [])


def read_postings(
    sub: WhooshSearcher, field: str, text: str | bytes, cache: SearchCache | None, *, values: bool = False
) -> Postings:
    """The (segment-local) document numbers and weights of a term, deleted documents left out.

    With ``values``, the encoded values (positions) are kept too, in ``cache.values`` under the same key.
    """
    reader = sub.reader()
    if field not in sub.schema:
        return _EMPTY
    fieldobj = sub.schema[field]
    try:
        btext = fieldobj.to_bytes(text) if isinstance(text, str) else text
    except ValueError:
        return _EMPTY
    key = (id(reader), field, btext)
    if cache is not None:
        found = cache.postings.get(key)
        if found is not None and (not values or key in cache.values):
            return found
    try:
        m: Any = reader.postings(field, btext)
    except TermNotFound:
        return _EMPTY
    deleted: set[int] | None = None
    while isinstance(m, FilterMatcher):
        deleted = m._ids if m._exclude else None
        m = m.child
    ids: list[int] = []
    weights: list[float] = []
    vals: Any = []
    if isinstance(m, ZhLeafMatcher):  # the compact blocks: ids, weights and positions as lists
        lazy = LazyPositions()
        while m.is_active():
            if m._block is None:
                m._read_data()
            block = m._block
            ids.extend(block.ids)
            weights.extend(block.weights)
            if values:
                if block.has_positions:
                    lazy.add(block)
                else:
                    vals.extend(block.values())
            m._next_block()
        if lazy.blocks:
            vals = lazy
    elif hasattr(m, "_read_ids") and hasattr(m, "_read_weights") and hasattr(m, "_next_block"):
        while m.is_active():  # a block at a time (whoosh3's W3LeafMatcher)
            if m._ids is None:
                m._read_ids()
            if m._weights is None:
                m._read_weights()
            ids.extend(m._ids)
            weights.extend(m._weights)
            if values:
                if m._values is None:
                    m._read_values()
                vals.extend(m._values)
            m._next_block()
    else:
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            if values:
                vals.append(m.value())
            m.next()
    if deleted:
        keep = [i for i, d in enumerate(ids) if d not in deleted]
        ids = [ids[i] for i in keep]
        weights = [weights[i] for i in keep]
        if values:
            vals = [vals[i] for i in keep]
    found = (ids, weights)
    if cache is not None:
        cache.postings[key] = found
        if values:
            cache.values[key] = vals
    return found


def cached_values(sub: WhooshSearcher, field: str, text: str | bytes, cache: SearchCache) -> Values | None:
    """The encoded values kept by :func:`read_postings` for a term, if they were read."""
    fieldobj = sub.schema[field]
    btext = fieldobj.to_bytes(text) if isinstance(text, str) else text
    return cache.values.get((id(sub.reader()), field, btext))
