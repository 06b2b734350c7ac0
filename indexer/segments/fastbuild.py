"""The fast path of a full build: documents analysed in worker processes, one Whoosh segment per chunk.

Whoosh's own writer sends every posting through a ``PostingPool`` (a size estimate, a pickle and an external
merge sort per posting: gigabytes of run files for a news archive) and then looks each document's field
length up again through the column readers. Here a worker takes a chunk of documents one field at a time: the
field's text analysed into arrays (:mod:`indexer.segments.chunkarrays`), its posting lists encoded from array slices
(:mod:`indexer.format.postingblocks`) and handed to the compact codec (:class:`indexer.codec.ZhCompactCodec`) in one
call, then freed; stored fields, lengths and columns follow document by document. Whoosh reads the segment as
usual. The parent process only reads articles and writes the table of contents listing the chunks' segments."""

from __future__ import annotations

import multiprocessing
from typing import Any

import numpy as np
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Existence, Frequency, Positions
from whoosh.index import TOC
from whoosh.system import emptybytes

from indexer.analysis import ChineseTokenizer, UnitTokenizer
from indexer.codec import ZhCompactCodec
from indexer.compat import ensure_column, read_toc
from indexer.format.postingblocks import BYTE_LENGTHS, EncodedField, encode_field, length_bytes
from indexer.normalize import fold
from indexer.segments.chunkarrays import FieldPostings, unit_postings, value_postings, word_postings
from indexer.segments.merge import merge_segments
from indexer.store import INDEX_NAME


def _analysed_kind(field: Any) -> str | None:
    """``"units"`` or ``"words"`` for a field the array pass analyses, ``"values"`` for an exact-value field
    whose weight is the frequency, None for anything else (Whoosh's own ``index`` per posting)."""
    if not field.indexed:
        return None
    analyzer = getattr(field, "analyzer", None)
    fmt = field.format
    if fmt.field_boost != 1:
        return None
    if isinstance(analyzer, UnitTokenizer) and type(fmt) is Positions:
        return "units"
    if isinstance(analyzer, ChineseTokenizer) and type(fmt) is Frequency:
        return "words"
    if type(fmt) in (Existence, Frequency):
        return "values"
    return None


class _ValueTerms:
    """``field.index(value)`` as ``(term bytes, frequency)`` pairs, once per distinct value of a chunk (sources,
    categories, dates and tags repeat from article to article)."""

    def __init__(self, field: Any) -> None:
        self._field = field
        self._known: dict[Any, list[tuple[bytes, int]]] = {}

    def __call__(self, value: Any) -> list[tuple[bytes, int]]:
        try:
            return self._known[value]
        except KeyError:
            found = self._known[value] = self._index(value)
            return found
        except TypeError:  # not hashable (a list of tags)
            return self._index(value)

    def _index(self, value: Any) -> list[tuple[bytes, int]]:
        return [(tbytes, freq) for tbytes, freq, _weight, _vbytes in self._field.index(value)]


def _one_field(
    field: Any, fieldname: str, docs: list[dict[str, Any]], folded: dict[int, str]
) -> FieldPostings | dict[bytes, list[tuple[int, float, bytes]]]:
    """A field's postings in the chunk: text analysed in arrays (each text folded once, for its word and its
    unit field: ``folded`` by the value's id), exact values through ``field.index``; the postings of any other
    format as ``{term bytes: [(docnum, weight, value bytes)]}``."""
    kind = _analysed_kind(field)
    if kind in ("units", "words"):
        texts = []
        for d in docs:
            value = d.get(fieldname)
            if value is None:
                texts.append("")
                continue
            got = folded.get(id(value))
            if got is None:
                got = folded[id(value)] = fold(value)
            texts.append(got)
        if kind == "units":
            return unit_postings(texts)
        return word_postings(texts, field.analyzer.segmenter.cut_for_search)
    if kind == "values":
        terms_of = _ValueTerms(field)
        items = [
            (docnum, tbytes, freq)
            for docnum, d in enumerate(docs)
            if (value := d.get(fieldname)) is not None
            for tbytes, freq in terms_of(value)
        ]
        return value_postings(items, len(docs))
    table: dict[bytes, list[tuple[int, float, bytes]]] = {}
    for docnum, d in enumerate(docs):
        value = d.get(fieldname)
        if value is not None:
            for tbytes, _freq, weight, vbytes in field.index(value):
                table.setdefault(tbytes, []).append((docnum, weight, vbytes))
    return table


def _other_lengths(field: Any, fieldname: str, docs: list[dict[str, Any]]) -> np.ndarray:
    lengths = np.zeros(len(docs), dtype=np.int64)
    for docnum, d in enumerate(docs):
        value = d.get(fieldname)
        if value is not None:
            lengths[docnum] = sum(freq for _, freq, _, _ in field.index(value))
    return lengths


