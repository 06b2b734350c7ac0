"""``ZhCodec``: Whoosh's W3 codec with a compact binary posting format, and a bulk writer for the fast build.

Whoosh's W3 codec writes each block of up to 128 postings as two pickles: a block-info tuple, and a data tuple
of (delta-coded ids, weights, one encoded value per posting). The values are where the space goes: a word
field's value repeats its frequency (``pack_uint``, 4 bytes, although the weight already is the frequency), and
a unit field's value is a pickled list of position deltas per posting. Writing them is per-posting Python
(``add_posting``, ``Positions.encode``), reading them is an unpickle per posting.

Here, inside the same file layout (term dictionary, ``.pst`` postings file, block length and skip data), a
block is::

    int32  length of what follows (negative for the last block of a term)
    17 B   block info, packed: count, first id, last id, max weight, compression, min and max length bytes
    data   (zlib when it pays) typed arrays:
           ids      after the first, delta-coded, as bytes, shorts or ints (the smallest that holds the
                    largest delta)
           weights  none (all 1.0), integers (a typed array), or floats
           values   none (no values, or a frequency format whose value is the weight), or
                    positions: every posting's positions in one typed array (the counts are the
                    weights, or stored as one more array), or a pickled tuple (any other format)

The matcher (:class:`ZhLeafMatcher`) keeps Whoosh's matcher interface (``id``/``weight``/``value``/``skip_to``/
block quality), so every Whoosh query and the index merge work unchanged; it also hands out the positions as
lists (``value_as("positions")``, :meth:`ZhLeafMatcher.read_positions`) without encoding them to Whoosh's
value bytes. :meth:`ZhPostingsWriter.add_counted_list` writes a whole posting list from typed arrays: the fast
build's path, with no per-posting method call.

The codec object is pickled into every segment's table of contents, so this module path is part of the index
format: an index written with it can only be opened where ``indexer.codec`` imports.
"""

from __future__ import annotations

import itertools
import struct
import sys
import zlib
from array import array
from collections.abc import Sequence
from itertools import accumulate
from operator import sub
from pickle import dumps, loads
from typing import Any

from whoosh.codec.whoosh3 import (
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PostingsWriter,
    W3TermInfo,
)
from whoosh.formats import Format, Frequency, Positions
from whoosh.matching import ListMatcher
from whoosh.reading import CorruptIndexError
from whoosh.system import _INT_SIZE, pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

#: Marks the start of a posting list written by this codec (W3's own lists start with ``b"\\x00\\x00\\x00\\x03"``...).
MAGIC = b"ZhP3"
#: Block info: count, first id, last id, max weight, compression level, min length byte, max length byte. The ids
#: in the data are relative to the first id, so a block moves to another document base by rewriting its info
#: alone (see :mod:`indexer.merge`).
_INFO = struct.Struct("<HIIfBBB")
#: A block's length, as Whoosh's ``StructFile.write_int`` writes it.
_BLOCK_LENGTH = struct.Struct("!i")
#: Postings per block: larger than W3's 128, for fewer block headers and zlib calls per long list, at the price
#: of decoding more per looked-up document (chosen by measurement; the figures are in bench/results/).
BLOCK_LIMIT = 512
#: Data shorter than this is not compressed (zlib's header and checksum would make it longer).
COMPRESS_MIN = 64
_LITTLE = sys.byteorder == "little"

# codes in the data header
_W_ONES = 0  # every weight is 1.0
_W_INTS = 1  # integral weights, a typed array
_W_FLOATS = 2  # float32 array
_V_NONE = 0  # no values to store (fixed size 0, or a frequency format: the value is pack_uint(weight))
_V_POS = 1  # positions; the counts are the weights
_V_POS_COUNTS = 2  # positions with their own count array
_V_PICKLE = 3  # anything else: a pickled tuple of value bytes

# The block layout, for the array reader of the query engine (search.postings).
BLOCK_LENGTH, BLOCK_INFO = _BLOCK_LENGTH, _INFO
W_ONES, W_INTS, W_FLOATS = _W_ONES, _W_INTS, _W_FLOATS
V_POS, V_POS_COUNTS = _V_POS, _V_POS_COUNTS

_TYPECODES = (("B", 0xFF), ("H", 0xFFFF), ("I", 0xFFFFFFFF), ("Q", 0xFFFFFFFFFFFFFFFF))


