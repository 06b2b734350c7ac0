"""The writing side of :class:`indexer.codec.ZhCodec`: posting lists to compact blocks.

:func:`encode_block` turns one block's postings into the typed arrays of :mod:`indexer.format.layout`;
:class:`ZhPostingsWriter` writes the blocks three ways: ``add_posting`` (Whoosh's writer, one posting at a
time), :meth:`ZhPostingsWriter.add_counted_list` (the fast build: a whole posting list from typed arrays, with
no per-posting method call) and :meth:`ZhPostingsWriter.copy_lists` (the merge: blocks of other segments with
their headers rewritten). :class:`ZhFieldWriter` is W3's field writer handing the fast build's lists on.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Sequence
from itertools import accumulate
from operator import sub
from pickle import UnpicklingError, dumps
from struct import error
from typing import Any

from whoosh.codec.whoosh3 import W3FieldWriter, W3PostingsWriter, W3TermInfo
from whoosh.formats import Format, Positions
from whoosh.reading import CorruptIndexError
from whoosh.system import pack_uint
from whoosh.util.numeric import length_to_byte

from indexer.format.blocks import NotOurPostings, block_headers
from indexer.format.compression import COMPRESS_MIN, compress
from indexer.format.layout import (
    BLOCK_INFO,
    BLOCK_LENGTH,
    LITTLE_ENDIAN,
    MAGIC,
    V_NONE,
    V_PICKLE,
    V_POS,
    V_POS_COUNTS,
    W_FLOATS,
    W_INTS,
    W_ONES,
    frequency_values,
    position_array,
    typed_array,
)

__all__ = ["COMPRESS_MIN", "ZhFieldWriter", "ZhPostingsWriter", "encode_block"]


def _deltas(ids: Sequence[int]) -> list[int]:
    prev = 0
    out = []
    for i in ids:
        out.append(i - prev)
        prev = i
    return out


def _positions_format(fmt: Format) -> bool:
    return type(fmt) is Positions


#: What decoding bytes that are not Whoosh's encoding of positions raises (a pickle of anything, or no pickle).
_NOT_POSITIONS = (
    UnpicklingError,
    EOFError,
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    AttributeError,
    error,
)


def _positions_of(fmt: Format, values: Sequence[bytes]) -> list[list[int]] | None:
    """The positions that ``values`` encode, or None when one of them is not Whoosh's encoding of positions
    (a caller of the field writer may hand any bytes: they are then kept as they are)."""
    positions = []
    for value in values:
        try:
            decoded = fmt.decode_positions(value)
        except _NOT_POSITIONS:
            return None
        if fmt.encode(decoded) != value:
            return None
        positions.append(decoded)
    return positions


def encode_block(
    fmt: Format,
    ids: Sequence[int],
    weights: Sequence[float],
    values: Sequence[bytes] | None,
    positions: Sequence[Sequence[int]] | None,
) -> bytes:
    """The data part of one block (the layout: :mod:`indexer.format.layout`), uncompressed.

    Give either the encoded ``values`` (Whoosh's writer path) or, for a positions format, the ``positions``.
    """
    parts = [typed_array(_deltas(ids)[1:])]  # the first id is in the block info
    if all(w == 1.0 for w in weights):
        wcode = W_ONES
    elif all(w == int(w) and w >= 0 for w in weights):
        wcode = W_INTS
        parts.append(typed_array([int(w) for w in weights]))
    else:
        wcode = W_FLOATS
        floats = array("f", weights)
        if not LITTLE_ENDIAN:
            floats.byteswap()
        parts.append(floats.tobytes())
    vcode = V_NONE
    fixed = fmt.fixed_value_size()
    if positions is None and values is not None and _positions_format(fmt):
        positions = _positions_of(fmt, values)
    if positions is not None:
        counts = [len(p) for p in positions]
        if (
            wcode == W_ONES
            and all(c == 1 for c in counts)
            or (wcode == W_INTS and all(c == w for c, w in zip(counts, weights, strict=True)))
        ):
            vcode = V_POS
        else:
            vcode = V_POS_COUNTS
            parts.append(typed_array(counts))
        # absolute positions: a little bigger than deltas once compressed, and both written and read as slices
        # of one array
        parts.append(position_array(list(itertools.chain.from_iterable(positions))))
    elif values is not None and fixed != 0:
        if not (
            frequency_values(fmt)
            and all(v == pack_uint(int(w)) for v, w in zip(values, weights, strict=True))
        ):
            vcode = V_PICKLE
            parts.append(dumps(tuple(values), 2))
    return bytes((wcode, vcode)) + b"".join(parts)


class ZhFieldWriter(W3FieldWriter):
    """W3's field writer, with the fast build's whole posting lists handed to :class:`ZhPostingsWriter`."""

    def add_counted_list(self, ids: array, counts: array, lengths: Sequence[int], flat: array | None) -> None:
        """See :meth:`ZhPostingsWriter.add_counted_list`."""
        self._postwriter.add_counted_list(ids, counts, lengths, flat)


class ZhPostingsWriter(W3PostingsWriter):
    """Writes the compact blocks: ``add_posting`` (Whoosh's writer), ``add_counted_list`` (the fast build) and
    ``copy_lists`` (the merge)."""

    def __init__(self, postfile: Any, blocklimit: int, compression: int = 3) -> None:
        super().__init__(postfile, blocklimit, byteids=False, compression=compression, inlinelimit=1)

    def start_postings(self, format_: Format, terminfo: Any) -> None:
        if self._terminfo:
            raise Exception("Called start in a term")
        self._format = format_
        self._blockcount = 0
        self._new_block()
        self._terminfo = terminfo
        self._startoffset = self._postfile.tell()

    @property
    def block_count(self) -> int:
        """How many blocks the current (or last finished) term's posting list has."""
        return self._blockcount

    def _new_block(self) -> None:
        super()._new_block()
        self._ids = []  # type: ignore[assignment]  # a list: the bulk path assigns lists

    def add_counted_list(self, ids: array, counts: array, lengths: Sequence[int], flat: array | None) -> None:
        """The fast build's posting list: ascending ``ids``, integer weights ``counts`` (the frequencies), the
        documents' quantised field ``lengths`` and, for a positions format, every posting's positions one after
        the other in ``flat`` (``counts[i]`` of them for posting ``i``)."""
        if self._ids:
            raise Exception("add_counted_list after add_posting in the same term")
        limit = self._blocklimit
        n = len(ids)
        ends = list(accumulate(counts)) if flat is not None else None
        for start in range(0, n, limit):
            end = min(n, start + limit)
            bids = ids[start:end]
            bcounts = counts[start:end]
            blens = lengths[start:end]
            parts = [typed_array(list(map(sub, bids[1:], bids[:-1])))]
            if bcounts.count(1) == len(bcounts):
                wcode = W_ONES
            else:
                wcode = W_INTS
                parts.append(typed_array(bcounts))
            if flat is not None and ends is not None:
                vcode = V_POS
                parts.append(position_array(flat[ends[start - 1] if start else 0 : ends[end - 1]]))
            else:
                vcode = V_NONE
            minlen = min(blens)
            data = bytes((wcode, vcode)) + b"".join(parts)
            self._emit(
                bids, bcounts, data, minlen if minlen else None, max(blens), max(bcounts), last=end == n
            )

    def add_encoded(
        self,
        raw: bytes | memoryview,
        *,
        weight: float,
        df: int,
        minlength: int,
        maxlength: int,
        maxweight: float,
        minid: int,
        maxid: int,
    ) -> None:
        """This term's whole posting list, already encoded (:func:`indexer.format.postingblocks.encode_field`: the
        magic and its blocks), with the term's statistics (``minlength`` 0: none known)."""
        if self._ids or self._blockcount:
            raise Exception("add_encoded must be the only call for a term")
        self._postfile.write(raw)
        self._blockcount = 1
        ti: W3TermInfo = self._terminfo
        ti._weight, ti._df = weight, df
        ti._minlength = minlength or None
        ti._maxlength, ti._maxweight = maxlength, maxweight
        ti._minid, ti._maxid = minid, maxid

    def copy_lists(self, sources: Sequence[tuple[Any, W3TermInfo, int]]) -> None:
        """Append the posting lists ``(postings file, term info, document base)`` of this term, written by this
        codec in other segments, block by block: only each block's header changes (ids += base)."""
        if self._ids or self._blockcount:
            raise Exception("copy_lists must be the only call for a term")
        blocks: list[tuple[bytes, bytes]] = []
        ti: W3TermInfo = self._terminfo
        info = BLOCK_INFO
        for postfile, src, base in sources:
            if src.is_inlined():
                if src.inlined_postings()[0]:
                    raise ValueError("inlined postings cannot be copied")
                continue
            offset, length = src.extent()
            if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as unpack_int's tuple
                length = length[0]
            raw = postfile.get(offset, length)
            try:
                headers = block_headers(raw, 0, length)
            except NotOurPostings:
                raise CorruptIndexError(f"bad postings tag {raw[:4]!r} at offset {offset}") from None
            for first, lastid, count, start, end, comp, maxweight, mnlen, mxlen in headers:
                header = info.pack(count, first + base, lastid + base, maxweight, comp, mnlen, mxlen)
                blocks.append((header, raw[start:end]))
            ti._weight += src.weight()
            ti._df += src.doc_frequency()
            if src._minlength is not None:
                ti._minlength = (
                    src._minlength if ti._minlength is None else min(ti._minlength, src._minlength)
                )
            ti._maxlength = max(ti._maxlength, src._maxlength)
            ti._maxweight = max(ti._maxweight, src._maxweight)
            if ti._minid is None:
                ti._minid = src._minid + base
            ti._maxid = src._maxid + base
        if not blocks:
            return
        parts = [MAGIC]
        pack_length = BLOCK_LENGTH.pack
        final = len(blocks) - 1
        for k, (header, data) in enumerate(blocks):
            n = len(header) + len(data)
            parts.append(pack_length(-n if k == final else n))
            parts.append(header)
            parts.append(data)
        self._postfile.write(b"".join(parts))
        self._blockcount = len(blocks)

    def finish_postings(self) -> Any:
        terminfo = self._terminfo
        if self._ids:
            self._write_block(last=True)
        if not self._blockcount:  # an empty posting list: nothing written, as W3 inlines it
            terminfo.set_inlined((), (), ())
        else:
            terminfo.set_extent(self._startoffset, self._postfile.tell() - self._startoffset)
        self._terminfo = None
        return terminfo

    def _write_block(self, last: bool = False) -> None:
        data = encode_block(self._format, self._ids, self._weights, self._values or None, None)
        self._emit(
            self._ids, self._weights, data, self._minlength, self._maxlength, self._maxweight, last=last
        )
        self._new_block()

    def _emit(
        self,
        ids: Sequence[int],
        weights: Sequence[float],
        data: bytes,
        minlength: int | None,
        maxlength: int,
        maxweight: float,
        *,
        last: bool,
    ) -> None:
        """Write one block: its header and ``data`` (from :func:`encode_block`), compressed when it pays."""
        postfile = self._postfile
        if not self._blockcount:
            postfile.write(MAGIC)
        comp, data = compress(data, self._compression)
        info = BLOCK_INFO.pack(
            len(ids),
            ids[0],
            ids[-1],
            maxweight,
            comp,
            length_to_byte(minlength or 0),
            length_to_byte(maxlength),
        )
        length = len(info) + len(data)
        postfile.write(BLOCK_LENGTH.pack(-length if last else length) + info + data)
        self._blockcount += 1
        ti: W3TermInfo = self._terminfo
        ti._weight += sum(weights)
        ti._df += len(ids)
        if minlength:
            ti._minlength = minlength if ti._minlength is None else min(ti._minlength, minlength)
        ti._maxlength = max(ti._maxlength, maxlength)
        ti._maxweight = max(ti._maxweight, maxweight)
        if ti._minid is None:
            ti._minid = ids[0]
        ti._maxid = ids[-1]
