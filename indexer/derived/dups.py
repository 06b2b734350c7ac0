"""Near-duplicate articles: the same story republished by many sites, lightly edited.

Each article's body (letters, digits and Chinese characters only, lightly folded: punctuation and spacing edits do
not count) is cut into overlapping :data:`SHINGLE`-character shingles; a MinHash signature estimates the Jaccard
similarity of two articles' shingle sets. The signature is one-permutation hashing (one 64-bit hash per shingle,
split into :data:`BINS` bins, the least value of each bin kept), computed for a whole batch of articles with numpy.
Locality-sensitive hashing finds the candidate pairs (articles equal on every bin of at least one band of
:data:`ROWS` bins); a pair whose estimated similarity reaches the threshold joins one group (connected
components), whose id is its first article.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from indexer.config import setting
from indexer.derived.datafile import UNREADABLE, read_data, write_data
from indexer.ingest.summary import ReindexError

#: Characters of a shingle.
SHINGLE = 3
#: Bins of a signature, and bins of one LSH band (BINS / ROWS bands).
BINS = 64
ROWS = 4
#: Estimated Jaccard similarity from which two articles are copies of one story (``ZHSEARCH_DUP_THRESHOLD``).
DEFAULT_THRESHOLD = 0.8
#: The value of a bin no shingle fell into.
EMPTY = np.uint16(0xFFFF)

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_BIN_SHIFT = np.uint64(64 - 6)  # 64 bins: the top six bits


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: every input bit reaches every output bit."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


#: Code point ranges of the characters a shingle is made of (Han ideographs, ASCII digits and letters).
_KEPT = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F), (0x30, 0x39), (0x61, 0x7A))


def _tables() -> tuple[np.ndarray, np.ndarray]:
    """The light fold of every BMP code point (full-width ASCII as ASCII, upper case as lower case), and which
    folded code points a shingle keeps."""
    folded = np.arange(0x10000, dtype=np.uint32)
    folded[0xFF01:0xFF5F] -= 0xFEE0
    folded[0x41:0x5B] += 0x20
    folded[0xFF21:0xFF3B] += 0x20  # full-width capitals: to ASCII, then to lower case
    keep = np.zeros(0x10000, dtype=bool)
    for lo, hi in _KEPT:
        keep[lo : min(hi, 0xFFFF) + 1] = True
    return folded, keep


_FOLDED, _KEEP = _tables()


def _kept_codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The code points a shingle is made of, of all ``texts`` one after the other, and the text each belongs to.

    A light fold, in bulk: full-width ASCII as ASCII, upper case as lower case, everything but Chinese characters,
    digits and letters dropped. Traditional and simplified characters are not folded together (a republished
    story keeps its script)."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype="<u4")
    bmp = codes < 0x10000
    folded = np.where(bmp, _FOLDED[np.where(bmp, codes, 0)], codes)
    keep = np.where(bmp, _KEEP[np.where(bmp, folded, 0)], (codes >= 0x20000) & (codes <= 0x3134F))
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    return folded[keep].astype(np.uint64), doc[keep]


def signatures(texts: Sequence[str]) -> np.ndarray:
    """The MinHash signature of each text: ``uint16[len(texts), BINS]`` (:data:`EMPTY` where no shingle fell)."""
    out = np.full((len(texts), BINS), EMPTY, dtype=np.uint16)
    codes, doc = _kept_codes([t or "" for t in texts])
    if len(codes) < SHINGLE:
        return out
    size = len(codes) - SHINGLE + 1
    with np.errstate(over="ignore"):
        h = np.zeros(size, dtype=np.uint64)
        for k in range(SHINGLE):
            h = h * np.uint64(0x100000001B3) + codes[k : k + size]
        h = _mix(h)
    whole = doc[:size] == doc[SHINGLE - 1 :]  # the shingle does not run into the next text
    h, owner = h[whole], doc[:size][whole]
    cell = owner * BINS + (h >> _BIN_SHIFT).astype(np.int64)
    value = (h & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    best = np.full(len(texts) * BINS, np.uint32(0xFFFFFFFF), dtype=np.uint32)
    np.minimum.at(best, cell, value)
    filled = best != np.uint32(0xFFFFFFFF)
    low = (best & np.uint32(0xFFFF)).astype(np.uint16)
    low[filled & (low == EMPTY)] = np.uint16(0xFFFE)  # a real value never reads as empty
    flat = out.reshape(-1)
    flat[filled] = low[filled]
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of signature rows ``a`` and ``b`` (equal bins among those either one
    filled; 0 when both are empty)."""
    a, b = np.atleast_2d(a), np.atleast_2d(b)
    used = (a != EMPTY) | (b != EMPTY)
    same = (a == b) & used
    n = used.sum(axis=1)
    return np.where(n > 0, same.sum(axis=1) / np.maximum(n, 1), 0.0)


