"""Dates: :class:`DateRange` (published between two moments, over the ``published`` column)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from search.nodes.base import Matches, Node

if TYPE_CHECKING:
    from search.context import Context


@dataclass(frozen=True, slots=True)
class DateRange(Node):
    """Published between ``lo`` and ``hi`` (Whoosh datetime longs, inclusive; None: open)."""

    lo: int | None
    hi: int | None

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        docs = ctx.live_docs() if within is None else within
        mask = ctx.date_mask(self.lo, self.hi)[docs]
        docs = docs[mask]
        return Matches(docs, np.zeros(len(docs), dtype=np.float64))
