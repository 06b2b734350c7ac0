"""A chunk of documents' analysed text as arrays: the fast build's one pass over the text.

For each analysed text field the chunk becomes a :class:`FieldPostings`: the field's distinct terms in sorted
order and, grouped by one sort, every (term, document) posting with its frequency and, for the phrase fields,
its positions. The work per word and per character is done by numpy over the whole chunk:

* **words** (:func:`word_postings`): jieba's search-mode words of each folded text (one ``cut_for_search`` call
  per text), then one dictionary lookup per word gives its term id; stop words and punctuation are dropped by a
  mask over the distinct terms, not per word;
* **units** (:func:`unit_postings`): the folded texts of the chunk as one code-point array
  (``np.frombuffer(text.encode("utf-32-le"), "<u4")``); a lookup table classes every code point (a unit on its
  own, part of a run of letters and digits, punctuation that ends a run, or nothing), and the units' positions
  and the one-position gaps after punctuation come from cumulative sums. The same positions as
  :func:`indexer.analysis.unit_positions`, which stays the reference (tests compare the two on real text).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from indexer.analysis import _BREAKS, _WORDISH_RE, SINGLE_UNIT_CLASS, STOPWORDS

#: Classes of a code point in the unit stream.
OTHER, SINGLE, RUN, BREAK = 0, 1, 2, 3
#: Joins a chunk's texts into one string: a code point of class OTHER that no folded text keeps apart from
#: its neighbours (the texts' units are told apart by their offsets, not by this character).
_JOIN = "\n"
#: Texts segmented at a time: their words are Python strings until they become term ids.
_CUT_BATCH = 1000

__all__ = [
    "BREAK",
    "OTHER",
    "RUN",
    "SINGLE",
    "FieldPostings",
    "unit_classes",
    "unit_postings",
    "word_postings",
]


@functools.cache
def unit_classes() -> np.ndarray:
    """The class of every code point (``uint8[0x110000]``), by the regular expressions of the unit stream
    (:mod:`indexer.analysis`) run once over all code points: a unit on its own (:data:`SINGLE_UNIT_CLASS`),
    else part of a run of letters and digits (``[^\\W_]``), else punctuation that ends a run (``_BREAKS``), else
    nothing."""
    every = "".join(map(chr, range(0x110000)))
    classes = np.zeros(0x110000, dtype=np.uint8)
    for cls, pattern in ((RUN, r"[^\W_]"), (SINGLE, f"[{SINGLE_UNIT_CLASS}]"), (BREAK, f"[{_BREAKS}]")):
        where = [m.start() for m in re.finditer(pattern, every)]
        classes[np.array(where, dtype=np.int64)] = cls
    return classes


@dataclass
class FieldPostings:
    """One field's postings in a chunk of ``len(lengths)`` documents, grouped by term.

    ``terms[t]``'s postings are ``docs[starts[t]:starts[t + 1]]`` (ascending) with ``freqs``; for a phrase field
    posting ``i``'s positions are ``positions[pos_starts[i]:pos_starts[i + 1]]`` (ascending).
    ``lengths[d]``: the number of tokens of document ``d`` (its field length).
    """

    terms: list[str]
    starts: np.ndarray
    docs: np.ndarray
    freqs: np.ndarray
    lengths: np.ndarray
    positions: np.ndarray | None = None
    pos_starts: np.ndarray | None = None


class _Vocab(dict[str, int]):
    """Term text -> term id, a new id for each new text (one lookup per word, in C, through ``map``)."""

    def __missing__(self, key: str) -> int:
        value = self[key] = len(self)
        return value


def _ranked(texts: Sequence[str]) -> np.ndarray:
    """``rank[i]``: the place of ``texts[i]`` in sorted order (code point order: that of UTF-8 bytes)."""
    order = sorted(range(len(texts)), key=texts.__getitem__)
    rank = np.empty(len(texts), dtype=np.int32)
    rank[order] = np.arange(len(texts), dtype=np.int32)
    return rank


def _in_rank_order(texts: list, rank: np.ndarray) -> list:
    out = [None] * len(texts)
    for text, r in zip(texts, rank.tolist(), strict=True):
        out[r] = text
    return out


def _group(term_rank: np.ndarray, n_terms: int) -> tuple[np.ndarray, np.ndarray]:
    """A stable order of the tokens by term (tokens come in document order, so documents stay ascending)
    and ``starts`` of each term's tokens in that order."""
    # numpy sorts 16-bit keys stably by radix: two passes (low half, then high half) sort 32-bit ranks
    order = np.argsort((term_rank & 0xFFFF).astype(np.uint16), kind="stable")
    if n_terms > 0x10000:
        high = (term_rank[order] >> 16).astype(np.uint16)
        order = order[np.argsort(high, kind="stable")]
        del high
    counts = np.bincount(term_rank, minlength=n_terms)
    starts = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return order.astype(np.int32), starts


