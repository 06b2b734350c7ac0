"""Reading the term dictionary of :mod:`indexer.format.termdict` (Whoosh's side of it: :mod:`.termsreader`).

:class:`TermDict` reads the file straight from its memory map (the arrays are ``memoryview`` casts of it, no
copy): a lookup bisects the restart points and scans one run of front-coded terms, and a term's statistics
come from the stored weight, the posting list's first block header (one block) or the side table (several).
One field's arrays are a :class:`FieldTerms`; :meth:`TermDict.doc_frequencies` reads a whole field's in bulk.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.reading import CorruptIndexError
from whoosh.util.numeric import byte_to_length

from indexer.compat import file_buffer
from indexer.format.blocks import block_table, summed_stats
from indexer.format.layout import BLOCK_INFO, BLOCK_LENGTH, LITTLE_ENDIAN
from indexer.format.layout import MAGIC as POSTINGS_MAGIC
from indexer.format.termdict import DTYPES, FOOTER, MAGIC, RESTART, STATS_COLUMNS

_HEAD = len(POSTINGS_MAGIC) + BLOCK_LENGTH.size + BLOCK_INFO.size
_LENGTH_OF_BYTE = tuple(byte_to_length(b) for b in range(256))


def _view(buf: Any, offset: int, code: str, count: int) -> Any:
    """``count`` values of type ``code`` at ``offset`` of ``buf``, indexable without copying (little-endian)."""
    size = DTYPES[code].itemsize * count
    if LITTLE_ENDIAN:
        return memoryview(buf)[offset : offset + size].cast(code)
    out = array(code)
    out.frombytes(buf[offset : offset + size])
    out.byteswap()
    return out


class _Packed:
    """Numbers in one or two bytes each with escapes to a side table (or plain): ``packed[i]``,
    ``packed.slice(lo, hi)``."""

    __slots__ = ("_small", "_escape", "_xpos", "_xval")

    def __init__(self, small: Any, xpos: Any = None, xval: Any = None) -> None:
        self._small = small
        self._escape = (1 << (8 * small.itemsize)) - 1 if xpos is not None else None
        self._xpos = xpos
        self._xval = xval

    def __getitem__(self, i: int) -> int:
        value = self._small[i]
        if value == self._escape:
            return self._xval[bisect_left(self._xpos, i)]
        return value

    def slice(self, lo: int, hi: int) -> list[int]:
        values = self._small[lo:hi].tolist()
        escape = self._escape
        if escape is not None and escape in values:
            values = [self[lo + k] if v == escape else v for k, v in enumerate(values)]
        return values


class FieldTerms:
    """One field's arrays: ``shared``/``suflen`` (front coding), ``keys`` (the suffixes' position in the file),
    ``kstart`` (where each run's suffixes start), ``pstart`` (each run's first list offset) or ``pall`` (every
    list's), ``plen`` (each list's length), ``weight``, and the side table (statistics of lists of several
    blocks: ``sindex``, the terms, and ``stats``, the columns of :data:`indexer.format.termdict.STATS_COLUMNS`)."""

    __slots__ = ("name", "count", "nruns", "keys", "shared", "suflen", "kstart", "pstart", "pall", "plen")
    __slots__ += ("weight", "sindex", "stats")

    def __init__(self, buf: Any, base: int, entry: dict[str, Any]) -> None:
        arrays = entry["arrays"]

        def view(name: str) -> Any:
            if name not in arrays:
                return None
            offset, code, count = arrays[name]
            return _view(buf, base + offset, code, count)

        def packed(name: str) -> _Packed | None:
            small = view(name)
            return None if small is None else _Packed(small, view(f"{name}.xpos"), view(f"{name}.xval"))

        self.name: str = entry["name"]
        self.count: int = entry["count"]
        self.nruns = -(-self.count // RESTART)
        self.keys: int = base + arrays["keys"][0]
        self.shared, self.suflen, self.kstart = view("shared"), view("suflen"), view("kstart")
        self.pstart, self.pall = view("pstart"), view("pall")
        self.plen = packed("plen")
        self.weight = packed("weight") or view("weightf")
        self.sindex = view("sindex")
        self.stats = [view(f"s{name}") for name, _dtype in STATS_COLUMNS]


class TermDict:
    """Reads a term dictionary written by :class:`indexer.format.termdict.TermDictWriter`; term infos are built from it
    and from the posting lists' first block header in ``postfile``."""

    def __init__(self, dbfile: Any, postfile: Any) -> None:
        buf, start, end = file_buffer(dbfile)
        if end - start < len(MAGIC) + FOOTER.size or buf[start : start + len(MAGIC)] != MAGIC:
            raise CorruptIndexError(
                "not a term dictionary (bad magic): `zhsearch reindex --full` rebuilds it"
            )
        dirpos, dirlen, magic = FOOTER.unpack(buf[end - FOOTER.size : end])
        if magic != MAGIC:
            raise CorruptIndexError("the term dictionary is truncated: `zhsearch reindex --full` rebuilds it")
        directory = json.loads(bytes(buf[start + dirpos : start + dirpos + dirlen]).decode("utf-8"))
        if directory["restart"] != RESTART:
            raise CorruptIndexError(f"unsupported restart interval {directory['restart']}")
        self._buf = buf
        self._postfile = postfile
        self.fields: dict[str, FieldTerms] = {
            e["name"]: FieldTerms(buf, start, e) for e in directory["fields"]
        }

    # terms

    def _run_terms(self, f: FieldTerms, run: int) -> list[bytes]:
        """The terms of one run of front-coded terms."""
        lo = run * RESTART
        hi = min(lo + RESTART, f.count)
        data = self._buf[f.keys + f.kstart[run] : f.keys + f.kstart[run + 1]]
        out = []
        prev = b""
        pos = 0
        for shared, n in zip(f.shared[lo:hi].tolist(), f.suflen[lo:hi].tolist(), strict=True):
            prev = prev[:shared] + data[pos : pos + n]
            pos += n
            out.append(prev)
        return out

    def _restart_term(self, f: FieldTerms, run: int) -> bytes:
        start = f.keys + f.kstart[run]
        return self._buf[start : start + f.suflen[run * RESTART]]

    def seek(self, f: FieldTerms, btext: bytes) -> tuple[int, bytes | None]:
        """The index of the first term of ``f`` at or after ``btext``, and that term (None past the last)."""
        buf, keys, kstart, suflen = self._buf, f.keys, f.kstart, f.suflen
        lo, hi = 0, f.nruns
        while lo < hi:  # the first run whose first term is > btext
            mid = (lo + hi) >> 1
            start = keys + kstart[mid]
            if buf[start : start + suflen[mid * RESTART]] <= btext:
                lo = mid + 1
            else:
                hi = mid
        if lo == 0:
            return (0, self._restart_term(f, 0)) if f.count else (0, None)
        run = lo - 1
        first = run * RESTART
        last = min(first + RESTART, f.count)
        data = buf[keys + kstart[run] : keys + kstart[run + 1]]
        term = b""
        pos = 0
        for k, (shared, n) in enumerate(
            zip(f.shared[first:last].tolist(), suflen[first:last].tolist(), strict=True)
        ):
            term = term[:shared] + data[pos : pos + n]
            if term >= btext:
                return first + k, term
            pos += n
        return last, (self._restart_term(f, lo) if last < f.count else None)

    def find(self, f: FieldTerms, btext: bytes) -> int:
        """The index of term ``btext`` in ``f``, or -1."""
        i, term = self.seek(f, btext)
        return i if term == btext else -1

    def term_at(self, f: FieldTerms, i: int) -> bytes:
        return self._run_terms(f, i // RESTART)[i % RESTART]

    def walk(self, f: FieldTerms, start: int = 0) -> Iterator[bytes]:
        """The terms of ``f`` from index ``start`` on."""
        first = start // RESTART
        for run in range(first, f.nruns):
            terms = self._run_terms(f, run)
            yield from terms[start - run * RESTART :] if run == first else terms

    # statistics

    def extent(self, f: FieldTerms, i: int) -> tuple[int, int]:
        """Where term ``i``'s posting list is in the postings file: ``(offset, length)``."""
        if f.pall is not None:
            return f.pall[i], f.plen[i]
        run = i // RESTART
        lengths = f.plen.slice(run * RESTART, i + 1)
        return f.pstart[run] + sum(lengths) - lengths[-1], lengths[-1]

    def doc_frequencies(self, name: str) -> tuple[list[bytes], np.ndarray]:
        """Every term of field ``name`` with its document frequency, in bulk: the frequencies of one-block lists
        gathered from their block headers with numpy, the others from the side table (the values
        :meth:`info` gives term by term)."""
        f = self.fields.get(name)
        if f is None or not f.count:
            return [], np.zeros(0, dtype=np.int64)
        terms = list(self.walk(f))
        lengths = np.asarray(f.plen.slice(0, f.count), dtype=np.int64)
        if f.pall is not None:
            offsets = np.asarray(f.pall, dtype=np.int64)
        else:
            ends = np.cumsum(lengths)
            run_base = (ends - lengths)[::RESTART]  # bytes before each run's first list, counted from list 0
            runs = np.arange(f.count) // RESTART
            offsets = np.asarray(f.pstart, dtype=np.int64)[runs] + (ends - lengths) - run_base[runs]
        df = np.zeros(f.count, dtype=np.int64)
        listed = np.flatnonzero(lengths > 0)
        if not len(listed):
            return terms, df
        buf, start, _end = file_buffer(self._postfile)
        raw = np.frombuffer(buf, dtype=np.uint8)
        at = start + offsets[listed]
        tags = raw[at[:, None] + np.arange(len(POSTINGS_MAGIC))]
        if (tags != np.frombuffer(POSTINGS_MAGIC, dtype=np.uint8)).any():
            raise CorruptIndexError("a posting list without its tag: `zhsearch reindex --full` rebuilds it")
        one_block = raw[at + len(POSTINGS_MAGIC)] >= 0x80  # the block length (big-endian) is negative
        count_at = at[one_block] + len(POSTINGS_MAGIC) + BLOCK_LENGTH.size  # BLOCK_INFO starts with a uint16
        df[listed[one_block]] = raw[count_at].astype(np.int64) | raw[count_at + 1].astype(np.int64) << 8
        for i in listed[~one_block].tolist():  # several blocks: the side table, else every header
            df[i] = self.info(f, i, (int(offsets[i]), int(lengths[i]))).doc_frequency()
        return terms, df

    def weight(self, f: FieldTerms, i: int) -> float:
        return float(f.weight[i])

    def info(self, f: FieldTerms, i: int, extent: tuple[int, int] | None = None) -> W3TermInfo:
        """Term ``i``'s statistics and extent, the values ``W3TermInfo.from_bytes`` gives for W3's."""
        offset, length = self.extent(f, i) if extent is None else extent
        weight = float(f.weight[i])
        if not length:
            info = W3TermInfo(weight, 0, 0, 0, 0.0, None, 0)  # what W3 reads back for an empty list
            info.set_inlined((), (), ())
            return info
        head = self._postfile.get(offset, _HEAD)
        if head[:4] != POSTINGS_MAGIC:
            raise CorruptIndexError(f"bad postings tag {head[:4]!r} at offset {offset}")
        if BLOCK_LENGTH.unpack_from(head, 4)[0] < 0:  # one block: its header has the statistics
            df, minid, maxid, maxweight, _comp, minlen, maxlen = BLOCK_INFO.unpack_from(head, 8)
        else:
            k = bisect_left(f.sindex, i)
            if k < len(f.sindex) and f.sindex[k] == i:
                df, minid, maxid, maxweight, minlen, maxlen = (column[k] for column in f.stats)
            else:
                df, minid, maxid, maxweight, minlen, maxlen = self._summed_stats(offset, length)
        lengths = _LENGTH_OF_BYTE
        info = W3TermInfo(weight, df, lengths[minlen], lengths[maxlen], maxweight, minid, maxid)
        info.set_extent(offset, length)
        return info

    def _summed_stats(self, offset: int, length: int) -> tuple[int, int, int, float, int, int]:
        """The statistics of the posting list at ``offset``, from all its block headers."""
        return summed_stats(block_table(self._postfile.get(offset, length), 0, length))

    def items(self, f: FieldTerms, start: int = 0) -> Iterator[tuple[bytes, W3TermInfo]]:
        """``(term, term info)`` of the terms of ``f`` from index ``start`` on."""
        for run in range(start // RESTART, f.nruns):
            lo = run * RESTART
            hi = min(lo + RESTART, f.count)
            terms = self._run_terms(f, run)
            lengths = f.plen.slice(lo, hi)
            if f.pall is not None:
                offsets = f.pall[lo:hi].tolist()
            else:
                offsets = [f.pstart[run]]
                for n in lengths[:-1]:
                    offsets.append(offsets[-1] + n)
            for k in range(max(start - lo, 0), hi - lo):
                yield terms[k], self.info(f, lo + k, (offsets[k], lengths[k]))
