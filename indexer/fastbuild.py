"""The fast path of a full build: documents analysed in worker processes, one Whoosh segment per chunk.

Whoosh's own writer sends every posting through a ``PostingPool`` (a size estimate, a pickle and an external
merge sort per posting: gigabytes of run files for a news archive) and then looks each document's field
length up again through the column readers. Here a worker analyses a chunk of documents with the project's
analyzers directly (no ``Token`` objects, no generic ``word_values``), keeps the postings in per-field
dictionaries, and writes a complete segment through the project's codec (:class:`indexer.codec.ZhCodec`, W3's
layout with compact posting blocks): Whoosh reads it as usual. The parent process only reads articles and writes the table of
contents listing the chunks' segments.
"""

from __future__ import annotations

import multiprocessing
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Existence, Frequency, Positions
from whoosh.index import TOC
from whoosh.system import emptybytes
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer.analysis import ChineseTokenizer, UnitTokenizer, unit_positions
from indexer.codec import ZhCodec
from indexer.compat import ensure_column
from indexer.merge import merge_segments
from indexer.store import INDEX_NAME


class _Lengths:
    """Field lengths of the chunk being written, as the codec's field writer asks for them."""

    def __init__(self, lengths: dict[str, dict[int, int]]) -> None:
        self._lengths = lengths

    def doc_field_length_reader(self, fieldname: str, default: int = 0):  # type: ignore[no-untyped-def]
        table = self._lengths.get(fieldname, {})
        # the reader sees lengths quantised to one byte; block statistics must use the same values
        quantised = {docnum: byte_to_length(length_to_byte(n)) for docnum, n in table.items()}
        fallback = byte_to_length(length_to_byte(default))
        return lambda docnum: quantised.get(docnum, fallback)

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        return self.doc_field_length_reader(fieldname, default)(docnum)


def _word_items(analyzer: ChineseTokenizer, value: str) -> tuple[int, Iterable[tuple[str, int]]]:
    texts = analyzer.word_texts(value)
    return len(texts), Counter(texts).items()


def write_segment(gen_dir: str, docs: list[dict[str, Any]], *, assemble: bool = True) -> Any:
    """Write ``docs`` as one new segment of the index in ``gen_dir``; returns the Whoosh segment object.

    ``assemble=False`` leaves the segment's files apart (not in one compound file), for :func:`merge_segments`.
    """
    storage = FileStorage(gen_dir)
    ix = storage.open_index(INDEX_NAME)
    schema: Schema = ix.schema
    codec = ZhCodec()
    segment = codec.new_segment(storage, INDEX_NAME)
    perdoc = codec.per_document_writer(storage, segment)
    # bulk[fieldname][term] -> (docnums, frequencies[, every posting's positions one after the other]): the
    # analysed text fields, in typed arrays (4 bytes a number: a chunk of 40,000 articles fits in a few hundred
    # MB). Terms are encoded once, when written: UTF-8 bytes sort in the same order as the strings.
    bulk: dict[str, dict[str, tuple[array, ...]]] = defaultdict(dict)
    # counted[fieldname][term bytes] -> (docnums, frequencies): the exact-value fields whose weight is the
    # frequency; other[fieldname][term bytes] -> list of (docnum, weight, value bytes): anything else
    counted: dict[str, dict[bytes, tuple[array, array]]] = defaultdict(dict)
    other: dict[str, dict[bytes, list[tuple[int, float, bytes]]]] = defaultdict(lambda: defaultdict(list))
    lengths: dict[str, dict[int, int]] = defaultdict(dict)

    for docnum, fields in enumerate(docs):
        perdoc.start_doc(docnum)
        for fieldname in sorted(name for name in fields if not name.startswith("_")):
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                analyzer = getattr(field, "analyzer", None)
                fmt = field.format
                if isinstance(analyzer, UnitTokenizer) and type(fmt) is Positions and fmt.field_boost == 1:
                    length, poses = unit_positions(value)
                    target = bulk[fieldname]
                    for text, poslist in poses.items():
                        entry = target.get(text)
                        if entry is None:
                            entry = target[text] = (array("I"), array("I"), array("I"))
                        entry[0].append(docnum)
                        entry[1].append(len(poslist))
                        entry[2].extend(poslist)
                elif (
                    isinstance(analyzer, ChineseTokenizer) and type(fmt) is Frequency and fmt.field_boost == 1
                ):
                    length, counts = _word_items(analyzer, value)
                    target = bulk[fieldname]
                    for text, freq in counts:
                        entry = target.get(text)
                        if entry is None:
                            entry = target[text] = (array("I"), array("I"))
                        entry[0].append(docnum)
                        entry[1].append(freq)
                elif type(fmt) in (Existence, Frequency) and fmt.field_boost == 1:
                    # exact values (id, url, dates, tags...): the weight is the frequency, the value implied
                    target3 = counted[fieldname]
                    for tbytes, freq, _weight, _vbytes in field.index(value):
                        entry = target3.get(tbytes)
                        if entry is None:
                            entry = target3[tbytes] = (array("I"), array("I"))
                        entry[0].append(docnum)
                        entry[1].append(freq)
                        length += freq
                else:
                    target2 = other[fieldname]
                    for tbytes, freq, weight, vbytes in field.index(value):
                        target2[tbytes].append((docnum, weight, vbytes))
                        length += freq
                if not field.scorable:
                    length = 0
                else:
                    lengths[fieldname][docnum] = length
            stored = fields.get(f"_stored_{fieldname}", value)
            perdoc.add_field(fieldname, field, stored if field.stored else None, length)
            column = field.column_type
            if column is not None:
                perdoc.add_column_value(fieldname, column, field.to_column_value(value))
        perdoc.finish_doc()
    # every segment gets every column, filled with the column's default where no document had a value:
    # whoosh3's multi-segment column reader skips segments without the column and then misplaces documents
    for fieldname in schema.names():
        column = schema[fieldname].column_type
        if column is not None:
            ensure_column(perdoc, fieldname, column)
    perdoc.close()

    fieldwriter = codec.field_writer(storage, segment)
    length_source = _Lengths(lengths)
    for fieldname in sorted(set(bulk) | set(counted) | set(other)):
        fieldwriter.start_field(fieldname, schema[fieldname])
        dfl = length_source.doc_field_length_reader(fieldname)
        quantised = [dfl(d) for d in range(len(docs))]
        if fieldname in bulk:
            terms = bulk[fieldname]
            for text in sorted(terms):
                fieldwriter.start_term(text.encode("utf-8"))
                entry = terms[text]
                ids = entry[0]
                fieldwriter.add_counted_list(
                    ids, entry[1], [quantised[d] for d in ids], entry[2] if len(entry) > 2 else None
                )
                fieldwriter.finish_term()
            del bulk[fieldname]  # free the field's postings before the next one is written
        elif fieldname in counted:
            for tbytes, (ids, freqs) in sorted(counted.pop(fieldname).items()):
                fieldwriter.start_term(tbytes)
                fieldwriter.add_counted_list(ids, freqs, [quantised[d] for d in ids], None)
                fieldwriter.finish_term()
        else:
            others = other[fieldname]
            for tbytes in sorted(others):
                fieldwriter.start_term(tbytes)
                for docnum, weight, vbytes in others[tbytes]:
                    fieldwriter.add(
                        docnum, weight, vbytes if vbytes is not None else emptybytes, quantised[docnum]
                    )
                fieldwriter.finish_term()
        fieldwriter.finish_field()
    fieldwriter.close()
    segment.set_doc_count(len(docs))
    if assemble and segment.should_assemble():
        segment.create_compound_file(storage)
        segment.compound = True
    return segment


