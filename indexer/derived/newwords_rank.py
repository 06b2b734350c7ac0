"""The ranking half of new-word discovery (:mod:`indexer.derived.newwords`): which of the frequent, cohesive
strings are new words, and how today's cut breaks them in the text.

A new name is cut by the segmenter into pieces that hardly occur without it: 岚湾 is only ever seen before 港区,
璟 only in 璟澜科技. A phrase of ordinary words is cut into dictionary words that each occur often elsewhere
with other partners (各项 and 工作, 经济 and 发展 combine freely). So each candidate is scored by its count, by how
**bound** its most bound piece is, and by how rare its characters are as words of the segmenter's dictionary:

* **bound**: for each piece of today's cut, the log of the share of the piece's occurrences in the corpus that
  are inside the candidate (0: the piece never occurs elsewhere), less ``COMMON_WEIGHT`` times the log of how far
  its dictionary frequency exceeds :data:`COMMON_FREQ` (a corpus that keeps writing 科学发展 does not make it one
  word); the best piece counts;
* **rarity**: the dictionary frequency of its rarest character standing as a word (岚, 璟, 鹭 are rare; 各, 项,
  工, 作 are not).

``score = log(count) + BOUND_WEIGHT * bound - RARITY_WEIGHT * log(1 + rarity)``. A candidate whose pieces are
all common words each seen mostly apart from it (at most :data:`FREE_SHARE` of their occurrences inside it) is a
free combination (各项+工作, 相关+部门) and left out; so is one that begins with a preposition the segmenter glues
or cuts off (在翠峦镇: the rest counts instead). How today's cut breaks a candidate is read in the text, where the
segmenter may glue a neighbour to it (从岚湾/港区).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from indexer.analysis import STOPWORDS
from indexer.derived.newwords_ngrams import Grams

#: A shorter candidate inside a longer one that has nearly all its occurrences (this share) is dropped.
NESTED_SHARE = 0.8
#: A candidate does not begin or end with one of these cut off as a word of its own (besides the stop words).
EDGE_PARTICLES = frozenset(
    "的了是在和与及等将也都就而被把对从向于以为之其这那个各每该本此又还再已很最更上下中里次届位名年月日号同跟"
)
#: Prepositions and conjunctions the segmenter glues to the name after them (从岚湾/港区): a candidate that
#: begins with one, glued or cut off, is stripped of it and the rest counts in its place.
LEFT_PARTICLES = frozenset("从在向到对于与和")
#: Dictionary frequency above which a piece is a common word: its share counts for less.
COMMON_FREQ = 300
#: Weight of the common-word penalty (per nat of frequency above :data:`COMMON_FREQ`).
COMMON_WEIGHT = 0.3
#: A candidate whose pieces are all common words, each with at most this share of its occurrences inside it,
#: is a free combination of ordinary words (各项+工作, 经济+发展) and is left out.
FREE_SHARE = 0.5
#: Weight of the most bound piece's log share in the score.
BOUND_WEIGHT = 3.0
#: Weight of the rarest character's log dictionary frequency in the score.
RARITY_WEIGHT = 0.5
#: Occurrences looked at for the cut in context.
CONTEXT_SAMPLE = 50
#: Characters of the text on each side of an occurrence that the segmenter sees for the cut in context.
CONTEXT_CHARS = 12


@dataclass(frozen=True)
class Ranked:
    """A candidate that passed: string, occurrences, cut of the string alone, statistics and score."""

    word: str
    count: int
    cut: list[str]
    cohesion: float
    left: float
    right: float
    score: float


def well_cut(pieces: list[str]) -> bool:
    """No piece a stop word, no end a particle on its own."""
    if any(p in STOPWORDS for p in pieces):
        return False
    return pieces[0] not in EDGE_PARTICLES and pieces[-1] not in EDGE_PARTICLES


def _nested(words: dict[str, int]) -> set[str]:
    """The strings of ``words`` (string -> count) inside a longer one that has most of their occurrences."""
    inside: dict[str, int] = {}  # substring of a candidate -> the most occurrences of a candidate holding it
    for word, count in words.items():
        for size in range(2, len(word)):
            for i in range(len(word) - size + 1):
                piece = word[i : i + size]
                inside[piece] = max(inside.get(piece, 0), count)
    return {w for w, count in words.items() if inside.get(w, 0) >= NESTED_SHARE * count}


def _glued(word: str, pieces: list[str], freq: Callable[[str], int]) -> bool:
    """``word`` begins with a preposition the segmenter glues to what follows (从岚湾/港区) or cuts off."""
    return len(word) > 2 and word[0] in LEFT_PARTICLES and (pieces[0] == word[0] or freq(pieces[0]) == 0)


def score(
    grams: Grams, first: int, count: int, pieces: list[str], freq: Callable[[str], int]
) -> float | None:
    """The score of the string of ``count`` occurrences at ``first`` in ``grams`` cut as ``pieces`` (see the
    module); None for a free combination of common words."""
    start = first
    bound, free = -math.inf, True
    for piece in pieces:
        share = count / max(grams.count_at(start, len(piece)), count)
        common = max(0.0, math.log((1 + freq(piece)) / COMMON_FREQ))
        free &= common > 0 and share <= FREE_SHARE
        bound = max(bound, math.log(share) - COMMON_WEIGHT * common)
        start += len(piece)
    if free:
        return None
    rarest = min(freq(ch) for ch in "".join(pieces))
    return math.log(count) + BOUND_WEIGHT * bound - RARITY_WEIGHT * math.log1p(rarest)


#: A string found: its first occurrence, occurrences, cohesion, left and right entropies.
_Row = tuple[int, int, float, float, float]


def _strings(grams: Grams, cut: Callable[[str], list[str]], freq: Callable[[str], int]) -> dict[str, _Row]:
    """The strings of ``grams``, those that begin with a preposition glued by the segmenter replaced by the
    rest of them (在翠峦镇 counts as 翠峦镇 when 翠峦镇 is not found on its own: it always follows 在)."""
    rows = {
        grams.text(int(first), int(size)): (int(first), int(count), float(coh), float(left), float(right))
        for first, size, count, coh, left, right in zip(
            grams.first, grams.size, grams.count, grams.cohesion, grams.left, grams.right, strict=True
        )
    }
    for word in [w for w in rows if len(w) > 2 and w[0] in LEFT_PARTICLES]:
        if _glued(word, cut(word), freq):
            first, _, *stats = rows.pop(word)
            if word[1:] not in rows:
                rows[word[1:]] = (first + 1, grams.count_at(first + 1, len(word) - 1), *stats)
    return rows


def rank(
    grams: Grams,
    cut: Callable[[str], list[str]],
    known: Callable[[str], bool],
    freq: Callable[[str], int],
) -> list[Ranked]:
    """The candidates of ``grams`` that are cut today and not phrases, best first."""
    rows = _strings(grams, cut, freq)
    nested = _nested({w: row[1] for w, row in rows.items()})
    out: list[Ranked] = []
    for word, (first, count, cohesion, left, right) in rows.items():
        if word in nested or known(word):
            continue
        pieces = cut(word)
        if len(pieces) < 2 or "".join(pieces) != word or not well_cut(pieces):
            continue
        value = score(grams, first, count, pieces, freq)
        if value is not None:
            out.append(Ranked(word, count, pieces, cohesion, left, right, value))
    out.sort(key=lambda r: (-r.score, -r.count, r.word))
    return out


def occurrences(joined: str, word: str, most: int = CONTEXT_SAMPLE) -> list[int]:
    """Where ``word`` stands in ``joined`` (its first ``most`` occurrences)."""
    out: list[int] = []
    at = joined.find(word)
    while at >= 0 and len(out) < most:
        out.append(at)
        at = joined.find(word, at + len(word))
    return out


def cut_in_context(joined: str, at: int, size: int, cut: Callable[[str], list[str]]) -> list[str] | None:
    """The pieces of today's cut of the run around ``joined[at : at + size]`` that overlap it, the characters
    they glue from its neighbours included (从岚湾, 港区); None when the cut does not give the text back."""
    lo = max(joined.rfind("\x00", 0, at) + 1, at - CONTEXT_CHARS)
    end = joined.find("\x00", at)
    hi = min(end if end >= 0 else len(joined), at + size + CONTEXT_CHARS)
    window = joined[lo:hi]
    pieces = cut(window)
    if "".join(pieces) != window:
        return None
    out, offset = [], lo
    for piece in pieces:
        if offset < at + size and offset + len(piece) > at:
            out.append(piece)
        offset += len(piece)
    return out


def shown_cut(
    joined: str, word: str, alone: list[str], cut: Callable[[str], list[str]]
) -> tuple[list[str], int]:
    """How today's cut breaks ``word`` in the text and where it does so: the commonest cut that glues a
    neighbour to it (从岚湾/港区) if any, else the commonest cut that breaks it; its cut alone and its first
    occurrence when the text never breaks it (or when it is not found)."""
    seen: Counter[tuple[str, ...]] = Counter()
    first: dict[tuple[str, ...], int] = {}
    found = occurrences(joined, word)
    for at in found:
        pieces = cut_in_context(joined, at, len(word), cut)
        if pieces is None or pieces == [word]:
            continue
        key = tuple(pieces)
        seen[key] += 1
        first.setdefault(key, at)
    if not seen:
        return alone, found[0] if found else -1
    glued = [k for k in seen if "".join(k) != word]
    best = max(glued or seen, key=lambda k: (seen[k], -first[k]))
    return list(best), first[best]
