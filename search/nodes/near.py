"""Nearness: :class:`Near`, a child whose best matches rank higher where the runs of words typed together
stand together, and the boost it gives (:func:`proximity_boosts`, over every ``Near`` of a tree)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from search import scoring
from search.nodes.base import Matches, Node, Wrapping, walk
from search.pagetext import PageText

if TYPE_CHECKING:
    from search.context import Context

#: The stored fields a run is looked for in.
FIELDS = ("title", "body")
#: The runs of each :class:`Near` node of a tree, and its field.
Runs = list[tuple[list[re.Pattern[str]], str | None]]


@dataclass(frozen=True, slots=True)
class Near(Wrapping):
    """``child``, whose best matches rank higher where a run of its words stands together.

    The runs (patterns over folded text) are looked for in the stored title and body of the best matches
    only (:func:`proximity_boosts`, which :mod:`search.collect` applies to the best of a ranking); the
    matches and the scores are the child's.
    """

    child: Node
    runs: tuple[str, ...]  # regex patterns, see search.highlights.phrase_regex
    field: str | None = None  # "title" or "body": look there only

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        return self.child.evaluate(ctx, within)

    def _lead(self) -> Node:
        return self.child

    def patterns(self) -> list[re.Pattern[str]]:
        """The runs, compiled."""
        return [_compiled(p) for p in self.runs]


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def proximity_runs(node: Node) -> Runs:
    """The runs of the :class:`Near` nodes in a tree (not under an exclusion)."""
    return [(n.patterns(), n.field) for n in walk(node, scored_only=True) if isinstance(n, Near)]


def proximity_boosts(stored: Sequence[dict[str, Any]], runs: Runs, weight: float) -> list[float]:
    """Each article's :func:`search.scoring.proximity_factor` (``stored``: the articles' stored fields): 1 +
    ``weight`` for each of title and body where a run stands together, averaged over the runs."""
    texts = [fields.get(name) or "" for fields in stored for name in FIELDS]
    folded = [f for f, _ in PageText.fold_each(texts)] if texts else []
    count = sum(len(patterns) for patterns, _ in runs)
    out: list[float] = []
    for k in range(len(stored)):
        text = dict(zip(FIELDS, folded[2 * k : 2 * k + 2], strict=True))
        found = 0.0
        for patterns, field in runs:
            names = (field,) if field in FIELDS else FIELDS
            for pattern in patterns:
                found += sum(1 for name in names if pattern.search(text[name]))
        out.append(scoring.proximity_factor(found, count, weight))
    return out
