"""A posting list's blocks (the layout of :mod:`indexer.format.layout`) read in bulk with numpy.

:func:`block_table` reads the block headers of one posting list into arrays: where each block's data is, its
count, first and last id, largest weight, shortest and longest document. :func:`decode_blocks` decodes the
chosen blocks at once: its data decompressed (:mod:`indexer.format.compression`) and ``np.frombuffer`` per block
for the id deltas, frequencies and positions, and one ``cumsum`` for the ids of all of them; Python runs per
block, never per posting. :func:`summed_stats` is a list's
term statistics from its table. The query engine (:mod:`search.postings`) and the term dictionary's reader
(:mod:`indexer.format.termdict_read`) read blocks through these functions; the writers are
:mod:`indexer.format.write` (one posting at a time, and the merge's block copy) and
:mod:`indexer.format.postingblocks` (a whole field from arrays), and a test holds both to the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from indexer.format.compression import decompress
from indexer.format.layout import (
    BLOCK_INFO,
    BLOCK_LENGTH,
    MAGIC,
    SHUFFLED,
    V_POS,
    V_POS_COUNTS,
    W_FLOATS,
    W_INTS,
    W_ONES,
)

#: The type codes of :func:`indexer.format.layout.typed_array` as numpy dtypes.
DTYPES = {
    ord("B"): np.dtype("u1"),
    ord("H"): np.dtype("<u2"),
    ord("I"): np.dtype("<u4"),
    ord("Q"): np.dtype("<u8"),
}
_F32 = np.dtype("<f4")
#: The weights of a block whose weights are all 1 (a view of its first ``count``).
_ONES = np.ones(0x10000, dtype=np.uint8)
#: The high bytes of a block's one-byte positions (a view of its first ``count``).
_ZEROS = np.zeros(0x40000, dtype=np.uint8)
_U8 = np.dtype("u1")
#: The type codes of positions in byte planes (:func:`indexer.format.layout.position_array`) and of bytes.
_SHUFFLED, _BYTES = SHUFFLED[0], ord("B")
#: A block's length and info, before its data.
BLOCK_HEAD = BLOCK_LENGTH.size + BLOCK_INFO.size


class NotOurPostings(ValueError):
    """The bytes are not a posting list of this format (W3's own, or inlined in the term info)."""


@dataclass(frozen=True, slots=True)
class BlockTable:
    """The block headers of one posting list, one array entry per block; ``starts``/``ends`` are where each
    block's data lies in the buffer the table was read from, ``comp`` how it is compressed
    (:mod:`indexer.format.compression`)."""

    firsts: np.ndarray
    lasts: np.ndarray
    counts: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    comp: np.ndarray
    maxweights: np.ndarray
    minlens: np.ndarray
    maxlens: np.ndarray

    @property
    def count(self) -> int:
        """Postings in the whole list."""
        return int(self.counts.sum())


def block_headers(
    buf: Any, start: int, length: int
) -> list[tuple[int, int, int, int, int, int, float, int, int]]:
    """Each block's ``(first id, last id, count, data start, data end, compression, max weight, min length byte,
    max length byte)`` of the posting list at ``buf[start:start + length]`` (bytes, mmap or memoryview)."""
    if bytes(buf[start : start + len(MAGIC)]) != MAGIC:
        raise NotOurPostings("not a zhsearch posting list")
    rows = []
    pos = start + len(MAGIC)
    end = start + length
    unpack_length = BLOCK_LENGTH.unpack_from
    unpack_info = BLOCK_INFO.unpack_from
    while pos < end:
        (blen,) = unpack_length(buf, pos)
        last = blen < 0
        blen = -blen if last else blen
        count, first, lastid, maxw, compression, minlen, maxlen = unpack_info(buf, pos + BLOCK_LENGTH.size)
        data_end = pos + BLOCK_LENGTH.size + blen
        rows.append((first, lastid, count, pos + BLOCK_HEAD, data_end, compression, maxw, minlen, maxlen))
        pos = data_end
        if last:
            break
    return rows


def block_table(buf: Any, start: int, length: int) -> BlockTable:
    """The table of the posting list at ``buf[start:start + length]``: :func:`block_headers` as arrays."""
    rows = block_headers(buf, start, length)
    columns = list(zip(*rows, strict=True)) if rows else [()] * 9
    ints = [np.array(c, dtype=np.int64) for c in columns[:5]]
    return BlockTable(
        *ints,
        comp=np.array(columns[5], dtype=np.uint8),
        maxweights=np.array(columns[6], dtype=np.float64),
        minlens=np.array(columns[7], dtype=np.uint8),
        maxlens=np.array(columns[8], dtype=np.uint8),
    )


def summed_stats(table: BlockTable) -> tuple[int, int, int, float, int, int]:
    """``(doc frequency, min id, max id, max weight, min length byte, max length byte)`` of the whole list. A
    block of documents without lengths (length byte 0) counts for nothing in the shortest length."""
    with_length = table.minlens[table.minlens > 0]
    return (
        table.count,
        int(table.firsts[0]),
        int(table.lasts[-1]),
        float(table.maxweights.max()),
        int(with_length.min()) if len(with_length) else 0,
        int(table.maxlens.max()),
    )


def exclusive_cumsum(counts: np.ndarray) -> np.ndarray:
    """``[0, c0, c0 + c1, ...]``: where each of ``counts``' runs starts, and one more entry at the end."""
    out = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def decode_blocks(
    buf: Any, table: BlockTable, sel: np.ndarray, positions: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """The blocks ``sel`` (ascending block numbers, not empty) decoded: ``(ids, frequencies, pstart, flat)``;
    posting ``i``'s positions are ``flat[pstart[i]:pstart[i + 1]]`` (both None unless ``positions``).

    Per block: its data decompressed, and a view (``np.frombuffer``) of each typed array in it; then for all
    blocks at once the ids (:func:`_ids`), and one ``concatenate`` each for the frequencies and the positions.
    """
    deltas: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    lows: list[np.ndarray] = []
    highs: list[np.ndarray | None] = []
    pcounts: list[np.ndarray] = []
    frombuffer = np.frombuffer
    for start, end, comp, n in zip(
        table.starts[sel].tolist(),
        table.ends[sel].tolist(),
        table.comp[sel].tolist(),
        table.counts[sel].tolist(),
        strict=True,
    ):
        raw = decompress(buf[start:end], comp) if comp else buf[start:end]
        wcode = raw[0]
        dt = DTYPES[raw[2]]
        deltas.append(frombuffer(raw, dt, n - 1, 3))
        pos = 3 + dt.itemsize * (n - 1)
        if wcode == W_ONES:
            w = _ONES[:n]
        elif wcode == W_INTS:
            dt = DTYPES[raw[pos]]
            w = frombuffer(raw, dt, n, pos + 1)
            pos += 1 + dt.itemsize * n
        elif wcode == W_FLOATS:
            w = frombuffer(raw, _F32, n, pos)
            pos += 4 * n
        else:
            raise ValueError(f"unknown weight code {wcode}")
        weights.append(w)
        if not positions:
            continue
        vcode = raw[1]
        if vcode == V_POS:
            pcounts.append(w)
        elif vcode == V_POS_COUNTS:
            dt = DTYPES[raw[pos]]
            pcounts.append(frombuffer(raw, dt, n, pos + 1))
            pos += 1 + dt.itemsize * n
        else:
            raise ValueError("this posting list has no positions")
        code = raw[pos]  # the positions, the last array: to the end of the block
        if code == _SHUFFLED:
            half = (len(raw) - pos - 1) >> 1
            lows.append(frombuffer(raw, _U8, half, pos + 1))
            highs.append(frombuffer(raw, _U8, half, pos + 1 + half))
        elif code == _BYTES:
            lows.append(frombuffer(raw, _U8, -1, pos + 1))
            highs.append(_zeros(len(lows[-1])))
        else:
            lows.append(frombuffer(raw, DTYPES[code], -1, pos + 1))
            highs.append(None)
    ids = _ids(table, sel, deltas)
    tfs = np.concatenate(weights).astype(np.float64)
    if not positions:
        return ids, tfs, None, None
    pstart = exclusive_cumsum(np.concatenate(pcounts))
    return ids, tfs, pstart, _positions(lows, highs)


def _zeros(n: int) -> np.ndarray:
    """``n`` zero bytes (a view when it can)."""
    return _ZEROS[:n] if n <= len(_ZEROS) else np.zeros(n, dtype=np.uint8)


def _positions(lows: list[np.ndarray], highs: list[np.ndarray | None]) -> np.ndarray:
    """Blocks' positions (int64) from their byte planes (``highs[k]`` None: ``lows[k]`` holds whole values)."""
    if all(high is not None for high in highs):
        flat = np.concatenate(highs).astype(np.int64)  # type: ignore[arg-type]
        flat <<= 8
        flat |= np.concatenate(lows)
        return flat
    return np.concatenate(
        [
            low.astype(np.int64) if high is None else (high.astype(np.int64) << 8) | low
            for low, high in zip(lows, highs, strict=True)
        ]
    )


def _ids(table: BlockTable, sel: np.ndarray, deltas: list[np.ndarray]) -> np.ndarray:
    """The ids of blocks ``sel`` from their id deltas: one ``cumsum`` of their steps (a block's first id minus
    the previous block's last, then its deltas)."""
    counts = table.counts[sel]
    total = int(counts.sum())
    bstart = exclusive_cumsum(counts)[:-1]
    steps = np.empty(total, dtype=np.int64)
    firsts = table.firsts[sel]
    steps[bstart] = firsts
    if len(firsts) > 1:
        steps[bstart[1:]] -= table.lasts[sel][:-1]
    if total > len(firsts):
        rest = np.ones(total, dtype=bool)
        rest[bstart] = False
        steps[rest] = np.concatenate(deltas)
    return np.cumsum(steps)
