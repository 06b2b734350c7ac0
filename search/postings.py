"""Posting lists as numpy arrays, read straight from a segment's memory-mapped postings file.

A posting list written by :mod:`indexer.codec` is a run of blocks (the layout: :mod:`indexer.format.layout`).
:class:`TermList` holds one term's block table in one segment and decodes all its blocks, or only the blocks
that can hold some given documents, through :mod:`indexer.format.blocks` (the format's one bulk reader). Python
runs per block and per term, never per posting. Here: the postings as arrays, the per-segment reader with its
deletion mask, and the cache of block tables.

Lists in another layout (an index written before this codec, inlined postings) are read through Whoosh's
matcher: correct, slower, and only until the next reindex rebuilds the index.
"""

from __future__ import annotations

import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.reading import SegmentReader, TermNotFound

from indexer.compat import postings_buffer
from indexer.format.blocks import NotOurPostings, block_table, decode_blocks, exclusive_cumsum

_EMPTY_I = np.zeros(0, dtype=np.int64)
_EMPTY_F = np.zeros(0, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Postings:
    """Postings of one term: ascending document numbers, their frequencies and, when read, positions.

    ``flat[pstart[i]:pstart[i + 1]]`` are the (absolute, ascending) positions of posting ``i``.
    """

    ids: np.ndarray  # int64
    tfs: np.ndarray  # float64
    pstart: np.ndarray | None = None  # int64, len(ids) + 1
    flat: np.ndarray | None = None  # int64

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, idx: np.ndarray) -> Postings:
        """The postings at ``idx`` (ascending), positions included."""
        if self.flat is None or self.pstart is None:
            return Postings(self.ids[idx], self.tfs[idx])
        starts = self.pstart[idx]
        counts = self.pstart[idx + 1] - starts
        return Postings(
            self.ids[idx], self.tfs[idx], exclusive_cumsum(counts), self.flat[ragged(starts, counts)]
        )

    def shifted(self, offset: int) -> Postings:
        if not offset:
            return self
        return Postings(self.ids + offset, self.tfs, self.pstart, self.flat)


EMPTY = Postings(_EMPTY_I, _EMPTY_F, np.zeros(1, dtype=np.int64), _EMPTY_I)


#: Block tables kept per pinned index (shared by its readers), the terms read last.
TERM_LISTS_KEPT = 4096


class TermLists:
    """The block tables of the terms read last, for every segment of a pinned index (LRU, thread-safe; a
    segment never changes, so an entry stays valid as long as the pinned index)."""

    def __init__(self, size: int = TERM_LISTS_KEPT) -> None:
        self.size = size
        self._lists: OrderedDict[tuple[str, str, bytes], TermList | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, bytes]) -> tuple[bool, TermList | None]:
        with self._lock:
            if key in self._lists:
                self._lists.move_to_end(key)
                return True, self._lists[key]
        return False, None

    def put(self, key: tuple[str, str, bytes], value: TermList | None) -> None:
        with self._lock:
            self._lists[key] = value
            if len(self._lists) > self.size:
                self._lists.popitem(last=False)


