"""A segment's stored fields, one Zstandard frame per document, with a dictionary trained on the segment's own
documents.

The stored fields of format 4 (:mod:`indexer.format.storedblocks`) are zlib blocks of about 4 KB of pickles: a
lookup inflates a whole block (40 to 120 us) for one article. Here every document is a frame of its own, so a
lookup decodes that article alone (about 6 us); what a block gained by its neighbours, the frame gets from a
dictionary that Zstandard trains on the first :data:`SAMPLE_SIZE` bytes of the segment's documents (the field
names, the pickle framing and the words news repeats), kept in the file. On the 75k news corpus this is smaller
than the zlib blocks and cheaper to write (the figures: ``bench/results/format-zstd.md``). A segment too small
to train on uses a sample of its documents as the dictionary, as the zlib blocks did.

File layout::

    MAGIC  dictionary  frames...  (at a multiple of 8) uint64 start of each document's frame, then the end of
    the last  footer (FOOTER)

A document without stored fields has an empty frame (no bytes).
"""

from __future__ import annotations

import pickle
import struct
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import zstandard
from whoosh.reading import CorruptIndexError

MAGIC = b"ZhS2"
#: Zstandard's level: smaller and faster to write than format 4's zlib blocks at level 6.
LEVEL = 6
#: Bytes of the trained dictionary (Zstandard's default size).
DICT_SIZE = 112 * 1024
#: Pickled bytes held before the dictionary is trained on them (the first documents wait for it).
SAMPLE_SIZE = 4 * 1024 * 1024
#: Bytes of a segment's sample below which no dictionary is trained: a sample of documents is the dictionary.
RAW_DICT_SIZE = 32 * 1024
PICKLE_PROTOCOL = 5
#: The last bytes of the file: where the arrays start, the document count, the dictionary's length and kind
#: (:data:`NO_DICT`, :data:`RAW_DICT`, :data:`TRAINED_DICT`), and MAGIC again.
FOOTER = struct.Struct("<QIIB4s")
NO_DICT, RAW_DICT, TRAINED_DICT = 0, 1, 2


