"""The incremental writer: new documents as one array-written segment, deletions marked on the live ones.

An incremental reindex adds, updates and deletes a few documents of a large index. Whoosh's own writer sends
each through its posting pool and, at commit, merges "small" segments by reading every posting back (an update
of 750 articles into the 75k xwlb index took minutes). :class:`ChangeWriter` has the same methods as far as
:class:`indexer.ingest.reading.IngestRun` uses them, and writes the way a full build does: the buffered documents go
through :func:`indexer.segments.fastbuild.write_segment` (the same array writer and codec), deletions are marked on the
existing segments (Whoosh keeps them in the table of contents), and the commit writes the next table of
contents atomically, then removes the files nothing lists any more.

Each commit adds a segment; before the table of contents is written, the merges the policy asks for are run
(:mod:`indexer.segments.mergepolicy`: tiers of similar sizes merged block by block, deletions purged by
:func:`rewrite_live`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from whoosh.index import TOC, clean_files
from whoosh.reading import SegmentReader
from whoosh.writing import LockError

from indexer.codec import ZhCodec
from indexer.compat import read_toc
from indexer.format.mmapstore import MappedStorage
from indexer.segments.documents import DOCUMENT_COLUMNS, stored_document
from indexer.segments.fastbuild import write_segment
from indexer.segments.merge import merge_segments
from indexer.segments.mergepolicy import SegmentSize, plan_merges
from indexer.store import INDEX_NAME

#: Documents written again per segment by a purge (memory: their text); the pieces are then merged.
REWRITE_CHUNK = 20000


class ChangeWriter:
    """Buffers the changes to the index in ``gen_dir`` and commits them as one new segment and a new table of
    contents. Holds Whoosh's write lock from creation to :meth:`commit` or :meth:`cancel`."""

    def __init__(self, gen_dir: str) -> None:
        self.gen_dir = str(gen_dir)
        self.storage = MappedStorage(self.gen_dir)
        self.ix = self.storage.open_index(INDEX_NAME)
        self.lock = self.ix.lock("WRITELOCK")
        if not self.lock.acquire(False):
            raise LockError(f"the index in {self.gen_dir} is being written by another writer")
        toc = read_toc(self.ix)
        self.schema = toc.schema
        self.generation = toc.generation
        self.segments: list[Any] = list(toc.segments)
        self.offsets: list[int] = []
        total = 0
        for seg in self.segments:
            self.offsets.append(total)
            total += seg.doc_count_all()
        self.doc_count_all = total
        self.unique = [name for name, field in self.schema.items() if getattr(field, "unique", False)]
        self.docs: list[dict[str, Any]] = []
        self.deletions = 0
        self._reader: Any = None

    # --- the writer methods IngestRun calls ---

    def add_document(self, **doc: Any) -> None:
        self.docs.append(doc)

    def update_document(self, **doc: Any) -> None:
        """Add ``doc`` and delete the documents of the index that share one of its unique fields (``id``): as
        Whoosh's writer, documents added earlier in the same run are not looked at."""
        for name in self.unique:
            value = doc.get(name)
            if value is not None:
                self._delete_term(name, value)
        self.docs.append(doc)

    def delete_document(self, docnum: int) -> None:
        """Mark document ``docnum`` (numbered across the live segments) deleted."""
        if not 0 <= docnum < self.doc_count_all:
            raise IndexError(f"no document {docnum} in the index ({self.doc_count_all} documents)")
        index = _segment_of(self.offsets, docnum)
        segment = self.segments[index]
        local = docnum - self.offsets[index]
        if not segment.is_deleted(local):
            segment.delete_document(local)
            self.deletions += 1

    def delete_by_id(self, doc_id: str) -> int:
        """Mark the live documents with the id ``doc_id`` deleted; how many there were."""
        return self._delete_term("id", doc_id)

    def _delete_term(self, field: str, value: str) -> int:
        reader = self.reader()
        if (field, value) not in reader:
            return 0
        before = self.deletions
        for docnum in reader.postings(field, value).all_ids():
            self.delete_document(docnum)
        return self.deletions - before

    def delete_by_query(self, query: Any, searcher: Any) -> int:
        """Delete the live documents ``query`` matches in ``searcher`` (a searcher over the same commit)."""
        docnums = list(searcher.docs_for_query(query))
        for docnum in docnums:
            self.delete_document(docnum)
        return len(docnums)

    def plan(self, total: int) -> None:
        """(The full build's chunk sizing: one segment here, whatever the count.)"""

    def reader(self) -> Any:
        """A reader over the commit this writer started from (its own copy of the segments: the deletions
        marked here are not seen through it)."""
        if self._reader is None:
            self._reader = self.ix.reader()
        return self._reader

    # --- commit or cancel ---

    def commit(self) -> int:
        """Write the buffered documents as a new segment and publish the next commit; returns the number of
        documents added. The previous commit stays whole until the new table of contents is in place."""
        try:
            segments = list(self.segments)
            if self.docs:
                segments.append(write_segment(self.gen_dir, self.docs, assemble=False))
            segments = self._apply_policy(segments)
            generation = self.generation + 1
            TOC(self.schema, segments, generation).write(self.storage, INDEX_NAME)
            self._close_reader()
            clean_files(self.storage, INDEX_NAME, generation, segments)
        finally:
            self._release()
        return len(self.docs)

    def cancel(self) -> None:
        """Drop the buffered changes; the files a failed commit may have left are removed by the next one."""
        self._close_reader()
        self._release()

    def _apply_policy(self, segments: list[Any]) -> list[Any]:
        """``segments`` after the merges the policy asks for (:mod:`indexer.segments.mergepolicy`)."""
        sizes = [_size(seg) for seg in segments]
        current = {size.name: seg for size, seg in zip(sizes, segments, strict=True)}
        order = [size.name for size in sizes]
        for number, merge in enumerate(plan_merges(sizes), 1):
            members = [current.pop(name) for name in merge.names]
            if merge.purge or not all(_mergeable(seg) for seg in members):
                merged = rewrite_live(self.gen_dir, self.storage, self.schema, members)
            else:
                merged = merge_segments(self.storage, self.schema, members, INDEX_NAME, keep_deletions=True)
            name = f"merge{number}"
            first = order.index(merge.names[0])
            order = [n for n in order if n not in merge.names]
            if merged is not None:  # (a purge of segments whose documents are all deleted leaves nothing)
                current[name] = merged
                order.insert(first, name)
        return [current[name] for name in order]

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def _release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def _mergeable(segment: Any) -> bool:
    return isinstance(segment.codec(), ZhCodec) and not segment.is_compound()