def _typed(values: Sequence[int]) -> bytes:
    """``values`` (non-negative ints) as a one-byte type code and the smallest typed array that holds them."""
    top = max(values) if values else 0
    for code, limit in _TYPECODES:
        if top <= limit:
            arr = array(code, values)
            if not _LITTLE:
                arr.byteswap()
            return code.encode("ascii") + arr.tobytes()
    raise ValueError(f"value {top} does not fit in 64 bits")


def _untyped(data: bytes | memoryview, pos: int, count: int) -> tuple[array, int]:
    """Read ``count`` values written by :func:`_typed` at ``pos``; returns them and the position after them."""
    code = chr(data[pos])
    arr = array(code)
    end = pos + 1 + arr.itemsize * count
    arr.frombytes(data[pos + 1 : end])
    if not _LITTLE:
        arr.byteswap()
    return arr, end


def _deltas(ids: Sequence[int]) -> list[int]:
    prev = 0
    out = []
    for i in ids:
        out.append(i - prev)
        prev = i
    return out


def _frequency_values(fmt: Format) -> bool:
    """Whether a value of ``fmt`` is exactly ``pack_uint(weight)`` (so it need not be stored)."""
    return type(fmt) is Frequency and fmt.field_boost == 1.0


def _positions_format(fmt: Format) -> bool:
    return type(fmt) is Positions


def encode_block(
    fmt: Format,
    ids: Sequence[int],
    weights: Sequence[float],
    values: Sequence[bytes] | None,
    positions: Sequence[Sequence[int]] | None,
) -> bytes:
    """The data part of one block (see the module docstring), uncompressed.

    Give either the encoded ``values`` (Whoosh's writer path) or, for a positions format, the ``positions``.
    """
    parts = [_typed(_deltas(ids)[1:])]  # the first id is in the block info
    if all(w == 1.0 for w in weights):
        wcode = _W_ONES
    elif all(w == int(w) and w >= 0 for w in weights):
        wcode = _W_INTS
        parts.append(_typed([int(w) for w in weights]))
    else:
        wcode = _W_FLOATS
        floats = array("f", weights)
        if not _LITTLE:
            floats.byteswap()
        parts.append(floats.tobytes())
    vcode = _V_NONE
    fixed = fmt.fixed_value_size()
    if positions is None and values is not None and _positions_format(fmt):
        positions = [fmt.decode_positions(v) for v in values]
    if positions is not None:
        counts = [len(p) for p in positions]
        if (
            wcode == _W_ONES
            and all(c == 1 for c in counts)
            or (wcode == _W_INTS and all(c == w for c, w in zip(counts, weights, strict=True)))
        ):
            vcode = _V_POS
        else:
            vcode = _V_POS_COUNTS
            parts.append(_typed(counts))
        # absolute positions: a little bigger than deltas once compressed, and both written and read as slices
        # of one array
        parts.append(_typed(list(itertools.chain.from_iterable(positions))))
    elif values is not None and fixed != 0:
        if not (
            _frequency_values(fmt)
            and all(v == pack_uint(int(w)) for v, w in zip(values, weights, strict=True))
        ):
            vcode = _V_PICKLE
            parts.append(dumps(tuple(values), 2))
    return bytes((wcode, vcode)) + b"".join(parts)


