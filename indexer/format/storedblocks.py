"""A segment's stored fields, compressed in blocks of documents with a dictionary taken from the segment (format
4; format 5 writes :mod:`indexer.format.storeddocs`, and both are read here).

W3 keeps each document's stored dict in the ``_stored`` column, pickled and compressed alone: a news article is
too short for zlib to find much to repeat. Here documents are grouped into blocks of about
:data:`BLOCK_SIZE` bytes of pickles (at least one document each), and every block is compressed with zlib
and a preset dictionary (``zdict``): a sample of the segment's own documents, kept in the file, so that even a
block's first document finds the field names, the pickle framing and the common words to refer back to.
Random access stays per document: a lookup decodes one block, and the reader keeps the last few decoded.

File layout::

    MAGIC  zdict  blocks...  (at a multiple of 8) uint32 first document of each block, then the document
    count; uint64 start of each block, then the end of the last  footer (FOOTER)

A decoded block is ``uint32 n``, ``n`` uint32 pickle lengths and the pickles (an empty one: no stored fields).

Roles: :class:`StoredBlockWriter` and :class:`StoredBlockReader` (the file), :class:`StoredBlocksPerDocWriter`
and :class:`StoredBlocksPerDocReader` (W3's per-document writer and reader with the stored fields here
instead of in the ``_stored`` column).
"""

from __future__ import annotations

import pickle
import struct
import threading
import zlib
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from itertools import accumulate
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.reading import CorruptIndexError

from indexer.compat import W3PerDocWriterWithoutStored
from indexer.format import storeddocs
from indexer.format.storeddocs import StoredDocReader, StoredDocWriter

MAGIC = b"ZhS1"
#: The file's extension in a segment.
STORED_EXT = ".stb"
#: Pickled bytes per block: a block ends with the document that reaches this.
BLOCK_SIZE = 4096
#: Bytes of the preset dictionary (zlib's window is 32 KB).
ZDICT_SIZE = 32 * 1024
#: Pickled bytes collected before the dictionary is chosen from them (the first documents wait for it).
SAMPLE_SIZE = 4 * ZDICT_SIZE
LEVEL = 6
PICKLE_PROTOCOL = 5
#: The last bytes of the file: where the arrays start, the document count, the block count, the zdict length,
#: and MAGIC again.
FOOTER = struct.Struct("<QIII4s")
_COUNT = struct.Struct("<I")