def _postings(
    terms: list, term_rank: np.ndarray, doc: np.ndarray, pos: np.ndarray | None, n_docs: int
) -> FieldPostings:
    """Group tokens (term rank, document, position: int32 arrays) into postings."""
    lengths = np.bincount(doc, minlength=n_docs).astype(np.int64)
    order, tok_starts = _group(term_rank, len(terms))
    t_sorted = term_rank[order]
    d_sorted = doc[order]
    del term_rank, doc
    # a posting begins where the term or the document changes
    new = np.ones(len(order), dtype=bool)
    if len(order):
        np.not_equal(t_sorted[1:], t_sorted[:-1], out=new[1:])
        new[1:] |= d_sorted[1:] != d_sorted[:-1]
    del t_sorted
    first = np.flatnonzero(new)
    del new
    bounds = np.append(first, len(order))
    freqs = np.diff(bounds).astype(np.int32)
    docs = d_sorted[first]
    del d_sorted
    starts = np.searchsorted(first, tok_starts).astype(np.int64)
    if pos is None:
        return FieldPostings(terms, starts, docs, freqs, lengths)
    positions = pos[order]
    del order, pos
    return FieldPostings(terms, starts, docs, freqs, lengths, positions, bounds)


def word_postings(texts: Sequence[str], cut: Callable[[str], list[str]]) -> FieldPostings:
    """The word stream of folded ``texts`` (``cut``: the segmenter's ``cut_for_search``), as postings: what
    :meth:`indexer.analysis.ChineseTokenizer.word_texts` yields, counted per document."""
    vocab = _Vocab()
    counts_parts: list[np.ndarray] = []
    tid_parts: list[np.ndarray] = []
    for lo in range(0, len(texts), _CUT_BATCH):  # the words of a few texts at a time: a str object each
        cuts = [cut(t) for t in texts[lo : lo + _CUT_BATCH]]
        counts = np.fromiter(map(len, cuts), dtype=np.int64, count=len(cuts))
        words = chain.from_iterable(cuts)
        tid_parts.append(np.fromiter(map(vocab.__getitem__, words), dtype=np.int32, count=int(counts.sum())))
        counts_parts.append(counts)
    counts = np.concatenate(counts_parts) if counts_parts else np.zeros(0, dtype=np.int64)
    tid = np.concatenate(tid_parts) if tid_parts else np.zeros(0, dtype=np.int32)
    del tid_parts
    texts_of = list(vocab)
    del vocab
    wordish = _WORDISH_RE.search
    keep_term = np.fromiter(
        (t not in STOPWORDS and wordish(t) is not None for t in texts_of), dtype=bool, count=len(texts_of)
    )
    doc = np.repeat(np.arange(len(texts), dtype=np.int32), counts)
    kept = keep_term[tid]
    tid, doc = tid[kept], doc[kept]
    del kept
    # the kept terms, renumbered in sorted order
    kept_ids = np.flatnonzero(keep_term)
    terms = [texts_of[i] for i in kept_ids.tolist()]
    rank_of_kept = _ranked(terms)
    rank = np.full(len(texts_of), -1, dtype=np.int32)
    rank[kept_ids] = rank_of_kept
    return _postings(_in_rank_order(terms, rank_of_kept), rank[tid], doc, None, len(texts))