class DecodedBlock:
    """One block's ids, weights and (on demand) values and positions."""

    __slots__ = (
        "ids",
        "weights",
        "_data",
        "_pos",
        "_vcode",
        "_starts",
        "_flat",
        "_positions",
        "_values",
        "_fmt",
    )

    def __init__(self, data: bytes, count: int, fmt: Format, first: int) -> None:
        wcode, vcode = data[0], data[1]
        deltas, pos = _untyped(data, 2, count - 1)
        self.ids: list[int] = list(accumulate(deltas, initial=first))
        if wcode == _W_ONES:
            self.weights: list[float] = [1.0] * count
        elif wcode == _W_INTS:
            ints, pos = _untyped(data, pos, count)
            self.weights = ints.tolist()  # ints: BM25 and Whoosh's scorers take them as they take floats
        else:
            floats = array("f")
            end = pos + floats.itemsize * count
            floats.frombytes(data[pos:end])
            if not _LITTLE:
                floats.byteswap()
            self.weights = floats.tolist()
            pos = end
        self._data = data
        self._pos = pos
        self._vcode = vcode
        self._fmt = fmt
        self._starts: list[int] | None = None
        self._flat: array | None = None
        self._positions: list[list[int]] | None = None
        self._values: tuple[Any, ...] | None = None

    @property
    def has_positions(self) -> bool:
        return self._vcode in (_V_POS, _V_POS_COUNTS)

    def _read_positions(self) -> tuple[list[int], array]:
        """Where each posting's position deltas start in the flat array (one more entry at the end), and the
        array. Decoded once per block; each posting's positions are then summed up only when asked for."""
        if self._starts is None:
            data, pos, count = self._data, self._pos, len(self.ids)
            if self._vcode == _V_POS:
                counts: Sequence[int] = (
                    self.weights if type(self.weights[0]) is int else [int(w) for w in self.weights]
                )
            elif self._vcode == _V_POS_COUNTS:
                counts, pos = _untyped(data, pos, count)
            else:
                raise ValueError("this block has no positions")
            starts = [0]
            starts.extend(accumulate(counts))
            self._flat, _end = _untyped(data, pos, starts[-1])
            self._starts = starts
        return self._starts, self._flat  # type: ignore[return-value]

    def posting_positions(self, i: int) -> list[int]:
        """The positions (absolute, ascending) of the block's ``i``-th posting."""
        starts, flat = self._read_positions()
        return flat[starts[i] : starts[i + 1]].tolist()

    def positions(self) -> list[list[int]]:
        """Every posting's positions (absolute, ascending)."""
        if self._positions is None:
            starts, flat = self._read_positions()
            self._positions = [flat[a:b].tolist() for a, b in itertools.pairwise(starts)]
        return self._positions

    def values(self) -> tuple[Any, ...]:
        """Whoosh's encoded value of every posting (what ``Matcher.value()`` returns)."""
        if self._values is None:
            vcode, count, fmt = self._vcode, len(self.ids), self._fmt
            if vcode in (_V_POS, _V_POS_COUNTS):
                self._values = tuple(fmt.encode(p) for p in self.positions())
            elif vcode == _V_PICKLE:
                self._values = tuple(loads(self._data[self._pos :]))
            elif fmt.fixed_value_size() == 0:
                self._values = (None,) * count
            elif _frequency_values(fmt):
                self._values = tuple(pack_uint(int(w)) for w in self.weights)
            else:  # a format with values, none written (an empty block cannot happen)
                self._values = (b"",) * count
        return self._values


class ZhCodec(W3Codec):
    """W3 with the compact posting blocks of this module (term dictionary, columns and stored fields are W3's)."""

    def __init__(self, blocklimit: int | None = None, compression: int = 3, inlinelimit: int = 1) -> None:
        blocklimit = BLOCK_LIMIT if blocklimit is None else blocklimit
        if not 1 <= blocklimit <= 0xFFFF:  # a block's count is packed in two bytes
            raise ValueError(f"blocklimit must be between 1 and 65535, not {blocklimit}")
        super().__init__(
            blocklimit=blocklimit,
            compression=compression,
            inlinelimit=inlinelimit,
        )

    def field_writer(self, storage: Any, segment: Any) -> ZhFieldWriter:
        return ZhFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:  # term vectors (not used by this project's schema): W3's own format
            return super().postings_writer(dbfile, byteids=True)
        return ZhPostingsWriter(dbfile, blocklimit=self._blocklimit, compression=self._compression)

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Format, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        offset, length = terminfo.extent()
        return ZhLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class ZhFieldWriter(W3FieldWriter):
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
            parts = [_typed(list(map(sub, bids[1:], bids[:-1])))]
            if bcounts.count(1) == len(bcounts):
                wcode = _W_ONES
            else:
                wcode = _W_INTS
                parts.append(_typed(bcounts))
            if flat is not None and ends is not None:
                vcode = _V_POS
                parts.append(_typed(flat[ends[start - 1] if start else 0 : ends[end - 1]]))
            else:
                vcode = _V_NONE
            minlen = min(blens)
            data = bytes((wcode, vcode)) + b"".join(parts)
            self._emit(
                bids, bcounts, data, minlen if minlen else None, max(blens), max(bcounts), last=end == n
            )

    def copy_lists(self, sources: Sequence[tuple[Any, W3TermInfo, int]]) -> None:
        """Append the posting lists ``(postings file, term info, document base)`` of this term, written by this
        codec in other segments, block by block: only each block's header changes (ids += base)."""
        if self._ids or self._blockcount:
            raise Exception("copy_lists must be the only call for a term")
        blocks: list[tuple[bytes, bytes]] = []
        ti: W3TermInfo = self._terminfo
        info = _INFO
        for postfile, src, base in sources:
            if src.is_inlined():
                if src.inlined_postings()[0]:
                    raise ValueError("inlined postings cannot be copied")
                continue
            offset, length = src.extent()
            if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as unpack_int's tuple
                length = length[0]
            raw = postfile.get(offset, length)
            if raw[:4] != MAGIC:
                raise CorruptIndexError(f"bad postings tag {raw[:4]!r} at offset {offset}")
            pos = 4
            while True:
                (blen,) = _BLOCK_LENGTH.unpack_from(raw, pos)
                last = blen < 0
                blen = -blen if last else blen
                start = pos + _INT_SIZE
                count, first, lastid, maxweight, comp, mnlen, mxlen = info.unpack_from(raw, start)
                header = info.pack(count, first + base, lastid + base, maxweight, comp, mnlen, mxlen)
                blocks.append((header, raw[start + info.size : start + blen]))
                pos = start + blen
                if last:
                    break
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
        pack_length = _BLOCK_LENGTH.pack
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
        comp = self._compression if len(data) >= COMPRESS_MIN else 0
        if comp:
            packed = zlib.compress(data, comp)
            if len(packed) < len(data):
                data = packed
            else:
                comp = 0
        info = _INFO.pack(
            len(ids),
            ids[0],
            ids[-1],
            maxweight,
            comp,
            length_to_byte(minlength or 0),
            length_to_byte(maxlength),
        )
        length = len(info) + len(data)
        postfile.write(_BLOCK_LENGTH.pack(-length if last else length) + info + data)
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


