"""Merging the fast build's segments into one, a posting block at a time.

The fast build (:mod:`indexer.segments.fastbuild`) writes one segment per chunk of articles, in parallel. Many segments
cost every query a term lookup and a posting list per segment, and the term dictionary is repeated in each.
Whoosh's own merge reads every posting back through a matcher and writes it again, which is as slow as the
build itself. Here the posting lists of :class:`~indexer.codec.ZhCodec` segments are merged without decoding
them: a block stores its ids relative to its first id, which is in the block's header, so moving a block to
the merged segment's document numbers rewrites 17 bytes of header and copies the rest. The documents' stored
fields, lengths and column values are copied in order.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3TermInfo
from whoosh.fields import Schema

from indexer.codec import ZhCodec
from indexer.compat import (
    ensure_column,
    length_column,
    postings_writer,
    segment_field_lengths,
    set_writer_field_lengths,
    terms_postfile,
    writer_stored_fields,
)
from indexer.format.mmapstore import MappedStorage


def _field_terms(reader: Any, fieldname: str, index: int) -> Iterator[tuple[bytes, int, W3TermInfo]]:
    for (name, btext), terminfo in reader.items_from(fieldname, b""):
        if name != fieldname:
            return
        yield btext, index, terminfo


def merge_segments(
    storage: Any,
    schema: Schema,
    segments: Sequence[Any],
    indexname: str,
    *,
    source: Any = None,
    keep_deletions: bool = False,
) -> Any:
    """One new segment holding the documents of ``segments`` in order (each must be written by
    :class:`ZhCodec` and not be compound); returns it. The input segments' files are left alone.

    Blocks are copied, not decoded, so deleted documents cannot be dropped: a segment with deletions is refused
    unless ``keep_deletions``, which copies its deleted documents too and marks them deleted in the new one.

    The new segment is written to ``storage``; the input segments are read from ``source`` (default: a
    memory-mapped view of the same directory, since the term dictionaries are read a few bytes at a time).
    """
    codecs = {type(seg.codec()) for seg in segments}
    if len(codecs) != 1:
        raise ValueError(f"segments of different codecs cannot be merged block by block: {codecs}")
    codec = codecs.pop()()
    if source is None:
        source = MappedStorage(storage.folder) if hasattr(storage, "folder") else storage
    out = codec.new_segment(storage, indexname)
    bases: list[int] = []
    total = 0
    for seg in segments:
        if (
            (seg.has_deletions() and not keep_deletions)
            or seg.is_compound()
            or not isinstance(seg.codec(), ZhCodec)
        ):
            raise ValueError(f"segment {seg.segment_id()} cannot be merged block by block")
        bases.append(total)
        total += seg.doc_count_all()

    _merge_documents(storage, source, schema, codec, out, segments)
    _merge_postings(storage, source, schema, codec, out, segments, bases)
    out.set_doc_count(total)
    for seg, base in zip(segments, bases, strict=True):
        for docnum in seg.deleted_docs():
            out.delete_document(base + docnum)
    return out


def _merge_documents(
    storage: Any, source: Any, schema: Schema, codec: ZhCodec, out: Any, segments: Sequence[Any]
) -> None:
    perdoc = codec.per_document_writer(storage, out)
    columns = [(name, schema[name].column_type) for name in schema.names() if schema[name].column_type]
    scorable = [name for name in schema.names() if schema[name].scorable]
    fieldlengths: dict[str, int] = defaultdict(int)
    docnum = 0
    for seg in segments:
        reader = seg.codec().per_document_reader(source, seg)
        try:
            n = seg.doc_count_all()
            values = {
                name: list(reader.column_reader(name, column))
                for name, column in columns
                if reader.has_column(name)
            }
            lengths = {}
            for name in scorable:
                lenname = length_column(name)
                if reader.has_column(lenname):
                    lengths[lenname] = list(reader.column_reader(lenname, LENGTHS_COLUMN))
            for name, total in segment_field_lengths(seg).items():
                fieldlengths[name] += total
            for d in range(n):
                perdoc.start_doc(docnum)
                writer_stored_fields(perdoc).update(reader.stored_fields(d))
                for lenname, col in lengths.items():
                    if col[d]:
                        perdoc.add_column_value(lenname, LENGTHS_COLUMN, col[d])
                for name, column in columns:
                    col = values.get(name)
                    if col is not None:
                        perdoc.add_column_value(name, column, col[d])
                perdoc.finish_doc()
                docnum += 1
        finally:
            reader.close()
    # every column in the segment (see indexer.segments.fastbuild: whoosh3's multi-segment column reader needs them)
    for name, column in columns:
        ensure_column(perdoc, name, column)
    set_writer_field_lengths(perdoc, fieldlengths)
    perdoc.close()


def _merge_postings(
    storage: Any,
    source: Any,
    schema: Schema,
    codec: ZhCodec,
    out: Any,
    segments: Sequence[Any],
    bases: Sequence[int],
) -> None:
    readers = [seg.codec().terms_reader(source, seg) for seg in segments]
    try:
        fieldwriter = codec.field_writer(storage, out)
        fieldnames = sorted(set().union(*(r.indexed_field_names() for r in readers)))
        for fieldname in fieldnames:
            fieldwriter.start_field(fieldname, schema[fieldname])
            streams = [_field_terms(r, fieldname, i) for i, r in enumerate(readers)]
            for btext, group in groupby(heapq.merge(*streams), key=itemgetter(0)):
                fieldwriter.start_term(btext)
                sources = [(terms_postfile(readers[i]), terminfo, bases[i]) for _, i, terminfo in group]
                postings_writer(fieldwriter).copy_lists(sources)
                fieldwriter.finish_term()
            fieldwriter.finish_field()
        fieldwriter.close()
    finally:
        for r in readers:
            r.close()
