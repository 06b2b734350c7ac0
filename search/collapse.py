"""One story once: the near-duplicate groups ``reindex`` found (:mod:`indexer.derived.dups`), applied to the matches.

A query's matches keep, of each group, the copy that ranks first in the page's order (best score, or newest /
oldest for the date sorts; ties by id); the other copies leave the ranking but stay in the totals and facets,
which count every matching article. Only the few articles of multi-copy groups are looked at, with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.derived.dups import read_dups
from search.columns import Columns


@dataclass(frozen=True)
class DupGroups:
    """``group[d]``: the first document number of ``d``'s group; ``multi[d]``: ``d`` has live copies."""

    group: np.ndarray
    multi: np.ndarray
    _members: dict[int, np.ndarray]

    @classmethod
    def from_group(cls, group: np.ndarray) -> DupGroups:
        sizes = np.bincount(group, minlength=len(group))
        multi = sizes[group] > 1
        docs = np.flatnonzero(multi)
        by_group = docs[np.argsort(group[docs], kind="stable")]
        keys = group[by_group]
        members: dict[int, np.ndarray] = {}
        if len(keys):
            starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
            members = {
                int(keys[s]): part for s, part in zip(starts, np.split(by_group, starts[1:]), strict=True)
            }
        return cls(group.astype(np.int64), multi, members)

    @property
    def copies(self) -> int:
        """Articles that are copies of an earlier one."""
        return int(np.count_nonzero(self.group != np.arange(len(self.group))))

    def heads(self, docs: np.ndarray, scores: np.ndarray, sort: str, cols: Columns) -> np.ndarray:
        """Mask over the ascending ``docs`` (with their ``scores``): the first copy of each story in the order
        of ``sort``; every article without copies."""
        keep = np.ones(len(docs), dtype=bool)
        sub = np.flatnonzero(self.multi[docs])
        if not len(sub):
            return keep
        d = docs[sub]
        if sort == "relevance":
            order = np.lexsort((cols.rank[d], -scores[sub]))
        else:
            order = np.searchsorted(d, cols.order(d, sort))
        _, first = np.unique(self.group[d[order]], return_index=True)
        keep[sub] = False
        keep[sub[order[first]]] = True
        return keep

    def others(self, doc: int) -> list[int]:
        """The other articles of ``doc``'s story (document numbers, ascending)."""
        if not self.multi[doc]:
            return []
        return [int(d) for d in self._members[int(self.group[doc])] if d != doc]


def load_groups(gen_dir: Path, commit: int) -> DupGroups | None:
    """The groups ``reindex`` wrote for this commit, or None (an index without them: nothing collapses)."""
    data = read_dups(gen_dir, commit)
    return DupGroups.from_group(data.group.astype(np.int64)) if data is not None else None