def ragged(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indexes ``starts[i], starts[i] + 1, ..., starts[i] + counts[i] - 1`` for every ``i``, in one array."""
    total = int(counts.sum())
    if not total:
        return _EMPTY_I
    ends = np.cumsum(counts)
    return np.repeat(starts - ends + counts, counts) + np.arange(total, dtype=np.int64)


class TermList:
    """One term's posting list in one segment, in this project's block layout: its block table
    (:func:`indexer.format.blocks.block_table`) over the segment's postings buffer."""

    __slots__ = ("buf", "table", "count", "firsts", "lasts")

    def __init__(self, buf: Any, start: int, length: int) -> None:
        self.buf = buf
        self.table = block_table(buf, start, length)
        self.firsts = self.table.firsts
        self.lasts = self.table.lasts
        self.count = self.table.count

    def blocks_for(self, docs: np.ndarray) -> np.ndarray:
        """The blocks that can hold any of ``docs`` (segment-local, ascending)."""
        k = np.searchsorted(self.lasts, docs)  # ascending, as docs are
        k = k[k < len(self.lasts)]
        if len(k) > 1:
            k = k[np.concatenate(([True], k[1:] != k[:-1]))]
        if len(k):
            k = k[self.firsts[k] <= docs[-1]]
        return k

    def read(self, blocks: np.ndarray | None = None, positions: bool = False) -> Postings:
        """Decode the given blocks (all when None) into arrays."""
        sel = np.arange(len(self.firsts)) if blocks is None else blocks
        if not len(sel):
            return EMPTY
        ids, tfs, pstart, flat = decode_blocks(self.buf, self.table, sel, positions)
        if not positions:
            return Postings(ids, tfs)
        return Postings(ids, tfs, pstart, flat)


def _whoosh_postings(reader: SegmentReader, field: str, btext: bytes, positions: bool) -> Postings:
    """Any other layout, through Whoosh's matcher (one posting at a time)."""
    try:
        m = reader.postings(field, btext)
    except TermNotFound:
        return EMPTY
    ids: list[int] = []
    tfs: list[float] = []
    flat: list[int] = []
    counts: list[int] = []
    while m.is_active():
        ids.append(m.id())
        tfs.append(m.weight())
        if positions:
            ps = m.value_as("positions")
            flat.extend(ps)
            counts.append(len(ps))
        m.next()
    if not positions:
        return Postings(np.array(ids, dtype=np.int64), np.array(tfs, dtype=np.float64))
    return Postings(
        np.array(ids, dtype=np.int64),
        np.array(tfs, dtype=np.float64),
        exclusive_cumsum(np.array(counts, dtype=np.int64)),
        np.array(flat, dtype=np.int64),
    )


class Segment:
    """One segment of a pinned index: where its documents start, its deletions and its postings file."""

    def __init__(self, reader: SegmentReader, offset: int, lists: TermLists | None = None) -> None:
        self.reader = reader
        segment = reader.segment()
        self.id = segment.segment_id() if segment is not None else str(id(reader))
        self.offset = offset
        self.size = reader.doc_count_all()
        self.deleted: np.ndarray | None = None
        self._deleted_mask: np.ndarray | None = None  # by local document number: one gather per read
        if reader.has_deletions():
            deleted = reader.deleted_docs_set  # a property in whoosh3, a method in Whoosh 2
            deleted = deleted() if callable(deleted) else deleted
            self.deleted = np.array(sorted(deleted), dtype=np.int64)
            self._deleted_mask = np.zeros(self.size, dtype=bool)
            self._deleted_mask[self.deleted] = True
        self.buf, self.base, _end = postings_buffer(reader)
        self._fields = set(reader.indexed_field_names())
        self._lists = lists if lists is not None else TermLists()

    def term_list(self, field: str, btext: bytes, positions: bool = False) -> TermList | Postings | None:
        """The term's :class:`TermList`, its postings read another way, or None if the segment lacks it."""
        key = (self.id, field, btext)
        known, found = self._lists.get(key)
        if known:
            return found
        got = self._term_list(field, btext, positions)
        if not isinstance(got, Postings):  # postings of an older layout are not kept: they can be large
            self._lists.put(key, got)
        return got

    def _term_list(self, field: str, btext: bytes, positions: bool) -> TermList | Postings | None:
        if field not in self._fields:
            return None
        try:
            info = self.reader.term_info(field, btext)
        except TermNotFound:
            return None
        if info.is_inlined():
            return (
                None
                if not info.inlined_postings()[0]
                else _whoosh_postings(self.reader, field, btext, positions)
            )
        offset, length = info.extent()
        if isinstance(length, tuple):  # whoosh3's W3TermInfo.from_bytes leaves the length as a tuple
            length = length[0]
        try:
            return TermList(self.buf, self.base + offset, length)
        except (NotOurPostings, struct.error):
            return _whoosh_postings(self.reader, field, btext, positions)

    def read(self, field: str, btext: bytes, docs: np.ndarray | None, positions: bool) -> Postings:
        """The term's postings in this segment (segment-local ids), among ``docs`` (local) when given,
        deleted documents left out."""
        found = self.term_list(field, btext, positions)
        if found is None:
            return EMPTY
        if isinstance(found, TermList):
            if docs is not None:
                if not len(docs):
                    return EMPTY
                got = found.read(found.blocks_for(docs), positions)
            else:
                got = found.read(None, positions)
        else:
            got = found
        if self._deleted_mask is not None and len(got):
            got = got.take(np.flatnonzero(~self._deleted_mask[got.ids]))
        return got
