"""A segment's term dictionary as sorted, front-coded terms with their statistics in typed arrays.

W3's term dictionary (``.trm``) is a hash table holding a packed struct (and a posting pointer) per term. Here
one file holds, per field, the field's terms in order and arrays aligned with them, and only what the posting
lists (:mod:`indexer.format.layout`) do not already say:

* the terms are front-coded: every :data:`RESTART`-th term (a restart point) is written whole, every other one
  as the length of the prefix it shares with the term before and the rest. A lookup bisects the restart points
  and scans one run of terms;
* a field's posting lists lie one after the other in ``.pst``, in term order, so a term's list starts where the
  previous one ends: the file stores each list's length and the start of each run (a field whose lists are not
  in that order gets every start instead);
* the statistics of a list of one block are that block's header (count, first and last id, max weight, min and
  max length byte: :data:`~indexer.format.layout.BLOCK_INFO`), read when asked for; a list of several blocks has
  them in a side table (without it they are summed up from its block headers). The total weight is stored;
* numbers take one or two bytes, the few larger ones in a sorted side table of escapes.

File layout: ``MAGIC``, the arrays (each at a multiple of 8 bytes, little-endian), a JSON directory (per field:
name, term count, and each array's offset, type code and length), and a footer (directory offset and length,
``MAGIC``).

Roles: :class:`TermDictWriter` writes the file, :class:`TermDict` reads it (its term infos are Whoosh's
:class:`~whoosh.codec.whoosh3.W3TermInfo`); the codec's terms reader over it is
:class:`indexer.format.termsreader.CompactTermsReader`.
"""

from __future__ import annotations

import json
import struct
from array import array
from collections.abc import Sequence
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.util.numeric import length_to_byte

MAGIC = b"ZhT1"
#: The file's extension in a segment.
TERMDICT_EXT = ".tdc"
#: Terms per run of front-coded terms: a lookup scans at most this many.
RESTART = 8
#: The postings' block size the bulk :meth:`TermDictWriter.add_terms` assumes by default
#: (:data:`indexer.codec.BLOCK_LIMIT`).
DEFAULT_BLOCK_LIMIT = 512
#: The last bytes of the file: where the directory starts, its length, and MAGIC again.
FOOTER = struct.Struct("<QI4s")
_ALIGN = 8
TYPE_CODES = {np.dtype(np.uint8): "B", np.dtype(np.uint16): "H", np.dtype(np.uint32): "I"}
TYPE_CODES.update({np.dtype(np.uint64): "Q", np.dtype(np.float32): "f"})
#: Type code of an array in the directory -> its numpy type.
DTYPES = {code: dtype for dtype, code in TYPE_CODES.items()}
#: The side table of the statistics of lists of several blocks: its arrays and their types.
STATS_COLUMNS = (("df", np.uint32), ("minid", np.uint32), ("maxid", np.uint32), ("maxweight", np.float32))
STATS_COLUMNS += (("minlen", np.uint8), ("maxlen", np.uint8))


def _uint_dtype(top: int) -> np.dtype:
    for dtype in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.uint64)


def _packed(name: str, values: np.ndarray) -> dict[str, np.ndarray]:
    """``values`` (non-negative integers) in the smallest of: one or two bytes each with the larger values as
    escapes (``name.xpos``, ``name.xval``), or four or eight bytes each."""
    values = np.asarray(values, dtype=np.uint64)
    top = int(values.max()) if len(values) else 0
    plain = _uint_dtype(max(top, 0x10000))
    best = (len(values) * plain.itemsize, {name: values.astype(plain)})
    for dtype in (np.uint8, np.uint16):
        escape = np.iinfo(dtype).max
        big = np.flatnonzero(values >= escape)
        xval = values[big].astype(_uint_dtype(top))
        size = len(values) * np.dtype(dtype).itemsize + len(big) * (4 + xval.itemsize)
        if size < best[0]:
            small = np.minimum(values, escape).astype(dtype)
            best = (size, {name: small, f"{name}.xpos": big.astype(np.uint32), f"{name}.xval": xval})
    return best[1]


def _shared_prefix(a: bytes, b: bytes) -> int:
    n = min(len(a), len(b), 255)
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