def groups(sigs: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> np.ndarray:
    """For each signature row, the first row of its group of near-duplicates (itself when it has none).

    Rows with the same signature (exact copies, common in news) are one group from the start: the bands are
    searched over the distinct signatures only, each standing for its first row."""
    n = len(sigs)
    label = np.arange(n, dtype=np.int64)
    rows = np.flatnonzero((sigs != EMPTY).any(axis=1))  # a body without shingles groups with nothing
    if len(rows) < 2:
        return label
    with np.errstate(over="ignore"):
        key = np.zeros(len(rows), dtype=np.uint64)
        for k in range(BINS):
            key = _mix(key ^ sigs[rows, k].astype(np.uint64))
    _keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # the distinct signatures in row order
    reps = rows[first[order]]
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    rep_label = _band_groups(sigs[reps], threshold)  # positions in reps: the least is the first row
    label[rows] = reps[rep_label[position[inverse.ravel()]]]
    return label


def _band_groups(sigs: np.ndarray, threshold: float) -> np.ndarray:
    """For each row of ``sigs`` (every one with shingles), the least row of its group: LSH bands find the
    candidate pairs, those whose estimated similarity reaches ``threshold`` are joined."""
    n = len(sigs)
    label = np.arange(n, dtype=np.int64)
    if n < 2:
        return label
    edges_a: list[np.ndarray] = []
    edges_b: list[np.ndarray] = []
    wide = sigs.astype(np.uint64)
    for band in range(BINS // ROWS):
        part = wide[:, band * ROWS : (band + 1) * ROWS]
        with np.errstate(over="ignore"):
            key = np.zeros(n, dtype=np.uint64)
            for k in range(ROWS):
                key = key * np.uint64(0x10001) + part[:, k]
            key = _mix(key)
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.r_[0, np.flatnonzero(sorted_key[1:] != sorted_key[:-1]) + 1]
        run = np.repeat(starts, np.diff(np.r_[starts, n]))  # the start of each row's run
        first, other = order[run], order
        pair = first != other
        edges_a.append(first[pair])
        edges_b.append(other[pair])
    a, b = np.concatenate(edges_a), np.concatenate(edges_b)
    if not len(a):
        return label
    pairs = np.minimum(a, b) * n + np.maximum(a, b)
    pairs.sort()
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    a, b = pairs // n, pairs % n
    keep = similarity(sigs[a], sigs[b]) >= threshold
    a, b = a[keep], b[keep]
    while True:  # connected components: the least label flows along the edges
        low = np.minimum(label[a], label[b])
        before = label.copy()
        np.minimum.at(label, a, low)
        np.minimum.at(label, b, low)
        label = label[label]
        if np.array_equal(label, before):
            return label


DUPS_FILE = "dups.pickle"
_FORMAT = 1


def dup_threshold() -> float:
    """The ``ZHSEARCH_DUP_THRESHOLD`` setting (a similarity above 0, at most 1); :class:`ReindexError` if it is
    not one."""
    raw = setting("DUP_THRESHOLD")
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.0 < value <= 1.0:
        raise ReindexError(f"ZHSEARCH_DUP_THRESHOLD: expected a number above 0 and at most 1, got {raw!r}")
    return value


@dataclass(frozen=True)
class DupData:
    """The near-duplicate groups of one index commit: for each document number its content ``hash`` (None for
    a deleted document), MinHash signature and ``group`` (the first document number of its group)."""

    hashes: list[str | None]
    sigs: np.ndarray
    group: np.ndarray
    threshold: float

    def signature_of(self) -> dict[str, np.ndarray]:
        """Signatures by content hash (what a later commit reuses)."""
        return {h: self.sigs[d] for d, h in enumerate(self.hashes) if h is not None}


def build_dups(reader: Any, *, threshold: float, previous: DupData | None = None) -> DupData:
    """The groups of the articles of a Whoosh reader of the index; ``previous`` (an earlier commit's data, with
    the same threshold or not) lends the signatures of the articles whose content it saw."""
    n = reader.doc_count_all()
    live = np.zeros(n, dtype=bool)
    live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
    column = list(reader.column_reader("hash")) if n else []
    hashes: list[str | None] = [str(h) if live[d] else None for d, h in enumerate(column)]
    sigs = np.full((n, BINS), EMPTY, dtype=np.uint16)
    found = np.zeros(n, dtype=bool)
    if previous is not None and n:
        row_of = {h: d for d, h in enumerate(previous.hashes) if h is not None}
        rows = np.fromiter((row_of.get(h, -1) if h is not None else -1 for h in hashes), np.int64, n)
        found = rows >= 0
        sigs[found] = previous.sigs[rows[found]]
    todo = np.flatnonzero(live & ~found).tolist()
    for start in range(0, len(todo), _BATCH):
        batch = todo[start : start + _BATCH]
        sigs[batch] = signatures([str(reader.stored_fields(d).get("body") or "") for d in batch])
    return DupData(hashes, sigs, groups(sigs, threshold).astype(np.int32), threshold)


#: Articles signed at a time (bounds the memory of the shingle arrays).
_BATCH = 5000


def write_dups(
    gen_dir: Path, reader: Any, commit: int, *, threshold: float, previous: Path | None = None
) -> DupData:
    """Build the groups of the index in ``gen_dir`` at Whoosh commit ``commit`` and write them beside it
    (``dups.pickle``); ``previous``: a groups file whose signatures are reused."""
    old = read_data(previous, format=_FORMAT) if previous is not None else None
    data = build_dups(reader, threshold=threshold, previous=_from_payload(old) if old else None)
    payload = {
        "format": _FORMAT,
        "commit": commit,
        "threshold": threshold,
        "hashes": data.hashes,
        "sigs": data.sigs,
        "group": data.group,
    }
    write_data(gen_dir / DUPS_FILE, payload)
    return data


def read_dups(gen_dir: Path, commit: int) -> DupData | None:
    """The groups written for commit ``commit`` of the index in ``gen_dir``, or None (none written: an index
    built before they existed, or a file that cannot be read)."""
    payload = read_data(gen_dir / DUPS_FILE, format=_FORMAT, commit=commit)
    return _from_payload(payload) if payload is not None else None


def _from_payload(payload: dict[str, Any]) -> DupData | None:
    try:
        data = DupData(
            list(payload["hashes"]),
            np.asarray(payload["sigs"], dtype=np.uint16),
            np.asarray(payload["group"], dtype=np.int32),
            float(payload["threshold"]),
        )
    except UNREADABLE:
        return None
    n = len(data.hashes)
    if data.sigs.shape != (n, BINS) or data.group.shape != (n,):
        return None
    return data
