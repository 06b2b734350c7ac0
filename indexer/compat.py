"""The one place that reaches into whoosh3's private attributes.

The query engine reads posting lists and per-document lengths as arrays, straight from the memory-mapped
segment files, instead of through Whoosh's matchers. That needs a few attributes whoosh3 does not publish; they
are read here only, and ``tests/test_compat.py`` checks that each exists in the installed whoosh3 (its version
is bounded in ``pyproject.toml`` to the releases tested).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length

#: The private attributes used below, as (object, attribute) descriptions checked by the tests.
PRIVATE_ATTRIBUTES = (
    ("SegmentReader", "_terms"),
    ("SegmentReader", "_perdoc"),
    ("W3TermsReader", "_postfile"),
    ("W3PerDocReader", "_cached_reader"),
    ("FixedBytesColumn.Reader", "_dbfile"),
    ("FixedBytesColumn.Reader", "_basepos"),
    ("FixedBytesColumn.Reader", "_count"),
    ("_MappedFile.file", "_map"),
    ("_MappedFile.file", "_start"),
    ("_MappedFile.file", "_end"),
)

#: Whoosh's length byte -> field length (a document whose byte is 0 counts as length 1, as BM25F reads it).
LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
LENGTH_OF_BYTE[0] = 1.0


def postings_buffer(reader: SegmentReader) -> tuple[Any, int, int]:
    """``(buffer, start, end)`` of a segment's postings file: a zero-copy view for ``np.frombuffer``.

    For a segment opened through :class:`indexer.mmapstore.MappedStorage` the buffer is the memory map itself;
    otherwise the file's bytes are read once.
    """
    postfile = reader._terms._postfile
    part = postfile.file
    mapped = getattr(part, "_map", None)
    if mapped is not None:
        return mapped, part._start, part._end
    data = postfile.get(0, 1 << 62) if hasattr(postfile, "get") else postfile.read()
    return data, 0, len(data)


def field_lengths(reader: SegmentReader, field: str) -> np.ndarray:
    """Every document's quantised length in ``field`` (float64, 1.0 where the field is empty or absent)."""
    count = reader.doc_count_all()
    column = reader._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
    if column is None:
        return np.ones(count, dtype=np.float64)
    stored = min(column._count, count)
    raw = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8, count=stored)
    codes = np.zeros(count, dtype=np.uint8)
    codes[:stored] = raw
    return LENGTH_OF_BYTE[codes]
