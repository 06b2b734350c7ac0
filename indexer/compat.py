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
from whoosh.index import FileIndex
from whoosh.reading import IndexReader, SegmentReader
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

#: The private attributes used below, as (what has it, attribute); ``tests/test_compat.py`` checks each on
#: real objects of the installed whoosh3. (The codec, :mod:`indexer.codec`, subclasses W3's writer and
#: matcher and so works with their internals too; the same tests run its round trips.)
PRIVATE_ATTRIBUTES = (
    ("FileIndex", "_reader"),
    ("BM25F", "_field_B"),
    ("SegmentReader", "_terms"),
    ("SegmentReader", "_perdoc"),
    ("W3TermsReader", "_postfile"),
    ("W3PerDocReader", "_cached_reader"),
    ("W3Segment", "_fieldlengths"),
    ("W3PerDocWriter", "_fieldlengths"),
    ("W3PerDocWriter", "_storedfields"),
    ("W3PerDocWriter", "_has_column"),
    ("W3PerDocWriter", "_create_column"),
    ("W3FieldWriter", "_postwriter"),
    ("FixedBytesColumn.Reader", "_dbfile"),
    ("FixedBytesColumn.Reader", "_basepos"),
    ("FixedBytesColumn.Reader", "_count"),
)


def open_reader(storage: Any, schema: Any, segments: list[Any], generation: int) -> IndexReader:
    """A reader on exactly these segments of a commit (what ``FileIndex.reader()`` does, without re-reading
    the TOC: a pinned index opens its readers on the segments it pinned)."""
    return FileIndex._reader(storage, schema, segments, generation)


def bm25f_b(weighting: BM25F, field: str) -> float:
    """BM25F's B for ``field`` (a per-field B given to ``BM25F(title_B=...)``, else the default)."""
    return weighting._field_B.get(field, weighting.B)


def length_column(field: str) -> str:
    """The name of the column holding a field's quantised lengths."""
    return f"_{field}_len"


def terms_postfile(terms_reader: Any) -> Any:
    """The postings file of a segment's terms reader."""
    return terms_reader._postfile


def segment_field_lengths(segment: Any) -> dict[str, int]:
    """A segment's total length per field."""
    return segment._fieldlengths


def set_writer_field_lengths(perdoc: Any, totals: dict[str, int]) -> None:
    """Give a per-document writer the field length totals of the segment it writes (a merge copies them)."""
    perdoc._fieldlengths = totals


def ensure_column(perdoc: Any, name: str, column: Any) -> None:
    """Make a per-document writer write column ``name`` even if no document has a value in it (whoosh3's
    multi-segment column reader needs every segment to have the column)."""
    if not perdoc._has_column(name):
        perdoc._create_column(name, column)


def writer_stored_fields(perdoc: Any) -> dict[str, Any]:
    """The stored fields of the document a per-document writer is on."""
    return perdoc._storedfields


def postings_writer(field_writer: Any) -> Any:
    """The postings writer behind a field writer (the codec's, with its bulk methods)."""
    return field_writer._postwriter


#: Whoosh's length byte -> field length (a document whose byte is 0 counts as length 1, as BM25F reads it).
LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
LENGTH_OF_BYTE[0] = 1.0


def postings_buffer(reader: SegmentReader) -> tuple[Any, int, int]:
    """``(buffer, start, end)`` of a segment's postings file: a zero-copy view for ``np.frombuffer``.

    For a segment opened through :class:`indexer.mmapstore.MappedStorage` the buffer is the memory map itself;
    otherwise the file's bytes are read once.
    """
    postfile = terms_postfile(reader._terms)
    part = postfile.file
    mapped = getattr(part, "_map", None)
    if mapped is not None:
        return mapped, part._start, part._end
    data = postfile.get(0, 1 << 62) if hasattr(postfile, "get") else postfile.read()
    return data, 0, len(data)


def field_lengths(reader: SegmentReader, field: str) -> np.ndarray:
    """Every document's quantised length in ``field`` (float64, 1.0 where the field is empty or absent)."""
    count = reader.doc_count_all()
    column = reader._perdoc._cached_reader(length_column(field), LENGTHS_COLUMN)
    if column is None:
        return np.ones(count, dtype=np.float64)
    stored = min(column._count, count)
    raw = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8, count=stored)
    codes = np.zeros(count, dtype=np.uint8)
    codes[:stored] = raw
    return LENGTH_OF_BYTE[codes]
