"""Per-document columns of a pinned index as numpy arrays: filters are masks, facets ``bincount``, sorts
``lexsort`` over them.

Loaded once per pinned index from Whoosh's sortable columns (``id``, ``published``, ``source``, ``category``,
``year``), indexed by global document number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.reading import IndexReader

#: Column value of a document without a publication time (Whoosh's default for a missing DATETIME).
NO_DATE = 2**64 - 1


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
    values: list[Any] = []
    for leaf, offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        assert offset == len(values)
        part = list(leaf.column_reader(name, translate=translate)) if leaf.has_column(name) else []
        if len(part) < count:
            part.extend([default] * (count - len(part)))
        values.extend(part[:count])
    return values


def _codes(values: list[Any]) -> tuple[np.ndarray, list[Any]]:
    names: dict[Any, int] = {}
    codes = np.fromiter((names.setdefault(v, len(names)) for v in values), dtype=np.int64, count=len(values))
    return codes, list(names)


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
    )
