"""Read-only memory-mapped Whoosh storage.

whoosh3 3.54 maps a compound segment file and then wraps each of its parts in ``BytesIO(memoryview)``, which
*copies* the part: every reader opened through a plain ``FileStorage`` costs about the size of the index in
memory. :class:`MappedStorage` serves the same files from one ``mmap`` each, copying only the bytes read.
"""

from __future__ import annotations

import io
import mmap
import os
import pickle
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile


class _MappedPart:
    """A file-like view of ``[start, start + length)`` of a memory map (reads copy only what they return)."""

    def __init__(self, mapped: mmap.mmap, start: int, length: int) -> None:
        self._map = mapped
        self._start = start
        self._end = start + length
        self._pos = start
        self.closed = False

    def read(self, size: int | None = -1) -> bytes:
        end = self._end if size is None or size < 0 else min(self._end, self._pos + size)
        data = self._map[self._pos : end]
        self._pos = max(self._pos, end)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        end = self._map.find(b"\n", self._pos, self._end)
        end = self._end if end < 0 else end + 1
        if size is not None and size >= 0:
            end = min(end, self._pos + size)
        data = self._map[self._pos : end]
        self._pos = end
        return data

    def get(self, position: int, length: int) -> bytes:
        start = self._start + position
        return self._map[start : min(self._end, start + length)]

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: self._start, 1: self._pos, 2: self._end}[whence]
        self._pos = base + offset
        return self._pos - self._start

    def tell(self) -> int:
        return self._pos - self._start

    def close(self) -> None:
        self.closed = True  # the map belongs to the whole file


class _MappedFile(StructFile):
    """``StructFile`` over a :class:`_MappedPart`: slices instead of seek + read, and pickles unpickled from
    one slice instead of a Python ``read()`` call per opcode (a posting block header is a pickle)."""

    _PICKLE_CHUNK = 512

    def subset(self, offset: int, length: int, name: str | None = None) -> StructFile:
        part: _MappedPart = self.file
        return _MappedFile(_MappedPart(part._map, part._start + offset, length), name=name or self._name)

    def get(self, position: int, length: int) -> bytes:
        return self.file.get(position, length)

    def read_pickle(self) -> Any:
        pos = self.file.tell()
        chunk = self.file.get(pos, self._PICKLE_CHUNK)
        buffer = io.BytesIO(chunk)
        try:
            value = pickle.load(buffer)
        except (EOFError, pickle.UnpicklingError, ValueError, IndexError):
            value = None
            buffer = None
        if buffer is None or buffer.tell() >= len(chunk) == self._PICKLE_CHUNK:
            self.file.seek(pos)  # longer than the chunk: read it the slow way
            return pickle.load(self.file)
        self.file.seek(pos + buffer.tell())
        return value


class MappedStorage(FileStorage):
    """A read-only ``FileStorage`` whose files are memory-mapped, without copying them per reader.

    whoosh3 3.54 maps a compound segment file and then wraps each of its parts in ``BytesIO(memoryview)``,
    which *copies* the part: every reader costs about the size of the index in memory, and the web app opens one reader per concurrent query. Here each file is
    an ``mmap`` behind a :class:`_MappedFile` and ``supports_mmap`` is off, so ``CompoundStorage`` reads its
    parts through :meth:`_MappedFile.subset` views of the same map, copying only the bytes read.
    """

    supports_mmap = False

    def open_file(self, name: str, **kwargs: object) -> StructFile:
        with open(self._fpath(name), "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size == 0:
                return super().open_file(name, **kwargs)
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        return _MappedFile(_MappedPart(mapped, 0, size), name=name)
