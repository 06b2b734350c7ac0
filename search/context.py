"""What evaluating one query needs: the pinned index's segments, its statistics and columns, as arrays.

A :class:`Context` lives for one query on one borrowed Whoosh searcher (Whoosh keeps the term dictionary,
the statistics and the stored fields); it keeps the posting lists it has read for the rest of the query, so
a term that appears twice in the tree (in the strict and the relaxed query, as a phrase unit and a word) is
read once. Global document numbers are the segment's offset plus its local numbers, as in Whoosh.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import islice

import numpy as np
from whoosh.scoring import BM25F
from whoosh.searching import Searcher as WhooshSearcher

from indexer.compat import bm25f_b, field_lengths
from indexer.normalize import fold
from search import scoring
from search.columns import Columns
from search.postings import EMPTY, Postings, Segment

#: A term is read whole (and kept for the rest of the query) when the documents asked for are at least this
#: share of its document frequency (1 / ratio); fewer are looked up in the blocks that can hold them.
FULL_READ_RATIO = 4
#: Terms whose document frequency a pinned index keeps (the table is emptied when full).
TERM_STATS_KEPT = 65_536


class IndexStatistics:
    """What the scores need of a pinned index, computed once and kept for its life: per field the BM25F length
    norm of every document (:func:`search.scoring.length_norms`, global numbers), per term its document
    frequency (thread-safe: an entry is computed with the borrowing query's own searcher)."""

    def __init__(self, searcher: WhooshSearcher, segments: Sequence[Segment]) -> None:
        self._searcher = searcher
        self._segments = segments
        self._norms: dict[str, np.ndarray] = {}
        self._df: dict[tuple[str, str], int] = {}
        weighting = searcher.weighting
        self.k1 = weighting.K1 if isinstance(weighting, BM25F) else scoring.K1
        self._weighting = weighting
        #: every document, deleted ones too (Whoosh's idf counts them)
        self.doc_count_all = searcher.doc_count_all()
        #: each field's conversion of a term to the bytes of the term dictionary
        self.to_bytes = {name: searcher.schema[name].to_bytes for name in searcher.schema.names()}

    def get(self, field: str) -> np.ndarray:
        """The norms of ``field`` (computed at the pinned index's opening for every scorable field)."""
        norms = self._norms.get(field)
        if norms is None:
            w = self._weighting
            b = bm25f_b(w, field) if isinstance(w, BM25F) else scoring.B
            parts = [field_lengths(seg.reader, field) for seg in self._segments]
            lengths = np.concatenate(parts) if parts else np.zeros(0)
            average = self._searcher.avg_field_length(field)
            norms = self._norms[field] = scoring.length_norms(lengths, average, self.k1, b)
        return norms

    def doc_frequency(self, searcher: WhooshSearcher, field: str, text: str, btext: bytes | None) -> int:
        """Documents with the term (deleted ones too, as Whoosh counts); 0 for a term the field cannot hold."""
        key = (field, text)
        df = self._df.get(key)
        if df is None:
            df = 0 if btext is None else searcher.doc_frequency(field, btext)
            if len(self._df) >= TERM_STATS_KEPT:
                self._df.clear()
            self._df[key] = df
        return df


class Context:
    """One query's view of a pinned index (see the module docs)."""

    def __init__(
        self,
        searcher: WhooshSearcher,
        segments: Sequence[Segment],
        stats: IndexStatistics,
        columns: Columns,
    ) -> None:
        self.searcher = searcher
        self.segments = segments
        self.stats = stats
        self.columns = columns
        self.schema = searcher.schema
        self.doc_count = sum(seg.size for seg in segments)
        self._full: dict[tuple[str, str, bool], Postings] = {}
        self._live: np.ndarray | None = None
        self._live_mask: np.ndarray | None = None
        self._dates: dict[tuple[int | None, int | None], np.ndarray] = {}
        #: every match of the phrases evaluated over all documents in this query (:class:`search.nodes.Phrase`)
        self.phrases: dict[object, object] = {}

    # -- statistics ------------------------------------------------------------------------------------------

    def _bytes(self, field: str, text: str) -> bytes | None:
        to_bytes = self.stats.to_bytes.get(field)
        if to_bytes is None:
            return None
        try:
            return to_bytes(text)
        except ValueError:
            return None

    def doc_frequency(self, field: str, text: str) -> int:
        """Documents with the term in ``field`` (kept by the pinned index: :class:`IndexStatistics`)."""
        return self.stats.doc_frequency(self.searcher, field, text, self._bytes(field, text))

    def body_frequency(self, word: str | None) -> int:
        """Articles with ``word`` in the body (None: all articles): the plan's statistics."""
        return self.searcher.doc_count() if word is None else self.doc_frequency("body", word)

    def longer_words(self, field: str, word: str, limit: int) -> list[str]:
        """The longer indexed words of ``field`` starting with ``word`` (the ``limit`` most frequent)."""
        reader = self.searcher.reader()
        prefix = word.encode("utf-8")
        longer = [t.decode("utf-8") for t in islice(reader.expand_prefix(field, prefix), 1000) if t != prefix]
        if len(longer) > limit:
            longer.sort(key=lambda t: -reader.doc_frequency(field, t))
            longer = sorted(longer[:limit])
        return longer

    def bm25(self, field: str, text: str, boost: float, docs: np.ndarray, tfs: np.ndarray) -> np.ndarray:
        """Whoosh's BM25F score of the term in each of ``docs`` with frequencies ``tfs`` (0 where the field is
        not scorable)."""
        if not len(docs) or not self.schema[field].scorable:
            return np.zeros(len(docs), dtype=np.float64)
        term_idf = scoring.idf(self.stats.doc_count_all, self.doc_frequency(field, text))
        return scoring.bm25f(tfs, self.stats.get(field)[docs], term_idf, self.stats.k1, boost)

    # -- postings --------------------------------------------------------------------------------------------

    def postings(self, field: str, text: str, docs: np.ndarray | None, positions: bool = False) -> Postings:
        """The term's postings (global ids, deleted documents left out): all of them, or at least those of
        the ascending global ``docs`` (read only in the blocks that can hold them)."""
        btext = self._bytes(field, text)
        if btext is None:
            return EMPTY
        key = (field, text, positions)
        full = self._full.get(key)
        if full is None and not positions:
            full = self._full.get((field, text, True))  # read with positions: holds what is asked for
        if full is not None:
            return full
        if docs is not None and len(docs) * FULL_READ_RATIO >= self.doc_frequency(field, text):
            docs = None  # most blocks would be read anyway: read the list whole, and keep it
        parts: list[Postings] = []
        for seg in self.segments:
            if docs is None:
                local = None
            else:
                lo, hi = np.searchsorted(docs, (seg.offset, seg.offset + seg.size))
                if lo == hi:
                    continue
                local = docs[lo:hi] - seg.offset
            got = seg.read(field, btext, local, positions)
            if len(got):
                parts.append(got.shifted(seg.offset))
        out = _concat(parts, positions)
        if docs is None:
            self._full[key] = out
        return out

    def text_holds(self, field: str, docs: np.ndarray, pattern: str) -> np.ndarray:
        """The documents among ``docs`` whose folded stored ``field`` holds ``pattern`` (Python per document:
        for the few candidates of a phrase with punctuation inside)."""
        found = _compiled(pattern).search
        stored = self.searcher.stored_fields
        keep = [found(fold(stored(int(d)).get(field) or "")) is not None for d in docs]
        return docs[np.array(keep, dtype=bool)] if len(docs) else docs

    # -- columns ---------------------------------------------------------------------------------------------

    def live(self, mask: np.ndarray) -> np.ndarray:
        """``mask`` (over every document number) without the deleted documents."""
        if all(seg.deleted is None for seg in self.segments):
            return mask
        if self._live_mask is None:
            self._live_mask = np.zeros(self.doc_count, dtype=bool)
            self._live_mask[self.live_docs()] = True
        return mask & self._live_mask

    def live_docs(self) -> np.ndarray:
        """Every document number not deleted."""
        if self._live is None:
            keep = np.ones(self.doc_count, dtype=bool)
            for seg in self.segments:
                if seg.deleted is not None:
                    keep[seg.deleted + seg.offset] = False
            self._live = np.flatnonzero(keep)
        return self._live

    def date_mask(self, lo: int | None, hi: int | None) -> np.ndarray:
        key = (lo, hi)
        mask = self._dates.get(key)
        if mask is None:
            mask = self._dates[key] = self.columns.published_between(lo, hi)
        return mask


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _concat(parts: list[Postings], positions: bool) -> Postings:
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    ids = np.concatenate([p.ids for p in parts])
    tfs = np.concatenate([p.tfs for p in parts])
    if not positions:
        return Postings(ids, tfs)
    flats = [p.flat for p in parts]
    starts = [parts[0].pstart]
    base = int(parts[0].pstart[-1])  # type: ignore[index]
    for p in parts[1:]:
        starts.append(p.pstart[1:] + base)  # type: ignore[index]
        base += int(p.pstart[-1])  # type: ignore[index]
    return Postings(ids, tfs, np.concatenate(starts), np.concatenate(flats))  # type: ignore[arg-type]