def _sampled(pickles: list[bytes], size: int) -> bytes:
    """Whole documents taken evenly across ``pickles``, at most ``size`` bytes of them."""
    total = sum(map(len, pickles))
    if total <= size:
        return b"".join(pickles)
    step = max(1, round(total / size))
    return b"".join([p for k, p in enumerate(pickles) if k % step == step // 2] or pickles[:1])[-size:]


def train(pickles: list[bytes], dict_size: int = DICT_SIZE) -> tuple[int, bytes]:
    """``(kind, bytes)`` of the dictionary for documents like ``pickles`` (the non-empty ones)."""
    if not pickles:
        return NO_DICT, b""
    if sum(map(len, pickles)) >= 8 * dict_size and len(pickles) >= 64:
        try:
            trained = zstandard.train_dictionary(dict_size, pickles, k=1024, d=8)
        except zstandard.ZstdError:  # too little to learn from: a sample instead
            pass
        else:
            return TRAINED_DICT, trained.as_bytes()
    sample = _sampled(pickles, RAW_DICT_SIZE)
    return (RAW_DICT, sample) if len(sample) >= 8 else (NO_DICT, b"")  # Zstandard's smallest dictionary


def _dictionary(kind: int, data: bytes) -> zstandard.ZstdCompressionDict | None:
    if kind == NO_DICT:
        return None
    dict_type = zstandard.DICT_TYPE_FULLDICT if kind == TRAINED_DICT else zstandard.DICT_TYPE_RAWCONTENT
    return zstandard.ZstdCompressionDict(data, dict_type=dict_type)


class StoredDocWriter:
    """Writes stored dicts, one per document in order (:meth:`add`, or :meth:`add_many` for a list), to
    ``dbfile``: one frame each."""

    def __init__(
        self, dbfile: Any, *, level: int = LEVEL, sample_size: int = SAMPLE_SIZE, dict_size: int = DICT_SIZE
    ) -> None:
        self._file = dbfile
        self._level = level
        self._sample_size = sample_size
        self._dict_size = dict_size
        self._compress: Any = None  # the compressor's method, once the dictionary is chosen
        self._dict_kind = NO_DICT
        self._dict = b""
        self._held: list[bytes] = []  # pickles waiting for the dictionary
        self._held_size = 0
        self._starts: list[int] = []
        self._pos = 0
        self._write(MAGIC)

    def _write(self, data: bytes) -> None:
        self._file.write(data)
        self._pos += len(data)

    def add(self, stored: dict[str, Any] | None) -> None:
        """The next document's stored fields (None or empty: none)."""
        self.add_many([stored])

    def add_many(self, stored: Iterable[dict[str, Any] | None]) -> None:
        """The next documents' stored fields."""
        pickles = [pickle.dumps(s, PICKLE_PROTOCOL) if s else b"" for s in stored]
        if self._compress is None:
            self._held.extend(pickles)
            self._held_size += sum(map(len, pickles))
            if self._held_size >= self._sample_size:
                self._start_frames()
        else:
            self._append(pickles)

    def _start_frames(self) -> None:
        held, self._held = self._held, []
        self._dict_kind, self._dict = train([p for p in held if p], self._dict_size)
        compressor = zstandard.ZstdCompressor(
            level=self._level,
            dict_data=_dictionary(self._dict_kind, self._dict),
            write_checksum=False,
            write_content_size=True,
            write_dict_id=False,
        )
        self._compress = compressor.compress
        self._write(self._dict)
        self._append(held)

    def _append(self, pickles: list[bytes]) -> None:
        compress = self._compress
        frames = [compress(p) if p else b"" for p in pickles]
        for frame in frames:
            self._starts.append(self._pos)
            self._pos += len(frame)
        self._file.write(b"".join(frames))

    def close(self) -> None:
        if self._compress is None:
            self._start_frames()
        pad = -self._pos % 8
        self._write(bytes(pad))
        arrays_at = self._pos
        self._write(np.array([*self._starts, arrays_at - pad], "<u8").tobytes())
        count = len(self._starts)
        self._write(FOOTER.pack(arrays_at, count, len(self._dict), self._dict_kind, MAGIC))
        self._file.close()


class StoredDocReader:
    """Reads a file of :class:`StoredDocWriter` of ``length`` bytes: :meth:`stored_fields` per document
    (thread-safe: each thread decodes with its own context) and iteration in order."""

    def __init__(self, dbfile: Any, length: int) -> None:
        self._file = dbfile
        self._lock = threading.Lock()  # a file that is not memory-mapped reads by seek + read
        if length < len(MAGIC) + FOOTER.size or self._get(0, len(MAGIC)) != MAGIC:
            raise CorruptIndexError(
                "not a stored-fields file (bad magic): `zhsearch reindex --full` rebuilds it"
            )
        arrays_at, count, dict_len, dict_kind, magic = FOOTER.unpack(
            self._get(length - FOOTER.size, FOOTER.size)
        )
        if magic != MAGIC or arrays_at + 8 * (count + 1) + FOOTER.size != length:
            raise CorruptIndexError(
                "the stored-fields file is truncated: `zhsearch reindex --full` rebuilds it"
            )
        self._count = count
        self._dict_kind = dict_kind
        self._dict = _dictionary(dict_kind, self._get(len(MAGIC), dict_len))
        self._starts = np.frombuffer(self._get(arrays_at, 8 * (count + 1)), "<u8").astype(np.int64)
        self._local = threading.local()

    def _get(self, pos: int, length: int) -> bytes:
        with self._lock:
            return self._file.get(pos, length)

    def _decompress(self, frame: bytes) -> bytes:
        decompressor = getattr(self._local, "decompressor", None)
        if decompressor is None:
            decompressor = self._local.decompressor = zstandard.ZstdDecompressor(dict_data=self._dict)
        return decompressor.decompress(frame)

    def __len__(self) -> int:
        return self._count

    @property
    def dict_kind(self) -> int:
        """:data:`NO_DICT`, :data:`RAW_DICT` or :data:`TRAINED_DICT`."""
        return self._dict_kind

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        """Document ``docnum``'s stored fields (a new dict on each call)."""
        if not 0 <= docnum < self._count:
            raise IndexError(f"document {docnum} of {self._count}")
        start, end = int(self._starts[docnum]), int(self._starts[docnum + 1])
        return pickle.loads(self._decompress(self._get(start, end - start))) if end > start else {}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for docnum in range(self._count):
            yield self.stored_fields(docnum)

    def close(self) -> None:
        self._file.close()
