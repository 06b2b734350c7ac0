"""The codec's terms reader over :class:`indexer.format.termdict_read.TermDict`: :class:`CompactTermsReader` is
everything ``whoosh.codec.whoosh3.W3TermsReader`` answers, with the same results; :class:`CompactFieldCursor` is
its field cursor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.codec.base import FieldCursor, TermsReader
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.formats import Format
from whoosh.matching import Matcher
from whoosh.reading import TermNotFound

from indexer.format.termdict_read import FieldTerms, TermDict


class CompactTermsReader(TermsReader):
    """Whoosh's terms reader over a :class:`TermDict`: what ``W3TermsReader`` answers, with the same results
    (term infos are ``W3TermInfo``; fields in the order written, terms in byte order)."""

    def __init__(self, codec: Any, dbfile: Any, postfile: Any) -> None:
        self._codec = codec
        self._dbfile = dbfile
        self._postfile = postfile  # read by indexer.compat.terms_postfile, as W3TermsReader's
        self._dict = TermDict(dbfile, postfile)
        self._fields = self._dict.fields

    @property
    def term_dict(self) -> TermDict:
        """The term dictionary this reader answers from (for bulk reads: :meth:`TermDict.doc_frequencies`)."""
        return self._dict

    def _index(self, fieldname: str, tbytes: bytes) -> tuple[Any, int]:
        f = self._fields.get(fieldname)
        i = -1 if f is None else self._dict.find(f, tbytes)
        if i < 0:
            raise KeyError((fieldname, tbytes))
        return f, i

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        f = self._fields.get(term[0])
        return f is not None and self._dict.find(f, term[1]) >= 0

    def indexed_field_names(self) -> Any:
        return self._fields.keys()

    def cursor(self, fieldname: str, fieldobj: Any) -> CompactFieldCursor:
        return CompactFieldCursor(self._dict, fieldname, fieldobj)

    def _from(self, fieldname: str, prefix: bytes) -> Iterator[tuple[FieldTerms, int]]:
        """Each field to read from, and where: ``fieldname`` from ``prefix`` on, then the later fields whole (as
        W3's ordered hash reader reads on past the field)."""
        if fieldname not in self._fields:
            return
        later = False
        for name, f in self._fields.items():
            if name == fieldname:
                later = True
                yield f, self._dict.seek(f, prefix)[0]
            elif later:
                yield f, 0

    def terms(self) -> Iterator[tuple[str, bytes]]:
        for f in self._fields.values():
            for term in self._dict.walk(f):
                yield f.name, term

    def terms_from(self, fieldname: str, prefix: bytes) -> Iterator[tuple[str, bytes]]:
        for f, start in self._from(fieldname, prefix):
            for term in self._dict.walk(f, start):
                yield f.name, term

    def items(self) -> Iterator[tuple[tuple[str, bytes], W3TermInfo]]:
        for f in self._fields.values():
            for term, info in self._dict.items(f):
                yield (f.name, term), info

    def items_from(self, fieldname: str, prefix: bytes) -> Iterator[tuple[tuple[str, bytes], W3TermInfo]]:
        for f, start in self._from(fieldname, prefix):
            for term, info in self._dict.items(f, start):
                yield (f.name, term), info

    def term_info(self, fieldname: str, tbytes: bytes) -> W3TermInfo:
        try:
            f, i = self._index(fieldname, tbytes)
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None
        return self._dict.info(f, i)

    def frequency(self, fieldname: str, tbytes: bytes) -> float:
        return self._dict.weight(*self._index(fieldname, tbytes))

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int:
        return self._dict.info(*self._index(fieldname, tbytes)).doc_frequency()

    def matcher(self, fieldname: str, tbytes: bytes, format_: Format, scorer: Any = None) -> Matcher:
        terminfo = self.term_info(fieldname, tbytes)
        return self._codec.postings_reader(
            self._postfile, terminfo, format_, term=(fieldname, tbytes), scorer=scorer
        )

    def close(self) -> None:
        self._dbfile.close()
        self._postfile.close()


class CompactFieldCursor(FieldCursor):
    """A cursor over one field's terms (``W3FieldCursor``'s interface): on the first term when made."""

    def __init__(self, tdict: TermDict, fieldname: str, fieldobj: Any) -> None:
        self._dict = tdict
        self._field = tdict.fields.get(fieldname)
        self._fieldobj = fieldobj
        self._i = -1
        self._text: Any = None
        self.first()

    def _go(self, i: int, btext: bytes | None = None) -> Any:
        f = self._field
        if f is None or i >= f.count:
            self._i, self._text = -1, None
            return None
        self._i = i
        self._text = self._fieldobj.from_bytes(self._dict.term_at(f, i) if btext is None else btext)
        return self._text

    def first(self) -> Any:
        return self._go(0)

    def find(self, term: Any) -> Any:
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        if self._field is None:
            return self._go(0)
        return self._go(*self._dict.seek(self._field, term))

    def next(self) -> Any:
        return None if self._i < 0 else self._go(self._i + 1)

    def text(self) -> Any:
        return self._text

    def term_info(self) -> W3TermInfo | None:
        return None if self._i < 0 else self._dict.info(self._field, self._i)  # type: ignore[arg-type]

    def is_valid(self) -> bool:
        return self._i >= 0
