"""Per-document columns of a pinned index as numpy arrays: filters are masks, facets ``bincount``, sorts
``lexsort`` over them.

Loaded once per pinned index from Whoosh's sortable columns (``id``, ``published``, ``source``, ``category``,
``year``), indexed by global document number; the month (China time) is derived from ``published``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.reading import IndexReader

from indexer.compat import column_values

#: Column value of a document without a publication time (Whoosh's default for a missing DATETIME).
NO_DATE = 2**64 - 1
#: Microseconds in a day, and China time's offset from UTC (the index stores naive UTC; months are China time's).
_DAY_US = 86_400_000_000
_CHINA_OFFSET_US = 8 * 3_600_000_000
#: Days from 0001-01-01 (where Whoosh's datetime longs start) to 1970-01-01 (numpy's datetime64 epoch).
_EPOCH_DAYS = 719_162


@dataclass(frozen=True)
class Columns:
    """Per-document values, indexed by global document number."""

    rank: np.ndarray  # int64: position of the document's id in sorted id order (ties are broken by it)
    published: np.ndarray  # uint64: Whoosh datetime long (microseconds), NO_DATE when missing
    source: np.ndarray  # int64 code into source_names
    category: np.ndarray  # int64 code into category_names
    year: np.ndarray  # int64 code into year_values
    source_names: list[str]
    category_names: list[str]
    year_values: list[int]  # 0: no year
    month: np.ndarray  # int64 code into month_values
    month_values: list[str]  # "YYYY-MM" in China time, ascending; "": no date

    @property
    def dated(self) -> np.ndarray:
        return self.published != np.uint64(NO_DATE)

    def published_between(self, lo: int | None, hi: int | None) -> np.ndarray:
        """Mask of the documents published in ``[lo, hi]`` (inclusive; None: open; undated never)."""
        mask = self.dated
        if lo is not None and lo > 0:
            mask = mask & (self.published >= np.uint64(lo))
        if hi is not None:
            if hi < 0:
                return np.zeros(len(self.published), dtype=bool)
            mask = mask & (self.published <= np.uint64(min(hi, NO_DATE - 1)))
        return mask

    def codes_of(self, names: list[str], wanted: set[str]) -> np.ndarray:
        """A lookup table over the codes of ``names``: True for the wanted values."""
        return np.array([n in wanted for n in names] or [False], dtype=bool)

    def order(self, docs: np.ndarray, sort: str) -> np.ndarray:
        """``docs`` newest (or oldest) first, undated last, ties by id."""
        published = self.published[docs]
        undated = published == np.uint64(NO_DATE)
        if sort == "newest":
            # larger first: negate as signed (every real datetime long is far below 2**63)
            key = np.where(undated, np.int64(1), -published.astype(np.int64))
        else:
            key = np.where(undated, np.iinfo(np.int64).max, published.astype(np.int64))
        return docs[np.lexsort((self.rank[docs], key))]


def _column(reader: IndexReader, name: str, default: object, *, translate: bool = False) -> list[Any]:
    """Every document's value of the column ``name``, segment after segment (``default`` where a segment has
    none); ``translate``: the field's values (``from_column_value``) rather than the column's."""
    values: list[Any] = []
    for leaf, offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        assert offset == len(values)
        part = _segment_column(leaf, name, translate)
        if len(part) < count:
            part.extend([default] * (count - len(part)))
        values.extend(part[:count])
    return values


def _segment_column(leaf: IndexReader, name: str, translate: bool) -> list[Any]:
    """One segment's column, read at once where :func:`indexer.compat.column_values` can (a numeric column's
    distinct values translated once each), else through Whoosh's reader (a call per document)."""
    if not leaf.has_column(name):
        return []
    fast = column_values(leaf, name)
    if fast is None:
        return list(leaf.column_reader(name, translate=translate))
    if isinstance(fast, list):
        return fast
    if not translate:
        return fast.tolist()
    distinct, inverse = np.unique(fast, return_inverse=True)
    field = leaf.schema[name]
    return np.array([field.from_column_value(v) for v in distinct.tolist()], dtype=object)[inverse].tolist()


def _codes(values: list[Any]) -> tuple[np.ndarray, list[Any]]:
    names: dict[Any, int] = {}
    codes = np.fromiter((names.setdefault(v, len(names)) for v in values), dtype=np.int64, count=len(values))
    return codes, list(names)


def month_codes(published: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Each document's China-time month as a code into ``"YYYY-MM"`` values (ascending; ``""`` for undated)."""
    dated = published != np.uint64(NO_DATE)
    local = published[dated].astype(np.int64) + _CHINA_OFFSET_US
    months = (local // _DAY_US - _EPOCH_DAYS).astype("datetime64[D]").astype("datetime64[M]")
    values, inverse = np.unique(months, return_inverse=True)
    codes = np.zeros(len(published), dtype=np.int64)  # 0: undated
    codes[dated] = inverse.reshape(-1) + 1
    return codes, ["", *(str(v) for v in values)]


def _text(v: object) -> str:
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def load_columns(reader: IndexReader) -> Columns:
    ids = _column(reader, "id", b"")
    order = np.array(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.int64)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids), dtype=np.int64)
    published = np.array(
        [NO_DATE if v is None else int(v) for v in _column(reader, "published", NO_DATE)], dtype=np.uint64
    )
    src, src_names = _codes(_column(reader, "source", b""))
    cat, cat_names = _codes(_column(reader, "category", b""))
    month, months = month_codes(published)
    year, years = _codes(
        [v if isinstance(v, int) and 0 < v < 10000 else 0 for v in _column(reader, "year", 0, translate=True)]
    )
    return Columns(
        rank=rank,
        published=published,
        source=src,
        category=cat,
        year=year,
        source_names=[_text(v) for v in src_names],
        category_names=[_text(v) for v in cat_names],
        year_values=years,
        month=month,
        month_values=months,
    )
