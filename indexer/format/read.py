"""The reading side of :class:`indexer.codec.ZhCodec`: compact blocks back to postings.

:class:`DecodedBlock` decodes one block's data (the layout: :mod:`indexer.format.layout`): ids and weights at
once, values and positions when asked for. :class:`ZhLeafMatcher` keeps Whoosh's matcher interface
(``id``/``weight``/``value``/``skip_to``/block quality), so every Whoosh query and the index merge work
unchanged; it also hands out the positions as lists (``value_as("positions")``,
:meth:`ZhLeafMatcher.read_positions`) without encoding them to Whoosh's value bytes.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Sequence
from itertools import accumulate
from pickle import loads
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Format
from whoosh.reading import CorruptIndexError
from whoosh.system import _INT_SIZE, pack_uint
from whoosh.util.numeric import byte_to_length

from indexer.format.compression import decompress
from indexer.format.layout import (
    BLOCK_INFO,
    LITTLE_ENDIAN,
    MAGIC,
    V_PICKLE,
    V_POS,
    V_POS_COUNTS,
    W_INTS,
    W_ONES,
    frequency_values,
    read_typed_array,
)


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
        deltas, pos = read_typed_array(data, 2, count - 1)
        self.ids: list[int] = list(accumulate(deltas, initial=first))
        if wcode == W_ONES:
            self.weights: list[float] = [1.0] * count
        elif wcode == W_INTS:
            ints, pos = read_typed_array(data, pos, count)
            self.weights = ints.tolist()  # ints: BM25 and Whoosh's scorers take them as they take floats
        else:
            floats = array("f")
            end = pos + floats.itemsize * count
            floats.frombytes(data[pos:end])
            if not LITTLE_ENDIAN:
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
        return self._vcode in (V_POS, V_POS_COUNTS)

    def _read_positions(self) -> tuple[list[int], array]:
        """Where each posting's position deltas start in the flat array (one more entry at the end), and the
        array. Decoded once per block; each posting's positions are then summed up only when asked for."""
        if self._starts is None:
            data, pos, count = self._data, self._pos, len(self.ids)
            if self._vcode == V_POS:
                counts: Sequence[int] = (
                    self.weights if type(self.weights[0]) is int else [int(w) for w in self.weights]
                )
            elif self._vcode == V_POS_COUNTS:
                counts, pos = read_typed_array(data, pos, count)
            else:
                raise ValueError("this block has no positions")
            starts = [0]
            starts.extend(accumulate(counts))
            self._flat, _end = read_typed_array(data, pos, starts[-1])
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
            if vcode in (V_POS, V_POS_COUNTS):
                self._values = tuple(fmt.encode(p) for p in self.positions())
            elif vcode == V_PICKLE:
                self._values = tuple(loads(self._data[self._pos :]))
            elif fmt.fixed_value_size() == 0:
                self._values = (None,) * count
            elif frequency_values(fmt):
                self._values = tuple(pack_uint(int(w)) for w in self.weights)
            else:  # a format with values, none written (an empty block cannot happen)
                self._values = (b"",) * count
        return self._values


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
        info = postfile.get(start, BLOCK_INFO.size)
        (
            self._blocklength,
            self._minid,
            self._maxid,
            self._maxweight,
            self._compression,
            mnlen,
            mxlen,
        ) = BLOCK_INFO.unpack(info)
        self._dataoffset = start + BLOCK_INFO.size
        self._minlength = byte_to_length(mnlen)
        self._maxlength = byte_to_length(mxlen)

    def _read_data(self) -> None:
        b = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        if self._compression:
            b = decompress(b, self._compression)
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
        unpack = BLOCK_INFO.unpack
        while True:
            length = postfile.get_int(pos)
            offsets.append(pos)
            maxids.append(unpack(postfile.get(pos + _INT_SIZE, BLOCK_INFO.size))[2])
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
