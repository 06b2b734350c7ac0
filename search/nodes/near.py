"""Nearness: :class:`Near`, a child whose best matches rank higher where the runs of words typed together
stand together, and the boost it gives (:func:`proximity_boost`, over every ``Near`` of a tree)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from indexer.normalize import fold_with_offsets
from search import scoring
from search.nodes.base import Matches, Node, Wrapping, walk

if TYPE_CHECKING:
    from search.context import Context

#: The runs of each :class:`Near` node of a tree, and its field.
Runs = list[tuple[list[re.Pattern[str]], str | None]]


@dataclass(frozen=True, slots=True)
class Near(Wrapping):
    """``child``, whose best matches rank higher where a run of its words stands together.

    The runs (patterns over folded text) are looked for in the stored title and body of the best matches
    only (:func:`proximity_boost`, which :mod:`search.collect` applies to the best of a ranking); the
    matches and the scores are the child's.
    """

    child: Node
    runs: tuple[str, ...]  # regex patterns, see search.highlights.phrase_pattern
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


def proximity_boost(fields: dict[str, Any], runs: Runs, weight: float) -> float:
    """An article's :func:`search.scoring.proximity_factor`: 1 + ``weight`` for each of title and body where a
    run stands together (averaged over the runs), from its stored ``fields``."""
    folded = {name: fold_with_offsets(fields.get(name) or "")[0] for name in ("title", "body")}
    found = 0.0
    count = 0
    for patterns, field in runs:
        names = (field,) if field in ("title", "body") else ("title", "body")
        for pattern in patterns:
            count += 1
            found += sum(1 for name in names if pattern.search(folded[name]))
    return scoring.proximity_factor(found, count, weight)
