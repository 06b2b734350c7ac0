"""The on-disk layout of :class:`indexer.codec.ZhCodec`'s posting blocks, shared by its writer and its readers.

Inside W3's file layout (term dictionary, ``.pst`` postings file, block length and skip data), a posting list
starts with :data:`MAGIC` and is a run of blocks::

    int32  length of what follows (negative for the last block of a term)
    17 B   block info, packed: count, first id, last id, max weight, compression, min and max length bytes
    data   (compressed when it pays: :mod:`indexer.format.compression`) typed arrays:
           ids      after the first, delta-coded, as bytes, shorts or ints (the smallest that holds the
                    largest delta)
           weights  none (all 1.0), integers (a typed array), or floats
           values   none (no values, or a frequency format whose value is the weight), or
                    positions: every posting's positions in one typed array (the counts are the
                    weights, or stored as one more array; a uint16 array in byte planes, type code
                    ``S``: :func:`position_array`), or a pickled tuple (any other format)

Here: the constants of that layout (also read by the query engine's array reader, :mod:`search.postings`), the
typed arrays (:func:`typed_array`, :func:`read_typed_array`) and which formats need no stored values. The
writer is :mod:`indexer.format.write`, the reader :mod:`indexer.format.read`.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Sequence

import numpy as np
from whoosh.formats import Format, Frequency

#: Marks the start of a posting list written by this codec (W3's own lists start with ``b"\\x00\\x00\\x00\\x03"``...).
MAGIC = b"ZhP3"
#: Block info: count, first id, last id, max weight, compression (:mod:`indexer.format.compression`), min length
#: byte, max length byte. The ids in the data are relative to the first id, so a block moves to another document
#: base by rewriting its info alone (see :mod:`indexer.segments.merge`).
BLOCK_INFO = struct.Struct("<HIIfBBB")
#: A block's length, as Whoosh's ``StructFile.write_int`` writes it.
BLOCK_LENGTH = struct.Struct("!i")
LITTLE_ENDIAN = sys.byteorder == "little"

# codes in the data header (the weights', then the values')
W_ONES = 0  # every weight is 1.0
W_INTS = 1  # integral weights, a typed array
W_FLOATS = 2  # float32 array
V_NONE = 0  # no values to store (fixed size 0, or a frequency format: the value is pack_uint(weight))
V_POS = 1  # positions; the counts are the weights
V_POS_COUNTS = 2  # positions with their own count array
V_PICKLE = 3  # anything else: a pickled tuple of value bytes

#: Type code of a uint16 array in byte planes: every value's low byte, then every value's high byte (format 5's
#: positions: an article's high bytes are few and repeat, and Zstandard finds them apart from the low bytes).
SHUFFLED = b"S"

_TYPECODES = (("B", 0xFF), ("H", 0xFFFF), ("I", 0xFFFFFFFF), ("Q", 0xFFFFFFFFFFFFFFFF))


def typed_array(values: Sequence[int]) -> bytes:
    """``values`` (non-negative ints) as a one-byte type code and the smallest typed array that holds them."""
    top = max(values) if values else 0
    for code, limit in _TYPECODES:
        if top <= limit:
            arr = array(code, values)
            if not LITTLE_ENDIAN:
                arr.byteswap()
            return code.encode("ascii") + arr.tobytes()
    raise ValueError(f"value {top} does not fit in 64 bits")


def position_array(values: Sequence[int]) -> bytes:
    """:func:`typed_array` of positions: a uint16 array in byte planes (type code :data:`SHUFFLED`)."""
    data = typed_array(values)
    if data[:1] != b"H":
        return data
    pairs = np.frombuffer(data, np.uint8, offset=1).reshape(-1, 2)  # little-endian: low byte first
    return SHUFFLED + pairs[:, 0].tobytes() + pairs[:, 1].tobytes()


def read_typed_array(data: bytes | memoryview, pos: int, count: int) -> tuple[array, int]:
    """The ``count`` values written by :func:`typed_array` or :func:`position_array` at ``pos``, and the position
    after them."""
    if data[pos] == SHUFFLED[0]:
        planes = np.frombuffer(data, np.uint8, 2 * count, pos + 1).reshape(2, -1)
        arr = array("H")
        arr.frombytes(((planes[1].astype(np.uint16) << 8) | planes[0]).astype("<u2").tobytes())
        if not LITTLE_ENDIAN:
            arr.byteswap()
        return arr, pos + 1 + 2 * count
    code = chr(data[pos])
    arr = array(code)
    end = pos + 1 + arr.itemsize * count
    arr.frombytes(data[pos + 1 : end])
    if not LITTLE_ENDIAN:
        arr.byteswap()
    return arr, end


def frequency_values(fmt: Format) -> bool:
    """Whether a value of ``fmt`` is exactly ``pack_uint(weight)`` (so it need not be stored)."""
    return type(fmt) is Frequency and fmt.field_boost == 1.0
