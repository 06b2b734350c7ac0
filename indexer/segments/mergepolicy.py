"""Which segments a commit merges, and how: tiers of similar sizes, deletions purged.

Every incremental run adds a segment. Left alone, their number grows with the runs and every query pays a term
lookup and a posting list per segment. Lucene's TieredMergePolicy is the model, in small:

- a segment's **tier** is set by its live documents: those under :data:`FLOOR_DOCS` share tier 0, and each tier
  above holds segments :data:`TIER_FACTOR` times larger than the one below;
- a tier that holds more than :data:`SEGMENTS_PER_TIER` segments (tier 0: :data:`SMALL_SEGMENTS`) is merged into
  one (which may fill the next tier up: the plan is made again until no tier overflows), so the count stays
  about ``SEGMENTS_PER_TIER`` times the number of tiers, logarithmic in the archive; in tier 0 a segment much
  larger than the others (:data:`LARGE_RATIO`) waits until they have grown;
- a segment whose deleted share reaches :data:`PURGE_SHARE` is rewritten without them, and a merge whose
  segments together reach it purges too.

A merge of segments without many deletions copies their posting blocks (:func:`indexer.segments.merge.merge_segments`,
deletions carried over); a purge writes the live documents again through the array writer
(:func:`indexer.segments.fastbuild.write_segment`) from their stored fields (:func:`indexer.segments.documents.stored_document`).
Either way the new segment is written beside the live ones and published by the commit's table of contents:
readers of the previous commit are never blocked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "FLOOR_DOCS",
    "LARGE_RATIO",
    "PURGE_SHARE",
    "SEGMENTS_PER_TIER",
    "TIER_FACTOR",
    "Merge",
    "SegmentSize",
    "plan_merges",
]

#: Segments with fewer live documents than this are all of tier 0.
FLOOR_DOCS = 2000
#: Each tier holds segments this many times larger than the tier below.
TIER_FACTOR = 8
#: A tier with more segments than this is merged into one.
SEGMENTS_PER_TIER = 6
#: Tier 0 (the small segments of recent runs) is merged as soon as it holds more than this: each segment costs
#: every query a term lookup, and merging small segments block by block costs little.
SMALL_SEGMENTS = 2
#: An overflowing tier 0 merges its small segments among themselves, leaving its largest alone, while that one
#: holds more than this many times their documents: a large segment is not rewritten for every few small ones
#: (a small index, all of it in tier 0, would otherwise be written whole every other run).
LARGE_RATIO = 4
#: A segment (or a merge) with this share of deleted documents is written again without them.
PURGE_SHARE = 0.2


@dataclass(frozen=True)
class SegmentSize:
    """A segment as the policy sees it: its name, all its documents and how many of them are deleted."""

    name: str
    docs: int
    deleted: int

    @property
    def live(self) -> int:
        return self.docs - self.deleted


@dataclass(frozen=True)
class Merge:
    """Segments (by name, in index order) to merge into one; ``purge``: write the live documents again."""

    names: tuple[str, ...]
    purge: bool


def tier(live: int) -> int:
    """The tier of a segment with ``live`` documents."""
    if live < FLOOR_DOCS:
        return 0
    return 1 + int(math.log(live / FLOOR_DOCS, TIER_FACTOR))


def _purges(sizes: Sequence[SegmentSize]) -> bool:
    docs = sum(s.docs for s in sizes)
    return docs > 0 and sum(s.deleted for s in sizes) >= PURGE_SHARE * docs


def plan_merges(segments: Sequence[SegmentSize]) -> list[Merge]:
    """The merges that bring ``segments`` (in index order) within the policy, in the order to run them; each
    merge's result takes the place of its first segment (document order is kept within a merge)."""
    current = list(segments)
    merges: list[Merge] = []
    for _ in range(64):  # each round removes segments or purges one: bounded well below this
        merge = _next_merge(current)
        if merge is None:
            break
        merges.append(merge)
        chosen = set(merge.names)
        members = [s for s in current if s.name in chosen]
        merged = SegmentSize(
            f"merge{len(merges)}",
            sum(s.live for s in members) if merge.purge else sum(s.docs for s in members),
            0 if merge.purge else sum(s.deleted for s in members),
        )
        first = next(i for i, s in enumerate(current) if s.name in chosen)
        current = [s for s in current if s.name not in chosen]
        if merged.docs:  # a purge of documents all deleted leaves no segment
            current.insert(first, merged)
    return merges


def _small_ones(group: list[SegmentSize]) -> list[SegmentSize]:
    """The segments of an overflowing tier 0 to merge: all, or all but the largest while it holds more than
    :data:`LARGE_RATIO` times the others' live documents."""
    largest = max(group, key=lambda s: s.live)
    rest = [s for s in group if s is not largest]
    if len(rest) >= 2 and largest.live > LARGE_RATIO * sum(s.live for s in rest):
        return rest
    return group


def _next_merge(segments: Sequence[SegmentSize]) -> Merge | None:
    by_tier: dict[int, list[SegmentSize]] = {}
    for s in segments:
        by_tier.setdefault(tier(s.live), []).append(s)
    for t in sorted(by_tier):
        group = by_tier[t]
        if len(group) > (SMALL_SEGMENTS if t == 0 else SEGMENTS_PER_TIER):
            if t == 0:
                group = _small_ones(group)
            return Merge(tuple(s.name for s in group), _purges(group))
    for s in segments:
        if s.deleted and _purges([s]):
            return Merge((s.name,), True)
    return None