def write_segment(gen_dir: str, docs: list[dict[str, Any]], *, assemble: bool = True) -> Any:
    """Write ``docs`` as one new segment of the index in ``gen_dir``; returns the Whoosh segment object.

    One field at a time: its postings analysed into arrays, encoded, written and freed before the next (memory:
    the arrays of the biggest field). ``assemble=False`` leaves the segment's files apart (not in one compound
    file), for :func:`merge_segments`.
    """
    storage = FileStorage(gen_dir)
    ix = storage.open_index(INDEX_NAME)
    schema: Schema = ix.schema
    codec = ZhCompactCodec()
    segment = codec.new_segment(storage, INDEX_NAME)
    n = len(docs)
    lengths: dict[str, np.ndarray] = {}
    folded: dict[int, str] = {}
    fieldwriter = codec.field_writer(storage, segment)
    for fieldname in sorted(schema.names()):
        field = schema[fieldname]
        if not field.indexed or not any(fieldname in d for d in docs):
            continue
        got = _one_field(field, fieldname, docs, folded)
        if fieldname.endswith("_ng"):  # the last field to read these folded texts (fields come sorted)
            folded.clear()
        if isinstance(got, FieldPostings):
            field_lengths = got.lengths
        else:
            field_lengths = _other_lengths(field, fieldname, docs)
        if field.scorable:
            lengths[fieldname] = field_lengths
        doc_bytes = length_bytes(lengths.get(fieldname, np.zeros(n, dtype=np.int64)))
        if isinstance(got, dict):
            fieldwriter.start_field(fieldname, field)
            _write_other(fieldwriter, got, BYTE_LENGTHS[doc_bytes].tolist())
            fieldwriter.finish_field()
        elif got.terms:
            enc = encode_field(
                got.starts,
                got.docs,
                got.freqs,
                doc_bytes,
                positions=got.positions,
                pos_starts=got.pos_starts,
                blocklimit=codec.blocklimit,
                compression=codec._compression,
            )
            terms = [t.encode("utf-8") for t in got.terms] if isinstance(got.terms[0], str) else got.terms
            del got  # the field's arrays, before its bytes are handed on
            _write_encoded(fieldwriter, fieldname, terms, enc)
            del enc
    fieldwriter.close()
    del folded
    _write_documents(storage, schema, codec, segment, docs, lengths)
    segment.set_doc_count(n)
    if assemble and segment.should_assemble():
        segment.create_compound_file(storage)
        segment.compound = True
    return segment


def _write_documents(
    storage: Any,
    schema: Schema,
    codec: ZhCompactCodec,
    segment: Any,
    docs: list[dict[str, Any]],
    lengths: dict,
) -> None:
    """Stored fields, field lengths and column values, document by document."""
    perdoc = codec.per_document_writer(storage, segment)
    length_lists = {name: arr.tolist() for name, arr in lengths.items()}
    for docnum, fields in enumerate(docs):
        perdoc.start_doc(docnum)
        for fieldname in sorted(name for name in fields if not name.startswith("_")):
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            col = length_lists.get(fieldname)
            length = col[docnum] if col is not None and field.indexed else 0
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


def _write_encoded(fieldwriter: Any, fieldname: str, terms: list[bytes], enc: EncodedField) -> None:
    """A field's encoded posting lists into the postings file, and its terms into the term dictionary."""
    postfile = fieldwriter.postings_file()
    base = postfile.tell()
    postfile.write(enc.data)
    fieldwriter.add_terms(
        fieldname,
        terms,
        weight=enc.weight,
        df=enc.df,
        minlength=enc.minlength,
        maxlength=enc.maxlength,
        maxweight=enc.maxweight,
        minid=enc.minid,
        maxid=enc.maxid,
        offset=enc.offset + base,
        length=enc.length,
        blocks=enc.blocks,
    )


def _write_other(fieldwriter: Any, table: dict, quantised: list[int]) -> None:
    """Postings of any other format, through the codec's writer one posting at a time."""
    for tbytes in sorted(table):
        fieldwriter.start_term(tbytes)
        for docnum, weight, vbytes in table[tbytes]:
            fieldwriter.add(docnum, weight, vbytes if vbytes is not None else emptybytes, quantised[docnum])
        fieldwriter.finish_term()


def _write_chunk(args: tuple[str, list[dict[str, Any]], bool]) -> Any:
    gen_dir, docs, assemble = args
    return write_segment(gen_dir, docs, assemble=assemble)


class ParallelSegmentBuilder:
    """Feeds chunks of documents to worker processes; each chunk becomes one segment.

    Used as a context manager: ``add(doc)`` buffers documents, ``commit()`` waits for the workers and writes
    the table of contents. At most ``jobs`` chunks are in flight, so memory stays bounded.

    The chunks' segments can then be merged into one (:func:`indexer.segments.merge.merge_segments`): one term
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
        info = read_toc(ix)
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