def make_zdict(pickles: list[bytes], size: int = ZDICT_SIZE) -> bytes:
    """A preset dictionary of at most ``size`` bytes: whole documents taken evenly across ``pickles`` (none for
    ``size`` 0)."""
    total = sum(map(len, pickles))
    if size <= 0:
        return b""
    if total <= size:
        return b"".join(pickles)
    step = max(1, round(total / size))  # take about one document in ``step``
    chosen = [p for k, p in enumerate(pickles) if k % step == step // 2] or pickles[:1]
    return b"".join(chosen)[-size:]


class StoredBlockWriter:
    """Writes stored dicts, one per document in order (:meth:`add`, or :meth:`add_many` for a list), to
    ``dbfile`` in compressed blocks."""

    def __init__(self, dbfile: Any, *, block_size: int = BLOCK_SIZE, zdict_size: int = ZDICT_SIZE) -> None:
        self._file = dbfile
        self._block_size = block_size
        self._zdict_size = zdict_size
        self._zdict: bytes | None = None
        self._held: list[bytes] = []  # pickles waiting for the dictionary
        self._held_size = 0
        self._block: list[bytes] = []
        self._block_bytes = 0
        self._first_docs: list[int] = []
        self._starts: list[int] = []
        self._count = 0
        self._pos = 0
        self._write(MAGIC)

    def _write(self, data: bytes) -> None:
        self._file.write(data)
        self._pos += len(data)

    def add(self, stored: dict[str, Any] | None) -> None:
        """The next document's stored fields (None or empty: none)."""
        data = pickle.dumps(stored, PICKLE_PROTOCOL) if stored else b""
        if self._zdict is None:
            self._held.append(data)
            self._held_size += len(data)
            if self._held_size >= SAMPLE_SIZE:
                self._start_blocks()
        else:
            self._append(data)

    def add_many(self, stored: Iterable[dict[str, Any] | None]) -> None:
        """The next documents' stored fields (the dictionary is sampled across them, if not chosen yet)."""
        pickles = [pickle.dumps(s, PICKLE_PROTOCOL) if s else b"" for s in stored]
        if self._zdict is None:
            self._held.extend(pickles)
            self._held_size += sum(map(len, pickles))
            self._start_blocks()
        else:
            for data in pickles:
                self._append(data)

    def _start_blocks(self) -> None:
        held, self._held = self._held, []
        self._zdict = make_zdict([p for p in held if p], self._zdict_size)
        self._write(self._zdict)
        for data in held:
            self._append(data)

    def _append(self, data: bytes) -> None:
        self._block.append(data)
        self._block_bytes += len(data)
        if self._block_bytes >= self._block_size:
            self._flush()

    def _flush(self) -> None:
        docs = self._block
        if not docs:
            return
        payload = b"".join([_COUNT.pack(len(docs)), np.array([len(d) for d in docs], "<u4").tobytes(), *docs])
        compressor = zlib.compressobj(LEVEL, zdict=self._zdict) if self._zdict else zlib.compressobj(LEVEL)
        self._first_docs.append(self._count)
        self._starts.append(self._pos)
        self._write(compressor.compress(payload) + compressor.flush())
        self._count += len(docs)
        self._block, self._block_bytes = [], 0

    def close(self) -> None:
        if self._zdict is None:
            self._start_blocks()
        self._flush()
        pad = -self._pos % 8
        self._write(bytes(pad))
        arrays_at = self._pos
        self._write(np.array([*self._first_docs, self._count], "<u4").tobytes())
        self._write(np.array([*self._starts, arrays_at - pad], "<u8").tobytes())
        assert self._zdict is not None
        self._write(FOOTER.pack(arrays_at, self._count, len(self._starts), len(self._zdict), MAGIC))
        self._file.close()


class StoredBlockReader:
    """Reads a file of :class:`StoredBlockWriter` of ``length`` bytes: :meth:`stored_fields` per document
    (thread-safe; the last ``cache`` decoded blocks are kept) and iteration in order (each block decoded
    once)."""

    def __init__(self, dbfile: Any, length: int, *, cache: int = 8) -> None:
        self._file = dbfile
        self._lock = threading.Lock()  # a file that is not memory-mapped reads by seek + read
        if length < len(MAGIC) + FOOTER.size or self._get(0, len(MAGIC)) != MAGIC:
            raise CorruptIndexError(
                "not a stored-fields file (bad magic): `zhsearch reindex --full` rebuilds it"
            )
        arrays_at, count, nblocks, zlen, magic = FOOTER.unpack(self._get(length - FOOTER.size, FOOTER.size))
        if magic != MAGIC:
            raise CorruptIndexError(
                "the stored-fields file is truncated: `zhsearch reindex --full` rebuilds it"
            )
        self._count = count
        self._zdict = self._get(len(MAGIC), zlen)
        self._first_docs = np.frombuffer(self._get(arrays_at, 4 * (nblocks + 1)), "<u4").tolist()
        self._starts = np.frombuffer(
            self._get(arrays_at + 4 * (nblocks + 1), 8 * (nblocks + 1)), "<u8"
        ).tolist()
        self._cache: OrderedDict[int, tuple[bytes, list[int]]] = OrderedDict()
        self._cache_size = cache

    def _get(self, pos: int, length: int) -> bytes:
        with self._lock:
            return self._file.get(pos, length)

    def __len__(self) -> int:
        return self._count

    @property
    def block_count(self) -> int:
        return len(self._starts) - 1

    def _decode(self, block: int) -> tuple[bytes, list[int]]:
        """A block's payload and where each of its documents' pickles starts (one more at the end)."""
        start, end = self._starts[block], self._starts[block + 1]
        decompressor = zlib.decompressobj(zdict=self._zdict) if self._zdict else zlib.decompressobj()
        payload = decompressor.decompress(self._get(start, end - start))
        (n,) = _COUNT.unpack_from(payload, 0)
        head = _COUNT.size * (n + 1)
        lengths = np.frombuffer(payload, "<u4", count=n, offset=_COUNT.size).tolist()
        return payload, list(accumulate(lengths, initial=head))

    def _cached(self, block: int) -> tuple[bytes, list[int]]:
        with self._lock:
            got = self._cache.get(block)
            if got is not None:
                self._cache.move_to_end(block)
                return got
        got = self._decode(block)
        with self._lock:
            self._cache[block] = got
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return got

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        """Document ``docnum``'s stored fields (a new dict on each call)."""
        if not 0 <= docnum < self._count:
            raise IndexError(f"document {docnum} of {self._count}")
        block = bisect_right(self._first_docs, docnum) - 1
        payload, offsets = self._cached(block)
        k = docnum - self._first_docs[block]
        start, end = offsets[k], offsets[k + 1]
        return pickle.loads(memoryview(payload)[start:end]) if end > start else {}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        view = memoryview
        for block in range(self.block_count):
            payload, offsets = self._decode(block)
            data = view(payload)
            for start, end in zip(offsets, offsets[1:], strict=False):
                yield pickle.loads(data[start:end]) if end > start else {}

    def close(self) -> None:
        self._file.close()


class StoredBlocksPerDocWriter(W3PerDocWriterWithoutStored):
    """W3's per-document writer with the stored fields in a :class:`~indexer.format.storeddocs.StoredDocWriter`
    file (format 5 on; :class:`StoredBlockWriter` wrote format 4's)."""

    def __init__(self, codec: Any, storage: Any, segment: Any) -> None:
        super().__init__(codec, storage, segment)
        self._stored_blocks = StoredDocWriter(segment.create_file(storage, STORED_EXT))

    def add_stored(self, stored: dict[str, Any]) -> None:
        self._stored_blocks.add(stored)

    def close(self) -> None:
        super().close()
        self._stored_blocks.close()


class StoredBlocksPerDocReader(W3PerDocReader):
    """W3's per-document reader with the stored fields from a :class:`~indexer.format.storeddocs.StoredDocReader`,
    or a :class:`StoredBlockReader` for a segment of format 4 (opened when first asked for)."""

    def __init__(self, storage: Any, segment: Any) -> None:
        super().__init__(storage, segment)
        self._stored_at = (storage, segment)
        self._stored_blocks: StoredBlockReader | StoredDocReader | None = None
        self._stored_lock = threading.Lock()

    def _blocks(self) -> StoredBlockReader | StoredDocReader:
        blocks = self._stored_blocks
        if blocks is None:
            with self._stored_lock:
                if self._stored_blocks is None:
                    storage, segment = self._stored_at
                    name = segment.make_filename(STORED_EXT)
                    dbfile, length = storage.open_file(name), storage.file_length(name)
                    per_doc = length >= len(MAGIC) and dbfile.get(0, len(MAGIC)) == storeddocs.MAGIC
                    self._stored_blocks = (StoredDocReader if per_doc else StoredBlockReader)(dbfile, length)
                blocks = self._stored_blocks
        return blocks

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        return self._blocks().stored_fields(docnum)

    def iter_docs(self) -> Iterator[tuple[int, dict[str, Any]]]:
        is_deleted = self.is_deleted
        for docnum, stored in enumerate(self._blocks()):
            if not is_deleted(docnum):
                yield docnum, stored

    def all_stored_fields(self) -> Iterator[dict[str, Any]]:
        for _docnum, stored in self.iter_docs():
            yield stored

    def close(self) -> None:
        super().close()
        if self._stored_blocks is not None:
            self._stored_blocks.close()
