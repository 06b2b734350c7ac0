"""A whole field's posting lists encoded at once, from arrays, in the blocks of :mod:`indexer.format.layout`.

The fast build has every posting of a field in arrays grouped by term (:class:`indexer.segments.chunkarrays.FieldPostings`).
Here the blocks' boundaries, their statistics (count, first and last id, largest weight, shortest and longest
document) and the width of each typed array are computed for all blocks with numpy; each array is converted to
bytes once per width, and a block's data is then a few slices of those bytes joined (compressed when it pays: :mod:`indexer.format.compression`): no
Python work per posting. The bytes are exactly what :class:`indexer.format.write.ZhPostingsWriter` writes for the
same postings (a test compares them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh.util.numeric import _length_byte_cache

from indexer.format.compression import compress
from indexer.format.layout import BLOCK_INFO, BLOCK_LENGTH, MAGIC, SHUFFLED, V_NONE, V_POS, W_INTS, W_ONES

#: The widths of :func:`indexer.format.layout.typed_array`: type code and largest value.
_WIDTHS = ((b"B", np.uint8, 0xFF), (b"H", np.uint16, 0xFFFF), (b"I", np.uint32, 0xFFFFFFFF))
_LENGTH_CACHE = np.asarray(_length_byte_cache, dtype=np.int64)
#: Whoosh's length byte -> the (quantised) length it stands for: ``byte_to_length``.
BYTE_LENGTHS = _LENGTH_CACHE[:256].copy()


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """Whoosh's ``length_to_byte`` of every length (``uint8``)."""
    codes = np.searchsorted(_LENGTH_CACHE, lengths, side="left")
    return np.where(lengths >= 106374, 255, np.minimum(codes, 255)).astype(np.uint8)


@dataclass
class EncodedField:
    """A field's posting lists, one after the other in ``data``; per term (in the order given) the list's
    ``offset`` and ``length`` in ``data`` and the term's statistics, as W3's term info holds them
    (``minlength`` 0: none known)."""

    data: bytes
    offset: np.ndarray
    length: np.ndarray
    weight: np.ndarray
    df: np.ndarray
    minlength: np.ndarray
    maxlength: np.ndarray
    maxweight: np.ndarray
    minid: np.ndarray
    maxid: np.ndarray
    blocks: np.ndarray


class _Widths:
    """An integer array's slices as typed arrays: the type code (by the slice's largest value) and its bytes.

    Each width's bytes of the whole array are made once, when a slice first needs them, so a field of many
    short lists costs one conversion a width, not one a block; ``per_slice`` converts each slice instead
    (fewer bytes held, for the long lists of the phrase fields).
    """

    def __init__(self, values: np.ndarray, *, per_slice: bool = False, shuffle: bool = False) -> None:
        top = int(values.max()) if len(values) else 0
        if top > 0xFFFFFFFF:
            raise ValueError(f"value {top} does not fit in 32 bits")
        self.values = values
        self.per_slice = per_slice
        self.shuffle = shuffle
        self.views: dict[bytes, bytes] = {}
        self.planes: tuple[bytes, bytes] | None = None

    def piece(self, start: int, end: int, top: int) -> bytes:
        for code, dtype, limit in _WIDTHS:
            if top <= limit:
                if self.shuffle and code == b"H":
                    return self._shuffled(start, end)
                if self.per_slice:
                    return code + self.values[start:end].astype(dtype).tobytes()
                raw = self.views.get(code)
                if raw is None:
                    raw = self.views[code] = self.values.astype(dtype).tobytes()
                size = np.dtype(dtype).itemsize
                return code + raw[start * size : end * size]
        raise AssertionError("unreachable")

    def _shuffled(self, start: int, end: int) -> bytes:
        """The slice as :func:`indexer.format.layout.position_array` writes a uint16 array: in byte planes."""
        if self.per_slice:
            part = self.values[start:end]
            return (
                SHUFFLED + (part & 0xFF).astype(np.uint8).tobytes() + (part >> 8).astype(np.uint8).tobytes()
            )
        if self.planes is None:  # the high bytes of values above 0xFFFF wrap: their blocks are not shuffled
            values = self.values
            self.planes = (
                (values & 0xFF).astype(np.uint8).tobytes(),
                (values >> 8).astype(np.uint8).tobytes(),
            )
        low, high = self.planes
        return SHUFFLED + low[start:end] + high[start:end]


