"""How a posting block's data is compressed: the ``comp`` byte of its header (:data:`indexer.format.layout.BLOCK_INFO`).

``0``: stored as it is. ``1`` to ``9``: zlib at that level, what indexes of format 4 and before hold (still read).
:data:`COMP_ZSTD`: a Zstandard frame (with its content size), what is written now: the same size as zlib's on
this format's typed arrays, decoded about three times faster (the figures: ``bench/results/format-zstd.md``).
Both encoders (:mod:`indexer.format.write` and :mod:`indexer.format.postingblocks`) go through :func:`compress`,
and every reader through :func:`decompress`; the merge copies a block's data whatever its codec.

A Zstandard (de)compression context serves one thread at a time: each thread keeps its own.
"""

from __future__ import annotations

import threading
import zlib

import zstandard

#: Data shorter than this is not compressed (a frame's header would make it longer).
COMPRESS_MIN = 64
#: ``comp`` of a Zstandard frame (above zlib's levels, so that an older reader never takes it for zlib's).
COMP_ZSTD = 0x20

_local = threading.local()


def _compressor(level: int) -> zstandard.ZstdCompressor:
    cache: dict[int, zstandard.ZstdCompressor] | None = getattr(_local, "compressors", None)
    if cache is None:
        cache = _local.compressors = {}
    got = cache.get(level)
    if got is None:
        got = cache[level] = zstandard.ZstdCompressor(
            level=level, write_checksum=False, write_content_size=True
        )
    return got


def _decompressor() -> zstandard.ZstdDecompressor:
    got: zstandard.ZstdDecompressor | None = getattr(_local, "decompressor", None)
    if got is None:
        got = _local.decompressor = zstandard.ZstdDecompressor()
    return got


def compress(data: bytes, level: int) -> tuple[int, bytes]:
    """``(comp, bytes)``: ``data`` as a Zstandard frame at ``level`` when that is shorter, else as it is (``comp``
    0); ``level`` 0, or data shorter than :data:`COMPRESS_MIN`, is never compressed."""
    if not level or len(data) < COMPRESS_MIN:
        return 0, data
    packed = _compressor(level).compress(data)
    if len(packed) < len(data):
        return COMP_ZSTD, packed
    return 0, data


def decompress(raw: bytes | memoryview, comp: int) -> bytes | memoryview:
    """A block's data as written (``raw``, its header's ``comp``)."""
    if not comp:
        return raw
    if comp == COMP_ZSTD:
        return _decompressor().decompress(raw)
    if comp <= 9:
        return zlib.decompress(raw)
    raise ValueError(f"unknown posting block compression {comp}")