def unit_postings(texts: Sequence[str]) -> FieldPostings:
    """The unit stream of folded ``texts`` as postings with positions: :func:`indexer.analysis.unit_positions`
    of each text, for the whole chunk at once."""
    n_docs = len(texts)
    joined = _JOIN.join(texts)
    cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    cls = unit_classes()[cp]
    doc_len = np.fromiter(map(len, texts), dtype=np.int64, count=n_docs)
    doc_start = np.zeros(n_docs, dtype=np.int64)
    if n_docs > 1:
        np.cumsum(doc_len[:-1] + len(_JOIN), out=doc_start[1:])
    is_run = cls == RUN
    edge = np.empty_like(is_run)  # a run starts (or, below, ends) here
    edge[:1] = is_run[:1]
    np.greater(is_run[1:], is_run[:-1], out=edge[1:])
    start = np.flatnonzero((cls == SINGLE) | edge).astype(np.int32)
    edge[-1:] = is_run[-1:]
    np.greater(is_run[:-1], is_run[1:], out=edge[:-1])
    run_end = (np.flatnonzero(edge) + 1).tolist()
    del is_run, edge
    n_units = len(start)
    single = cls[start] == SINGLE
    doc = (np.searchsorted(doc_start, start, side="right") - 1).astype(np.int32)
    # positions: one per unit, plus one after punctuation between two units of a document
    breaks = np.cumsum(cls == BREAK, dtype=np.int32)
    del cls
    at_start = breaks[start]
    del breaks
    gap = np.zeros(n_units, dtype=np.int32)
    if n_units > 1:
        gap[1:] = (at_start[1:] != at_start[:-1]) & (doc[1:] == doc[:-1])
    del at_start
    steps = np.cumsum(gap, dtype=np.int32)
    del gap
    first_unit = np.searchsorted(doc, np.arange(n_docs), side="left")
    has_units = first_unit < n_units
    base = np.zeros(n_docs, dtype=np.int32)
    base[has_units] = first_unit[has_units] + steps[first_unit[has_units]]
    # a unit's position: its index in the document plus the gaps before it there
    pos = np.arange(n_units, dtype=np.int32)
    pos += steps
    pos -= base[doc]
    del steps
    # term ids: a unit on its own by its code point, a run by its text
    single_cp = cp[start[single]]
    present = np.zeros(0x110000, dtype=bool)
    present[single_cp] = True
    chars = np.flatnonzero(present)
    char_id = (np.cumsum(present, dtype=np.int32) - 1)[single_cp]
    del single_cp, present
    vocab = _Vocab()
    run_texts = [joined[s:e] for s, e in zip(start[~single].tolist(), run_end, strict=True)]
    del joined, cp
    run_id = np.fromiter(map(vocab.__getitem__, run_texts), dtype=np.int32, count=len(run_texts))
    texts_of = [chr(c) for c in chars.tolist()] + list(vocab)
    tid = np.empty(n_units, dtype=np.int32)
    tid[single] = char_id
    tid[~single] = run_id + len(chars)
    del start, single, char_id, run_id
    rank = _ranked(texts_of)
    return _postings(_in_rank_order(texts_of, rank), rank[tid], doc, pos, n_docs)


def value_postings(items: Sequence[tuple[int, bytes, int]], n_docs: int) -> FieldPostings:
    """The postings of an exact-value field from ``(document, term bytes, frequency)`` items in document
    order (what ``field.index(value)`` gives for each document); ``terms`` are the term bytes, sorted."""
    vocab: dict[bytes, int] = {}
    ids = [vocab.setdefault(term, len(vocab)) for _, term, _ in items]
    texts_of = list(vocab)
    rank = _ranked(texts_of)  # type: ignore[arg-type]  # bytes sort as their UTF-8 strings do
    terms = _in_rank_order(texts_of, rank)
    term_rank = rank[np.asarray(ids, dtype=np.int64)] if ids else np.zeros(0, dtype=np.int32)
    doc = np.fromiter((d for d, _, _ in items), dtype=np.int32, count=len(items))
    freq = np.fromiter((f for _, _, f in items), dtype=np.int32, count=len(items))
    order, tok_starts = _group(term_rank, len(terms))
    t_sorted, d_sorted, f_sorted = term_rank[order], doc[order], freq[order]
    new = np.ones(len(order), dtype=bool)
    if len(order):
        new[1:] = (t_sorted[1:] != t_sorted[:-1]) | (d_sorted[1:] != d_sorted[:-1])
    first = np.flatnonzero(new)
    freqs = np.add.reduceat(f_sorted, first) if len(first) else f_sorted[:0]
    lengths = np.bincount(doc, weights=freq, minlength=n_docs).astype(np.int64)
    return FieldPostings(
        terms, np.searchsorted(first, tok_starts).astype(np.int64), d_sorted[first], freqs, lengths
    )
