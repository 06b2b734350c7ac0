"""The one place that reaches into whoosh3's private attributes.

The query engine reads posting lists and per-document lengths as arrays, straight from the memory-mapped
segment files, instead of through Whoosh's matchers. That needs a few attributes whoosh3 does not publish; they
are read here only, and ``tests/test_compat.py`` checks that each exists in the installed whoosh3 (its version
is bounded in ``pyproject.toml`` to the releases tested).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocWriter
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.index import FileIndex
from whoosh.reading import IndexReader, SegmentReader
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

#: The private attributes used below, as (what has it, attribute); ``tests/test_compat.py`` checks each on
#: real objects of the installed whoosh3. (The codec, :mod:`indexer.codec`, subclasses W3's writer and
#: matcher and so works with their internals too; the same tests run its round trips.)
PRIVATE_ATTRIBUTES = (
    ("FileIndex", "_reader"),
    ("FileIndex", "_read_toc"),
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
    ("W3PerDocWriter", "_indoc"),
    ("W3FieldWriter", "_postwriter"),
    ("FixedBytesColumn.Reader", "_dbfile"),
    ("FixedBytesColumn.Reader", "_basepos"),
    ("FixedBytesColumn.Reader", "_count"),
    ("FixedBytesColumn.Reader", "_doccount"),
    ("NumericColumn.Reader", "_typecode"),
    ("NumericColumn.Reader", "_default"),
    ("VarBytesColumn.Reader", "_dbfile"),
    ("VarBytesColumn.Reader", "_basepos"),
    ("VarBytesColumn.Reader", "_offsets"),
    ("VarBytesColumn.Reader", "_lengths"),
)


def open_reader(storage: Any, schema: Any, segments: list[Any], generation: int) -> IndexReader:
    """A reader on exactly these segments of a commit (what ``FileIndex.reader()`` does, without re-reading
    the TOC: a pinned index opens its readers on the segments it pinned)."""
    return FileIndex._reader(storage, schema, segments, generation)


def read_toc(ix: FileIndex) -> Any:
    """The latest table of contents of ``ix`` (schema, segments, generation), read afresh: its segment objects
    are the caller's own, so a writer can mark deletions on them."""
    return ix._read_toc()


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


class W3PerDocWriterWithoutStored(W3PerDocWriter):
    """W3's per-document writer (columns, field lengths, vectors) without its ``_stored`` column: each finished
    document's stored fields go to :meth:`add_stored` instead, which a subclass implements."""

    def _create_column(self, fieldname: str, column: Any) -> None:
        if fieldname != "_stored":
            super()._create_column(fieldname, column)

    def add_stored(self, stored: dict[str, Any]) -> None:
        """Keep the stored fields of the document just finished (an empty dict when it has none)."""
        raise NotImplementedError

    def finish_doc(self) -> None:
        if self._indoc:  # W3's close() calls finish_doc() again after the last document
            stored, self._storedfields = self._storedfields, {}
            self.add_stored(stored)
        super().finish_doc()


def postings_writer(field_writer: Any) -> Any:
    """The postings writer behind a field writer (the codec's, with its bulk methods)."""
    return field_writer._postwriter


#: Whoosh's length byte -> field length (a document whose byte is 0 counts as length 1, as BM25F reads it).
LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
LENGTH_OF_BYTE[0] = 1.0


def file_buffer(structfile: Any) -> tuple[Any, int, int]:
    """``(buffer, start, end)`` of an open segment file: a zero-copy view for ``np.frombuffer``.

    For a file opened through :class:`indexer.format.mmapstore.MappedStorage` the buffer is the memory map itself;
    otherwise the file's bytes are read once.
    """
    part = getattr(structfile, "file", None)
    mapped = getattr(part, "_map", None)
    if mapped is not None:
        return mapped, part._start, part._end
    where = structfile.tell()
    structfile.seek(0)
    data = structfile.read()  # to the end (asking for a huge length allocates it first)
    structfile.seek(where)
    return data, 0, len(data)


def segment_term_dict(reader: Any) -> Any | None:
    """The :class:`indexer.format.termdict_read.TermDict` of a segment reader whose terms this project's codec
    wrote, else None (W3's own terms reader)."""
    return getattr(getattr(reader, "_terms", None), "term_dict", None)


def postings_buffer(reader: SegmentReader) -> tuple[Any, int, int]:
    """``(buffer, start, end)`` of a segment's postings file (see :func:`file_buffer`)."""
    return file_buffer(terms_postfile(reader._terms))


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


def column_values(reader: SegmentReader, name: str) -> np.ndarray | list[bytes] | None:
    """Every document's value of the column ``name`` read at once: a numeric column as an array, a bytes column
    as a list (what ``list(reader.column_reader(name, translate=False))`` gives, without a call per document);
    None for another kind of column (or none), which the caller reads through Whoosh."""
    if not reader.has_column(name):
        return None
    column = reader.column_reader(name, translate=False)
    count = reader.doc_count_all()
    if type(column) is NumericColumn.Reader:
        stored = min(column._count, count)
        values = np.full(count, column._default, dtype=np.dtype(">" + column._typecode))
        values[:stored] = np.frombuffer(
            column._dbfile.get(column._basepos, stored * column._fixedlen), dtype=values.dtype, count=stored
        )
        return values
    if type(column) is VarBytesColumn.Reader:
        lengths, offsets = column._lengths, column._offsets
        if len(lengths) != count:
            return None
        if not count:
            return []
        blob = column._dbfile.get(column._basepos, offsets[-1] + lengths[-1])
        return [blob[o : o + n] for o, n in zip(offsets, lengths, strict=True)]
    return None