def _size(segment: Any) -> SegmentSize:
    return SegmentSize(
        segment.segment_id(), segment.doc_count_all(), segment.doc_count_all() - segment.doc_count()
    )


def rewrite_live(gen_dir: str, storage: Any, schema: Any, segments: Sequence[Any]) -> Any | None:
    """One new segment holding the live documents of ``segments`` in order, written again by the array writer
    from their stored fields and columns (deleted documents are dropped); any codec, compound or not. None when
    no document is live."""
    pieces = []
    docs: list[dict[str, Any]] = []
    for seg in segments:
        reader = SegmentReader(storage, schema, seg)
        try:
            columns = {name: reader.column_reader(name) for name in DOCUMENT_COLUMNS}
            for docnum in range(seg.doc_count_all()):
                if seg.is_deleted(docnum):
                    continue
                values = {name: column[docnum] for name, column in columns.items()}
                docs.append(stored_document(reader.stored_fields(docnum), values))
                if len(docs) >= REWRITE_CHUNK:
                    pieces.append(write_segment(gen_dir, docs, assemble=False))
                    docs = []
        finally:
            reader.close()
    if docs:
        pieces.append(write_segment(gen_dir, docs, assemble=False))
    if len(pieces) <= 1:
        return pieces[0] if pieces else None
        return pieces[0]
    return merge_segments(storage, schema, pieces, INDEX_NAME)


def _segment_of(offsets: list[int], docnum: int) -> int:
    return bisect_right(offsets, docnum) - 1