def _write_chunk(args: tuple[str, list[dict[str, Any]], bool]) -> Any:
    gen_dir, docs, assemble = args
    return write_segment(gen_dir, docs, assemble=assemble)


class ParallelSegmentBuilder:
    """Feeds chunks of documents to worker processes; each chunk becomes one segment.

    Used as a context manager: ``add(doc)`` buffers documents, ``commit()`` waits for the workers and writes
    the table of contents. At most ``jobs`` chunks are in flight, so memory stays bounded.

    The chunks' segments can then be merged into one (:func:`indexer.merge.merge_segments`): one term
    dictionary instead of one per chunk, and one term lookup per query term. ``merge=None`` (the default)
    merges only when there are more segments than workers, that is when the corpus is too big for one chunk
    per worker: merging two segments costs a large part of the build for little gain, merging many pays
    (measured; see bench/results/). ``True`` always merges, ``False`` never.
    """

    def __init__(
        self, gen_dir: str, jobs: int, chunk_docs: int = 40000, *, merge: bool | None = None
    ) -> None:
        self.gen_dir = gen_dir
        self.merge = merge
        self.jobs = max(1, jobs)
        self.chunk_docs = chunk_docs
        self.buffer: list[dict[str, Any]] = []
        self.segments: list[Any] = []
        self.pending: list[Any] = []
        self.pool: Any = None
        if self.jobs > 1:
            self.pool = multiprocessing.get_context("fork").Pool(self.jobs, maxtasksperchild=4)

    def plan(self, total: int) -> None:
        """Size the chunks for about ``total`` documents: one chunk per worker, none bigger than ``chunk_docs``
        (memory: about 10 KB per article in the worker) nor smaller than 500.

        Fewer, bigger chunks write fewer term entries (a term is written once per chunk it occurs in) and leave
        nothing to merge: about half the time and CPU of many small chunks merged into one (measured).
        """
        if self.jobs > 1 and total > 0:
            self.chunk_docs = max(500, min(self.chunk_docs, -(-total // self.jobs)))

    def add_document(self, **doc: Any) -> None:
        self.buffer.append(doc)
        if len(self.buffer) >= self.chunk_docs:
            self._flush()

    def _flush(self) -> None:
        if not self.buffer:
            return
        chunk, self.buffer = self.buffer, []
        assemble = self.merge is False  # a segment that may be merged is assembled after the decision
        if self.pool is None:
            self.segments.append(write_segment(self.gen_dir, chunk, assemble=assemble))
            return
        while len(self.pending) >= self.jobs:
            self.segments.append(self.pending.pop(0).get())
        self.pending.append(self.pool.apply_async(_write_chunk, ((self.gen_dir, chunk, assemble),)))

    def commit(self) -> int:
        """Finish every chunk and publish the segments in a new Whoosh commit; returns the document count."""
        self._flush()
        for result in self.pending:
            self.segments.append(result.get())
        self.pending = []
        self.close()
        storage = FileStorage(self.gen_dir)
        ix = storage.open_index(INDEX_NAME)
        info = ix._read_toc()
        if self.merge is not False and self.segments:
            merge = len(self.segments) > (1 if self.merge else self.jobs)
            if merge:
                merged = merge_segments(storage, info.schema, self.segments, INDEX_NAME)
                for seg in self.segments:
                    for name in seg.list_files(storage):
                        storage.delete_file(name)
                self.segments = [merged]
            for seg in self.segments:
                if seg.should_assemble():
                    seg.create_compound_file(storage)
        TOC(info.schema, list(info.segments) + self.segments, info.generation + 1).write(storage, INDEX_NAME)
        return sum(s.doc_count_all() for s in self.segments)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None

    def cancel(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
