"""The caller's filters (publication dates, sources, categories) as one mask over the documents, and the
China-time day bounds that ``date:`` and the date filters share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from whoosh.util.times import datetime_to_long

from indexer.articles import CHINA_TZ, to_utc_naive
from search.columns import Columns


def day_start_utc(day: date) -> datetime:
    """00:00 China time of ``day``, as the naive UTC datetime the index stores."""
    value = to_utc_naive(datetime.combine(day, time(), tzinfo=CHINA_TZ))
    assert value is not None
    return value


def date_bounds_utc(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Inclusive China-time days -> inclusive naive-UTC datetimes (the end is 23:59:59.999999 China time).

    A bound at the edge of what ``datetime`` can hold (0001-01-01, 9999-12-31) is no bound.
    """
    try:
        lo = day_start_utc(start) if start else None
    except OverflowError:
        lo = None
    try:
        hi = day_start_utc(end + timedelta(days=1)) - timedelta(microseconds=1) if end else None
    except OverflowError:
        hi = None
    return lo, hi


def date_bounds_long(start: date | None, end: date | None) -> tuple[int | None, int | None]:
    """:func:`date_bounds_utc` as Whoosh datetime longs (the ``published`` column's values)."""
    lo, hi = date_bounds_utc(start, end)
    return (datetime_to_long(lo) if lo else None), (datetime_to_long(hi) if hi else None)


@dataclass(frozen=True)
class Filters:
    """Publication days (China time, inclusive) and wanted sources and categories (exact stored values)."""

    date_from: date | None = None
    date_to: date | None = None
    sources: Sequence[str] = ()
    categories: Sequence[str] = ()

    @property
    def active(self) -> bool:
        return bool(self.date_from or self.date_to or self.sources or self.categories)

    def mask(self, cols: Columns) -> np.ndarray | None:
        """Which documents pass (None: no filter)."""
        if not self.active:
            return None
        mask = np.ones(len(cols.rank), dtype=bool)
        if self.date_from or self.date_to:
            mask &= cols.published_between(*date_bounds_long(self.date_from, self.date_to))
        if self.sources:
            mask &= cols.codes_of(cols.source_names, set(self.sources))[cols.source]
        if self.categories:
            mask &= cols.codes_of(cols.category_names, set(self.categories))[cols.category]
        return mask