class ZhLeafMatcher(W3LeafMatcher):
    """Reads the compact blocks; Whoosh's matcher interface plus :meth:`read_positions`."""

    def _read_header(self) -> None:
        postfile = self._postfile
        postfile.seek(self._startoffset)
        magic = postfile.read(4)
        if magic != MAGIC:
            raise CorruptIndexError(
                f"bad postings tag {magic!r} at offset {self._startoffset} (expected {MAGIC!r}): the index is "
                "damaged; `zhsearch reindex --full` rebuilds it"
            )
        self._baseoffset = postfile.tell()

    def _goto(self, position: int) -> None:
        self._data = None
        self._block: DecodedBlock | None = None
        self._ids = None
        self._weights = None
        self._values = None
        self._i = 0
        postfile = self._postfile
        length = postfile.get_int(position)
        if length < 0:
            self._lastblock = True
            length = -length
        start = position + _INT_SIZE
        self._nextoffset = start + length
        info = postfile.get(start, _INFO.size)
        (
            self._blocklength,
            self._minid,
            self._maxid,
            self._maxweight,
            self._compression,
            mnlen,
            mxlen,
        ) = _INFO.unpack(info)
        self._dataoffset = start + _INFO.size
        self._minlength = byte_to_length(mnlen)
        self._maxlength = byte_to_length(mxlen)

    def _read_data(self) -> None:
        b = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        if self._compression:
            b = zlib.decompress(b)
        block = self._block = DecodedBlock(b, self._blocklength, self.format, self._minid)
        self._data = block
        self._ids = block.ids
        self._weights = block.weights

    def _read_ids(self) -> None:
        if self._block is None:
            self._read_data()

    def _read_weights(self) -> None:
        if self._block is None:
            self._read_data()

    def _read_values(self) -> None:
        if self._block is None:
            self._read_data()
        self._values = self._block.values()  # type: ignore[union-attr]

    def block_table(self) -> tuple[list[int], list[int]]:
        """The (last id, file offset) of every block of this posting list, from the block headers only."""
        postfile = self._postfile
        pos = self._baseoffset
        maxids: list[int] = []
        offsets: list[int] = []
        unpack = _INFO.unpack
        while True:
            length = postfile.get_int(pos)
            offsets.append(pos)
            maxids.append(unpack(postfile.get(pos + _INT_SIZE, _INFO.size))[2])
            if length < 0:
                break
            pos += _INT_SIZE + length
        return maxids, offsets

    def read_positions(self) -> list[list[int]]:
        """The positions of every posting in the current block."""
        if self._block is None:
            self._read_data()
        return self._block.positions()  # type: ignore[union-attr]

    def value_as(self, astype: str) -> Any:
        if astype == "positions":
            if self._block is None:
                self._read_data()
            block = self._block
            if block is not None and block.has_positions:
                return block.posting_positions(self._i)
        return super().value_as(astype)
