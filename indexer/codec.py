"""``ZhCodec``: Whoosh's W3 codec with a compact binary posting format, and a bulk writer for the fast build.

Whoosh's W3 codec writes each block of up to 128 postings as two pickles: a block-info tuple, and a data tuple
of (delta-coded ids, weights, one encoded value per posting). The values are where the space goes: a word
field's value repeats its frequency (``pack_uint``, 4 bytes, although the weight already is the frequency), and
a unit field's value is a pickled list of position deltas per posting. Writing them is per-posting Python
(``add_posting``, ``Positions.encode``), reading them is an unpickle per posting.

Here, inside the same file layout (term dictionary, ``.pst`` postings file, block length and skip data), a
block is a header and typed arrays of ids, weights and positions. This module holds the codec and the block
size; the rest is in three modules, all re-exported here:

* :mod:`indexer.format.layout`: the block layout (:data:`MAGIC`, :data:`BLOCK_INFO`, :data:`BLOCK_LENGTH`, the
  ``W_*``/``V_*`` codes of the data header) and the typed arrays;
* :mod:`indexer.format.write`: :func:`encode_block`, :class:`ZhPostingsWriter` (Whoosh's writer path, the fast
  build's :meth:`~ZhPostingsWriter.add_counted_list`, the merge's :meth:`~ZhPostingsWriter.copy_lists`) and
  :class:`ZhFieldWriter`;
* :mod:`indexer.format.read`: :class:`DecodedBlock` and :class:`ZhLeafMatcher` (Whoosh's matcher interface plus
  the positions as lists).

:class:`ZhCompactCodec` writes the same posting blocks with a compact term dictionary (:mod:`indexer.format.termdict`,
read by :mod:`indexer.format.termdict_read`, written through :mod:`indexer.format.compact`) and the stored fields
one Zstandard frame per article (:mod:`indexer.format.storeddocs`; an older index's zlib blocks are read by
:mod:`indexer.format.storedblocks`). Posting blocks are compressed as :mod:`indexer.format.compression` says.

The codec object is pickled into every segment's table of contents, so this module path is part of the index
format: an index written with it can only be opened where ``indexer.codec`` imports, and :class:`ZhCodec` and
:class:`ZhCompactCodec` must stay defined here (and :class:`ZhCodec` keep reading W3's term dictionary and
``_stored`` column).
"""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import W3Codec
from whoosh.formats import Format
from whoosh.matching import ListMatcher

from indexer.format.compact import ZhCompactFieldWriter
from indexer.format.layout import (
    BLOCK_INFO,
    BLOCK_LENGTH,
    MAGIC,
    V_NONE,
    V_PICKLE,
    V_POS,
    V_POS_COUNTS,
    W_FLOATS,
    W_INTS,
    W_ONES,
)
from indexer.format.read import DecodedBlock, ZhLeafMatcher
from indexer.format.storedblocks import StoredBlocksPerDocReader, StoredBlocksPerDocWriter
from indexer.format.termdict import TERMDICT_EXT
from indexer.format.termsreader import CompactTermsReader
from indexer.format.write import COMPRESS_MIN, ZhFieldWriter, ZhPostingsWriter, encode_block

__all__ = [
    "BLOCK_INFO",
    "BLOCK_LENGTH",
    "BLOCK_LIMIT",
    "COMPRESS_MIN",
    "MAGIC",
    "V_NONE",
    "V_PICKLE",
    "V_POS",
    "V_POS_COUNTS",
    "W_FLOATS",
    "W_INTS",
    "W_ONES",
    "DecodedBlock",
    "ZhCodec",
    "ZhCompactCodec",
    "ZhCompactFieldWriter",
    "ZhFieldWriter",
    "ZhLeafMatcher",
    "ZhPostingsWriter",
    "encode_block",
]

#: The layout's structs under their earlier names.
_INFO, _BLOCK_LENGTH = BLOCK_INFO, BLOCK_LENGTH
#: Postings per block: larger than W3's 128, for fewer block headers and decompressions per long list, at the price
#: of decoding more per looked-up document (chosen by measurement; the figures are in bench/results/).
BLOCK_LIMIT = 512


class ZhCodec(W3Codec):
    """W3 with the compact posting blocks of this module (term dictionary, columns and stored fields are W3's)."""

    def __init__(self, blocklimit: int | None = None, compression: int = 3, inlinelimit: int = 1) -> None:
        blocklimit = BLOCK_LIMIT if blocklimit is None else blocklimit
        if not 1 <= blocklimit <= 0xFFFF:  # a block's count is packed in two bytes
            raise ValueError(f"blocklimit must be between 1 and 65535, not {blocklimit}")
        super().__init__(
            blocklimit=blocklimit,
            compression=compression,
            inlinelimit=inlinelimit,
        )

    def field_writer(self, storage: Any, segment: Any) -> ZhFieldWriter:
        return ZhFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:  # term vectors (not used by this project's schema): W3's own format
            return super().postings_writer(dbfile, byteids=True)
        return ZhPostingsWriter(dbfile, blocklimit=self._blocklimit, compression=self._compression)

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Format, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        offset, length = terminfo.extent()
        return ZhLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class ZhCompactCodec(ZhCodec):
    """ZhCodec's posting blocks with the compact term dictionary of :mod:`indexer.format.termdict` (no inlined
    postings) and the stored fields one compressed frame per article (:mod:`indexer.format.storeddocs`); the columns
    and field lengths are W3's."""

    def __init__(self, blocklimit: int | None = None, compression: int = 3) -> None:
        super().__init__(blocklimit=blocklimit, compression=compression)
        #: postings per block (what the bulk ``add_terms`` assumes of a field's lists)
        self.blocklimit = BLOCK_LIMIT if blocklimit is None else blocklimit

    def field_writer(self, storage: Any, segment: Any) -> ZhCompactFieldWriter:  # type: ignore[override]
        return ZhCompactFieldWriter(self, storage, segment)

    def terms_reader(self, storage: Any, segment: Any) -> CompactTermsReader:
        dbfile = segment.open_file(storage, TERMDICT_EXT)
        postfile = segment.open_file(storage, self.POSTS_EXT)
        return CompactTermsReader(self, dbfile, postfile)

    def per_document_writer(self, storage: Any, segment: Any) -> StoredBlocksPerDocWriter:
        return StoredBlocksPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> StoredBlocksPerDocReader:
        return StoredBlocksPerDocReader(storage, segment)