@dataclass(frozen=True)
class _Blocks:
    """Every block of a field's posting lists as arrays: its term, its postings ``bs:be``, whether it ends its
    term, and its statistics (largest id delta and frequency, all frequencies 1, shortest and longest document
    length bytes); ``first_block[t]``: term ``t``'s first block."""

    term: np.ndarray
    bs: np.ndarray
    be: np.ndarray
    last: np.ndarray
    max_delta: np.ndarray
    max_freq: np.ndarray
    ones: np.ndarray
    min_len: np.ndarray
    max_len: np.ndarray
    first_block: np.ndarray
    delta: np.ndarray


def _plan_blocks(
    starts: np.ndarray, docs: np.ndarray, freqs: np.ndarray, doc_length_bytes: np.ndarray, blocklimit: int
) -> _Blocks:
    """The blocks of lists of ``blocklimit`` postings at most, and their statistics, for all terms at once."""
    n_terms = len(starts) - 1
    df = np.diff(starts)
    if (df <= 0).any():
        raise ValueError("every term needs a posting")
    n_blocks = -(-df // blocklimit)
    b_term = np.repeat(np.arange(n_terms), n_blocks)
    first_block = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(n_blocks, out=first_block[1:])
    b_k = np.arange(len(b_term)) - first_block[b_term]
    bs = starts[b_term] + b_k * blocklimit
    be = np.minimum(bs + blocklimit, starts[b_term + 1])
    # deltas: each posting's id minus the previous one's; a block's first id is in its header
    delta = np.zeros(len(docs), dtype=np.int64)
    delta[1:] = docs[1:] - docs[:-1]
    delta[bs] = 0
    empty = not len(bs)
    max_freq = freqs[:0] if empty else np.maximum.reduceat(freqs, bs)
    min_freq = freqs[:0] if empty else np.minimum.reduceat(freqs, bs)
    lens = doc_length_bytes[docs]
    return _Blocks(
        term=b_term,
        bs=bs,
        be=be,
        last=be == starts[b_term + 1],
        max_delta=delta[:0] if empty else np.maximum.reduceat(delta, bs),
        max_freq=max_freq,
        ones=(max_freq == 1) & (min_freq == 1),
        min_len=lens[:0] if empty else np.minimum.reduceat(lens, bs),
        max_len=lens[:0] if empty else np.maximum.reduceat(lens, bs),
        first_block=first_block,
        delta=delta,
    )


def _block_positions(
    blocks: _Blocks, positions: np.ndarray | None, pos_starts: np.ndarray | None
) -> tuple[_Widths, list[int], list[int], list[int]] | None:
    """The positions of each block (their typed array, where they start and end, the largest), or None."""
    if positions is None or pos_starts is None:
        return None
    bs = blocks.bs
    p_lo = pos_starts[bs]
    max_pos = np.maximum.reduceat(positions, p_lo) if len(bs) else positions[:0]
    widths = _Widths(positions, per_slice=len(bs) * 64 < len(positions), shuffle=True)
    return widths, p_lo.tolist(), pos_starts[blocks.be].tolist(), max_pos.tolist()


def _write_blocks(
    blocks: _Blocks,
    starts: np.ndarray,
    docs: np.ndarray,
    freqs: np.ndarray,
    pos: tuple[_Widths, list[int], list[int], list[int]] | None,
    compression: int,
) -> tuple[bytes, np.ndarray, np.ndarray]:
    """The field's posting lists as bytes (a few slices of typed arrays joined per block), with each term's
    offset and length in them."""
    n_terms = len(starts) - 1
    deltas = _Widths(blocks.delta)
    counts = _Widths(freqs)
    vhead = V_POS if pos is not None else V_NONE
    head_ones, head_ints = bytes((W_ONES, vhead)), bytes((W_INTS, vhead))
    pack_info, pack_length = BLOCK_INFO.pack, BLOCK_LENGTH.pack
    out: list[bytes] = []
    t_offset = np.zeros(n_terms, dtype=np.int64)
    t_length = np.zeros(n_terms, dtype=np.int64)
    total = term_start = 0
    rows = zip(
        *(a.tolist() for a in (blocks.term, blocks.bs, blocks.be, blocks.last, blocks.max_delta)),
        *(a.tolist() for a in (blocks.max_freq, blocks.ones, blocks.min_len, blocks.max_len)),
        strict=True,
    )
    for k, (t, s, e, is_last, mdelta, mfreq, is_ones, mnlen, mxlen) in enumerate(rows):
        if s == starts[t]:
            out.append(MAGIC)
            term_start = total
            total += 4
        parts = [head_ones if is_ones else head_ints, deltas.piece(s + 1, e, mdelta)]
        if not is_ones:
            parts.append(counts.piece(s, e, mfreq))
        if pos is not None:
            parts.append(pos[0].piece(pos[1][k], pos[2][k], pos[3][k]))
        data = b"".join(parts)
        comp, data = compress(data, compression)
        info = pack_info(e - s, int(docs[s]), int(docs[e - 1]), float(mfreq), comp, mnlen, mxlen)
        size = len(info) + len(data)
        out.extend((pack_length(-size if is_last else size), info, data))
        total += 4 + size
        if is_last:
            t_offset[t] = term_start
            t_length[t] = total - term_start
    return b"".join(out), t_offset, t_length


def encode_field(
    starts: np.ndarray,
    docs: np.ndarray,
    freqs: np.ndarray,
    doc_length_bytes: np.ndarray,
    *,
    positions: np.ndarray | None = None,
    pos_starts: np.ndarray | None = None,
    blocklimit: int,
    compression: int,
) -> EncodedField:
    """Encode the posting lists of a field: term ``t``'s postings are ``docs[starts[t]:starts[t+1]]``
    (ascending) with frequencies ``freqs`` (the weights) and, for a positions format, each posting's
    ``positions[pos_starts[i]:pos_starts[i+1]]``. ``doc_length_bytes[d]``: document ``d``'s length byte."""
    n_terms = len(starts) - 1
    blocks = _plan_blocks(starts, docs, freqs, doc_length_bytes, blocklimit)
    pos = _block_positions(blocks, positions, pos_starts)
    data, t_offset, t_length = _write_blocks(blocks, starts, docs, freqs, pos, compression)
    # the terms' statistics, over their blocks
    firsts = blocks.first_block[:-1]
    weight = (
        np.add.reduceat(freqs, starts[:-1], dtype=np.int64).astype(np.float64)
        if n_terms
        else freqs[:0].astype(np.float64)
    )
    block_min = BYTE_LENGTHS[blocks.min_len]
    nonzero_min = np.where(block_min > 0, block_min, np.iinfo(np.int64).max)
    t_min = np.minimum.reduceat(nonzero_min, firsts) if n_terms else nonzero_min[:0]
    t_min = np.where(t_min == np.iinfo(np.int64).max, 0, t_min)
    t_max = np.maximum.reduceat(BYTE_LENGTHS[blocks.max_len], firsts) if n_terms else t_min
    t_maxw = np.maximum.reduceat(blocks.max_freq, firsts) if n_terms else t_min
    return EncodedField(
        data,
        t_offset,
        t_length,
        weight,
        np.diff(starts),
        t_min,
        t_max,
        t_maxw.astype(np.float64),
        docs[starts[:-1]] if n_terms else docs[:0],
        docs[starts[1:] - 1] if n_terms else docs[:0],
        np.diff(blocks.first_block),
    )
