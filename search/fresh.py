"""``sort=fresh`` (the page's 最新相关): relevance times a decay on the article's age.

A match's score is its relevance score (BM25F, as ``sort=relevance`` ranks it) times
``0.5 ** (age_days / half_life_days)``: an article half a half-life old keeps 71 % of its score, one a
half-life old half of it, one two half-lives old a quarter. The age is counted in days (fractions included)
from the time of the search; an article dated in the future has age 0 (factor 1). An undated article gets the
factor of the oldest dated match of the query (it ranks as if it were as old as that one: neither pushed above
the dated news nor dropped); when no match is dated, every factor is 1 and the order is relevance's.

Computed with numpy over the whole array of matches, before the top of the ranking is taken, so totals, facets,
the proximity re-ranking of the best and the collapsing of copies work as for relevance. The half-life is the
setting :data:`FRESH_HALF_LIFE` (``ZHSEARCH_FRESH_HALF_LIFE_DAYS``, default 30 days).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from whoosh.util.times import datetime_to_long

from indexer.config import Setting
from search.columns import NO_DATE

FRESH_HALF_LIFE = Setting(
    "FRESH_HALF_LIFE_DAYS",
    "30",
    "Half-life in days of `sort=fresh` (最新相关): a result's relevance is multiplied by 0.5 ** (age in days / "
    "half-life); an undated article gets the factor of the oldest dated match.",
)
DEFAULT_HALF_LIFE_DAYS = float(FRESH_HALF_LIFE.default)
#: Microseconds in a day (the ``published`` column holds Whoosh datetime longs: microseconds).
_DAY_US = 86_400_000_000


def parse_half_life(value: object) -> float:
    """A half-life setting as a number of days above 0 (``"30"``, ``"7.5"``); a clear ValueError otherwise."""
    try:
        days = float(str(value).strip())
    except ValueError:
        raise ValueError(f"FRESH_HALF_LIFE_DAYS: expected a number of days, got {value!r}") from None
    if not days > 0 or days == float("inf"):
        raise ValueError(f"FRESH_HALF_LIFE_DAYS: must be a number of days above 0, got {value!r}")
    return days


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Freshness:
    """The decay of one search: its half-life and the time ages are counted from (UTC, or aware)."""

    half_life_days: float = DEFAULT_HALF_LIFE_DAYS
    now: datetime = field(default_factory=utc_now)

    def factors(self, published: np.ndarray) -> np.ndarray:
        """``0.5 ** (age_days / half_life_days)`` for each ``published`` value (``NO_DATE``: see the module)."""
        published = np.asarray(published, dtype=np.uint64)
        dated = published != np.uint64(NO_DATE)
        now = datetime_to_long(self.now.astimezone(UTC) if self.now.tzinfo else self.now)
        age_days = np.zeros(len(published), dtype=np.float64)
        age_days[dated] = (now - published[dated].astype(np.int64)) / _DAY_US
        factors = np.power(0.5, np.maximum(age_days, 0.0) / self.half_life_days)
        if dated.any() and not dated.all():
            factors[~dated] = factors[dated].min()
        return factors

    def scores(self, published: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """``scores`` times the decay of each article's age (arrays of the same length)."""
        return scores * self.factors(published)
