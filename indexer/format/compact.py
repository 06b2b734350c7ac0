"""The field writer of :class:`indexer.codec.ZhCompactCodec`: ZhCodec's posting lists, the term dictionary of
:mod:`indexer.format.termdict` instead of W3's hash table.

Whoosh's writer and the merge (:mod:`indexer.segments.merge`) feed it term by term, as W3's field writer
(``start_field``/``start_term``/``add`` or ``add_counted_list`` or the merge's ``copy_lists``/``finish_term``);
a bulk writer can write a field's posting lists to :meth:`ZhCompactFieldWriter.postings_file` itself and give
the whole field's terms at once (:meth:`ZhCompactFieldWriter.add_terms`).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any

import numpy as np
from whoosh.codec.base import FieldWriter
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.formats import Format

from indexer.format.termdict import TERMDICT_EXT, TermDictWriter
from indexer.format.write import ZhPostingsWriter


class ZhCompactFieldWriter(FieldWriter):
    """Whoosh's field writer interface over :class:`ZhPostingsWriter` and a
    :class:`~indexer.format.termdict.TermDictWriter` (W3's field writer, with the compact term dictionary)."""

    def __init__(self, codec: Any, storage: Any, segment: Any) -> None:
        self._codec = codec
        self._postfile = segment.create_file(storage, codec.POSTS_EXT)
        self._terms = TermDictWriter(segment.create_file(storage, TERMDICT_EXT))
        self._postwriter: ZhPostingsWriter | None = None  # read by indexer.compat.postings_writer
        self._fieldname = ""
        self._format: Format | None = None
        self._btext = b""
        self.is_closed = False

    def postings_file(self) -> Any:
        """The postings file, for a caller writing posting lists itself before :meth:`add_terms`."""
        return self._postfile

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        self._terms.start_field(fieldname)
        self._fieldname = fieldname
        self._format = fieldobj.format
        self._postwriter = self._codec.postings_writer(self._postfile)

    def start_term(self, btext: bytes) -> None:
        if self._postwriter is None:
            raise Exception("Called start_term before start_field")
        self._btext = btext
        self._postwriter.start_postings(self._format, W3TermInfo())

    def add(self, docnum: int, weight: float, vbytes: bytes, length: int | None) -> None:
        self._postwriter.add_posting(docnum, weight, vbytes, length)  # type: ignore[union-attr]

    def add_counted_list(self, ids: array, counts: array, lengths: Sequence[int], flat: array | None) -> None:
        """See :meth:`ZhPostingsWriter.add_counted_list`."""
        self._postwriter.add_counted_list(ids, counts, lengths, flat)  # type: ignore[union-attr]

    def finish_term(self) -> None:
        postwriter = self._postwriter
        assert postwriter is not None
        terminfo = postwriter.finish_postings()
        self._terms.add(self._fieldname, self._btext, terminfo, blocks=postwriter.block_count)

    def finish_field(self) -> None:
        self._postwriter = None

    def add_terms(
        self,
        fieldname: str,
        terms: Sequence[bytes],
        *,
        weight: np.ndarray,
        df: np.ndarray,
        minlength: np.ndarray,
        maxlength: np.ndarray,
        maxweight: np.ndarray,
        minid: np.ndarray,
        maxid: np.ndarray,
        offset: np.ndarray,
        length: np.ndarray,
        blocks: np.ndarray | None = None,
    ) -> None:
        """A whole field's terms from arrays, their posting lists already in :meth:`postings_file` (see
        :meth:`indexer.format.termdict.TermDictWriter.add_terms`; ``blocks`` defaults to the lists of
        :meth:`ZhPostingsWriter.add_counted_list` at the codec's block size)."""
        if self._postwriter is not None:
            raise Exception("add_terms inside a field started with start_field")
        self._terms.add_terms(
            fieldname,
            terms,
            weight=weight,
            df=df,
            minlength=minlength,
            maxlength=maxlength,
            maxweight=maxweight,
            minid=minid,
            maxid=maxid,
            offset=offset,
            length=length,
            blocks=blocks,
            blocklimit=self._codec.blocklimit,
        )

    def close(self) -> None:
        self._terms.close()
        self._postfile.close()
        self.is_closed = True