class TermDictWriter:
    """Writes a term dictionary to ``dbfile``: fields in the order started, terms ascending within a field.

    One term at a time with :meth:`add` (Whoosh's writer, the merge), or a whole field from arrays with
    :meth:`add_terms` (the fast build). Posting lists must be in ``.pst`` already (none inlined).
    """

    def __init__(self, dbfile: Any) -> None:
        self._file = dbfile
        self._pos = 0
        self._fields: list[dict[str, Any]] = []
        self._names: set[str] = set()
        self._current: _FieldBuffer | None = None
        self._write(MAGIC)

    def _write(self, data: bytes) -> None:
        self._file.write(data)
        self._pos += len(data)

    def start_field(self, fieldname: str) -> None:
        """Start a field (a field started and given no terms is still listed by the reader, as W3 does)."""
        if fieldname in self._names:
            raise ValueError(f"field {fieldname!r} was already written")
        self.finish_field()
        self._names.add(fieldname)
        self._current = _FieldBuffer(fieldname)

    def add(self, fieldname: str, btext: bytes, terminfo: W3TermInfo, *, blocks: int | None = None) -> None:
        """Add term ``btext`` of ``fieldname`` (a new field starts the field) with its posting list's term info;
        ``blocks``: how many blocks the list has (None: as many as its postings fill at
        :data:`DEFAULT_BLOCK_LIMIT` a block)."""
        if self._current is None or self._current.name != fieldname:
            self.start_field(fieldname)
        assert self._current is not None
        self._current.add(btext, terminfo, blocks)

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
        blocklimit: int = DEFAULT_BLOCK_LIMIT,
    ) -> None:
        """Write a whole field: its ``terms`` in ascending order and, aligned with them, each posting list's
        statistics (``minlength``/``maxlength`` the real field lengths, quantised here as W3 does) and extent in
        the postings file. ``blocks``: each list's number of blocks (default: ``ceil(df / blocklimit)``)."""
        self.start_field(fieldname)
        assert self._current is not None
        df = np.asarray(df, dtype=np.int64)
        if blocks is None:
            blocks = -(-df // blocklimit)
        self._current.extend(
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
        )
        self.finish_field()

    def finish_field(self) -> None:
        """Write the current field's arrays (called by the next :meth:`start_field` and :meth:`close`)."""
        current, self._current = self._current, None
        if current is None:
            return
        entry: dict[str, Any] = {"name": current.name, "count": len(current.terms), "arrays": {}}
        for name, arr in current.arrays().items():
            pad = -self._pos % _ALIGN
            if pad:
                self._write(bytes(pad))
            arr = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
            entry["arrays"][name] = [self._pos, TYPE_CODES[arr.dtype.newbyteorder("=")], len(arr)]
            self._write(arr.tobytes())
        self._fields.append(entry)

    def close(self) -> None:
        self.finish_field()
        directory = json.dumps({"restart": RESTART, "fields": self._fields}, ensure_ascii=False).encode(
            "utf-8"
        )
        start = self._pos
        self._write(directory)
        self._write(FOOTER.pack(start, len(directory), MAGIC))
        self._file.close()


class _FieldBuffer:
    """One field's terms and numbers while it is written."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.terms: list[bytes] = []
        self.weights: list[float] = []
        self.offsets = array("q")  # -1: no posting list
        self.lengths = array("Q")
        self.stats: list[tuple[int, int, int, int, float, int, int]] = []  # (index, df, minid, ...)

    def add(self, btext: bytes, ti: W3TermInfo, blocks: int | None) -> None:
        if self.terms and btext <= self.terms[-1]:
            raise ValueError(f"terms of {self.name!r} out of order: {self.terms[-1]!r} .. {btext!r}")
        if ti.is_inlined():
            if ti.inlined_postings()[0]:
                raise ValueError(
                    "inlined postings cannot be kept: write every posting list to the postings file"
                )
            offset, length = -1, 0
        else:
            offset, length = ti.extent()
            if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as unpack_int's tuple
                length = length[0]
        df = ti.doc_frequency()
        if blocks is None:
            blocks = -(-df // DEFAULT_BLOCK_LIMIT)
        index = len(self.terms)
        self.terms.append(btext)
        self.weights.append(ti.weight())
        self.offsets.append(offset)
        self.lengths.append(length)
        if blocks > 1:
            minlength = ti.min_length()
            minlen = 0 if minlength is None else length_to_byte(minlength)
            self.stats.append(
                (
                    index,
                    df,
                    ti.min_id(),
                    ti.max_id(),
                    ti.max_weight(),
                    minlen,
                    length_to_byte(ti.max_length()),
                )
            )

    def extend(self, terms: Sequence[bytes], **columns: np.ndarray) -> None:
        n = len(terms)
        cols = {name: np.asarray(col) for name, col in columns.items()}
        for name, col in cols.items():
            if len(col) != n:
                raise ValueError(f"{name} has {len(col)} values for {n} terms")
        terms = list(terms)
        if any(b <= a for a, b in zip(terms, terms[1:], strict=False)):
            raise ValueError(f"terms of {self.name!r} must be given in ascending order, each once")
        self.terms = terms
        self.weights = cols["weight"].astype(np.float64).tolist()
        self.offsets = array("q", np.where(cols["length"] > 0, cols["offset"], -1).astype(np.int64).tolist())
        self.lengths = array("Q", cols["length"].astype(np.uint64).tolist())
        for i in np.flatnonzero(cols["blocks"] > 1).tolist():
            self.stats.append(
                (
                    i,
                    int(cols["df"][i]),
                    int(cols["minid"][i]),
                    int(cols["maxid"][i]),
                    float(cols["maxweight"][i]),
                    length_to_byte(int(cols["minlength"][i])),
                    length_to_byte(int(cols["maxlength"][i])),
                )
            )

    def arrays(self) -> dict[str, np.ndarray]:
        """The field's arrays, by name (see :class:`TermDict` for what each holds)."""
        terms, n = self.terms, len(self.terms)
        shared = np.zeros(n, dtype=np.uint8)
        suffixes: list[bytes] = []
        prev = b""
        for i, term in enumerate(terms):
            k = 0 if i % RESTART == 0 else _shared_prefix(prev, term)
            shared[i] = k
            suffixes.append(term[k:])
            prev = term
        suflen = np.fromiter((len(s) for s in suffixes), dtype=np.int64, count=n)
        ends = np.cumsum(suflen)
        restarts = np.arange(0, n, RESTART)
        kstart = np.concatenate(([0], ends[restarts[1:] - 1], ends[-1:])) if n else np.zeros(1, np.int64)
        out: dict[str, np.ndarray] = {
            "shared": shared,
            "suflen": suflen.astype(_uint_dtype(int(suflen.max()) if n else 0)),
            "keys": np.frombuffer(b"".join(suffixes), dtype=np.uint8),
            "kstart": kstart.astype(_uint_dtype(int(kstart[-1]))),
        }
        lengths = np.frombuffer(self.lengths, dtype=np.uint64) if n else np.zeros(0, np.uint64)
        offsets = np.frombuffer(self.offsets, dtype=np.int64).copy() if n else np.zeros(0, np.int64)
        # a term without a list "starts" where the previous list ends (the first ones: where the next starts)
        ends_at = offsets + lengths.astype(np.int64)
        known = np.flatnonzero(offsets >= 0)
        for i in np.flatnonzero(offsets < 0).tolist():
            offsets[i] = ends_at[i - 1] if i else (offsets[known[0]] if len(known) else 0)
            ends_at[i] = offsets[i]
        contiguous = bool(np.all(offsets[1:] == ends_at[:-1]))
        starts = offsets[restarts] if contiguous else offsets
        out["pstart" if contiguous else "pall"] = starts.astype(_uint_dtype(int(starts.max()) if n else 0))
        out.update(_packed("plen", lengths))
        w32 = np.asarray(self.weights, dtype=np.float32)
        if np.all((w32 >= 0) & (w32 < 2.0**63) & (w32 == np.floor(w32))):
            out.update(_packed("weight", w32.astype(np.uint64)))
        else:
            out["weightf"] = w32
        rows = self.stats
        out["sindex"] = np.array([r[0] for r in rows], dtype=np.uint32)
        for k, (name, dtype) in enumerate(STATS_COLUMNS, start=1):
            out[f"s{name}"] = np.array([r[k] for r in rows], dtype=dtype)
        return out
