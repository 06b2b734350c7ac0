"""Snippet windows on arrays: the pieces of a result page's bodies and the fragments around their matches.

The same cuts and the same choice as the reference path of :mod:`search.snippets` (``_Pieces``: a regex scan
and Python per piece and per window, one body at a time), computed with numpy for the whole page at once:

* the page is a :class:`~search.pagetext.PageText`: the bodies as one array of code points and cutter flags,
  and each body folded so that the matches (``str.find``, :meth:`search.snippets.Highlighter.find`) are where
  the reference finds them.
* :func:`cut_pieces` reads only the marks, closing quotes and whitespace (a tenth of news text): what each
  ends is one lookup of its flags and the next character's (a run of sentence marks with the closing quotes
  after it, ``.`` before whitespace, a line break, a clause mark not before a digit, a body's end); whitespace
  is trimmed by moving each piece's ends across the runs of whitespace; the few pieces longer than half a
  fragment are cut in Python (per long piece, as the reference does).
* :func:`choose` scores every window that reaches a piece with a match at once (distinct query words as bits
  per piece, matches, the first match, whether it starts a sentence), ranks the windows of each body once by
  all of that but their new words, and takes up to ``fragments`` per body greedily, one round for all bodies.

A body with a lone surrogate goes to the reference path (:meth:`~search.pagetext.PageText.read` says which), and
so does a page of few bodies (:data:`search.snippets.ARRAY_MIN_BODIES`): the arrays cost about the same per
page whatever its size (some two hundred numpy calls), which pays for a page of ten bodies and not for one or
two.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from search.pagetext import (
    END_CLAUSE,
    END_QUOTED,
    F_CLOSER,
    F_RISKY,
    F_SPACE,
    MARKS,
    PageText,
    end_codes,
)

SENTENCE, CLAUSE, CUT = 0, 1, 2  # how a piece ends: a sentence end, a clause end, a plain chunk boundary
#: Query words (groups) a window can count as bits; a query with more is left to the reference path.
MAX_GROUPS = 63


class Pieces(NamedTuple):
    """The pieces of every body of a page (page character offsets), and where each body's pieces are."""

    starts: np.ndarray
    ends: np.ndarray
    kinds: np.ndarray
    #: body ``b``'s pieces are ``first[b]:first[b + 1]``
    first: np.ndarray
    #: for each piece, the last piece up to it that ends a sentence (-1: none)
    last_sentence: np.ndarray


def cut_pieces(page: PageText, size: int, spans: Sequence[tuple[int, int]]) -> Pieces:
    """Every body's pieces for fragments of ``size`` characters (whitespace trimmed, pieces longer than half a
    fragment cut in chunks, not inside the merged match ``spans``: page offsets, ascending).

    Only the marks, closing quotes, whitespace and separators are read after the first pass (a tenth of news
    text); each one's end code is one lookup of its flags and the next character's."""
    flags = page.flags
    at = np.flatnonzero(flags & MARKS)
    f = flags[at]
    code = end_codes()[f, flags[np.minimum(at + 1, len(flags) - 1)]]
    cut = code > 0
    ends = at[cut] + 1
    codes = code[cut]
    kinds = (codes == END_CLAUSE).astype(np.int64)  # SENTENCE or CLAUSE
    quoted = codes == END_QUOTED
    if quoted.any():  # the closing quotes after a sentence end go with it
        ends[quoted] = _past_runs(at[(f & F_CLOSER) != 0], ends[quoted])
    starts = np.concatenate(([0], ends[:-1]))
    space = at[(f & F_SPACE) != 0]
    run, bounds = _runs(space)
    first = _past_runs(space, starts, run, bounds)
    blank = first >= ends
    if blank.any():  # a whitespace piece: a line break there ends the sentence of the piece before it
        before = np.maximum.accumulate(np.where(blank, -1, np.arange(len(ends))))
        fix = np.flatnonzero(blank & (kinds == SENTENCE) & (before >= 0) & ((flags[starts] & F_RISKY) == 0))
        fix = fix[page.body_of(starts[before[fix]]) == page.body_of(starts[fix])]
        kinds[before[fix]] = SENTENCE
        keep = ~blank
        first, ends, kinds = first[keep], ends[keep], kinds[keep]
    last = _before_runs(space, ends, run, bounds)
    limit = max(1, size // 2)
    long = np.flatnonzero(last - first > limit)
    if len(long):
        first, last, kinds = _cut_long(page.text, first, last, kinds, long, limit, spans)
    return Pieces(first, last, kinds, np.searchsorted(first, page.offsets), last_sentences(kinds))


def _runs(marked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ascending character offsets ``marked``: the index of each one's run of consecutive offsets, and
    each run's ``(first offset, end offset)`` as two rows."""
    split = np.ones(len(marked), dtype=bool)
    split[1:] = marked[1:] != marked[:-1] + 1
    heads = np.flatnonzero(split)
    tails = np.append(heads[1:], len(marked)) - 1
    return np.cumsum(split) - 1, np.stack((marked[heads], marked[tails] + 1))


def _past_runs(
    marked: np.ndarray, at: np.ndarray, run: np.ndarray | None = None, bounds: np.ndarray | None = None
) -> np.ndarray:
    """Each offset of ``at`` moved past the run of ``marked`` characters it stands on (if it does)."""
    if run is None or bounds is None:
        run, bounds = _runs(marked)
    k = np.minimum(np.searchsorted(marked, at), len(marked) - 1)
    return np.where(marked[k] == at, bounds[1][run[k]], at)


def _before_runs(marked: np.ndarray, at: np.ndarray, run: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Each end offset of ``at`` moved back before the run of ``marked`` characters that ends there."""
    k = np.minimum(np.searchsorted(marked, at - 1), len(marked) - 1)
    return np.where(marked[k] == at - 1, bounds[0][run[k]], at)


def _cut_long(
    body: str,
    starts: np.ndarray,
    ends: np.ndarray,
    kinds: np.ndarray,
    long: np.ndarray,
    limit: int,
    spans: Sequence[tuple[int, int]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pieces with each long one (indexes ``long``) cut in plain chunks (Python per chunk)."""
    out_s: list[np.ndarray] = []
    out_e: list[np.ndarray] = []
    out_k: list[np.ndarray] = []
    done = 0
    for x in long.tolist():
        out_s.append(starts[done:x])
        out_e.append(ends[done:x])
        out_k.append(kinds[done:x])
        s, e = int(starts[x]), int(ends[x])
        cs: list[int] = []
        ce: list[int] = []
        while e - s > limit:
            cut = cut_point(body, s, s + limit, spans)
            cs.append(s)
            ce.append(cut)
            s = cut
            while s < e and body[s].isspace():
                s += 1
        cs.append(s)
        ce.append(e)
        out_s.append(np.array(cs, dtype=np.int64))
        out_e.append(np.array(ce, dtype=np.int64))
        out_k.append(np.array([CUT] * (len(cs) - 1) + [int(kinds[x])], dtype=np.int64))
        done = x + 1
    out_s.append(starts[done:])
    out_e.append(ends[done:])
    out_k.append(kinds[done:])
    return np.concatenate(out_s), np.concatenate(out_e), np.concatenate(out_k)


def cut_point(body: str, start: int, limit: int, spans: Sequence[tuple[int, int]]) -> int:
    """Where to cut a long piece at or before ``limit``: not inside a match (unless the match alone is longer
    than a piece may be), preferably at a space."""
    cut = limit
    k = bisect_right(spans, (limit, limit)) - 1
    if k >= 0 and spans[k][0] < cut < spans[k][1]:
        s, e = spans[k]
        if s > start:
            cut = s
        elif e - start <= 2 * (limit - start):
            cut = e
    if cut == limit:
        space = body.rfind(" ", start + 1, cut)
        if space > start + (limit - start) // 2:
            cut = space
    return max(cut, start + 1)


def last_sentences(kinds: np.ndarray) -> np.ndarray:
    """For each piece, the last piece up to it that ends a sentence (-1: none)."""
    return np.maximum.accumulate(np.where(kinds == SENTENCE, np.arange(len(kinds)), -1))


def _heads_mask(values: np.ndarray) -> np.ndarray:
    """Where each run of equal ``values`` starts."""
    mask = np.ones(len(values), dtype=bool)
    mask[1:] = values[1:] != values[:-1]
    return mask


def _heads(values: np.ndarray) -> np.ndarray:
    """The indexes where each run of equal ``values`` starts."""
    return np.flatnonzero(_heads_mask(values))


def opening_windows(pieces: Pieces, bodies: np.ndarray, size: int) -> np.ndarray:
    """The window ``(first piece, last piece)`` of each of ``bodies`` (with pieces, without matches): from its
    first piece, stopping at a sentence end in reach."""
    starts, ends, kinds, first, _ = pieces
    i = first[bodies]
    j = np.maximum(
        i, np.minimum(np.searchsorted(ends, starts[i] + size, side="right"), first[bodies + 1]) - 1
    )
    k = pieces.last_sentence[j]
    return np.stack((i, np.where(k >= i, k, j)), axis=1)


def choose(
    pieces: Pieces, at: np.ndarray, groups: np.ndarray, owner: np.ndarray, size: int, fragments: int
) -> list[list[tuple[int, int]]]:
    """Per body, its fragments ``(first piece, last piece)`` in text order, for the matches starting at ``at``
    (page offsets, ascending) of the query words ``groups`` in the bodies ``owner``: the window with the most
    distinct words (then most matches, starting a sentence, its first match nearest its start, the earliest),
    then each window that adds a word not shown yet and overlaps none chosen."""
    starts, ends, kinds, first, _ = pieces
    bodies = len(first) - 1
    chosen: list[list[tuple[int, int]]] = [[] for _ in range(bodies)]
    piece = np.searchsorted(starts, at, side="right") - 1
    inside = piece >= first[owner]  # not a match before its body's first piece
    bits = np.left_shift(np.uint64(1), groups.astype(np.uint64))[inside]
    at, piece = at[inside], piece[inside]
    if not len(piece):
        return chosen
    # the pieces with matches (ascending), their query words as bits, their matches, their first match
    heads = _heads(piece)
    with_matches = piece[heads]
    words_of = np.bitwise_or.reduceat(bits, heads)
    count_before = np.concatenate((heads, [len(piece)]))
    first_of = at[heads]
    wm_body = owner[inside][heads]
    # window starts: every piece of the same body from which a window reaches a piece with matches
    reach = np.searchsorted(starts, ends[with_matches] - size)
    reach = np.minimum(np.maximum(reach, first[wm_body]), with_matches + 1)
    edges = np.bincount(reach, minlength=len(starts) + 1) - np.bincount(
        with_matches + 1, minlength=len(starts) + 1
    )
    cand = np.flatnonzero(np.cumsum(edges[:-1]))
    own = np.searchsorted(first, cand, side="right") - 1
    j = np.searchsorted(ends, starts[cand] + size, side="right")
    j = np.maximum(cand, np.minimum(j, first[own + 1]) - 1)
    lo = np.searchsorted(with_matches, cand)
    hi = np.searchsorted(with_matches, j, side="right")
    live = np.flatnonzero(hi > lo)
    cand, own, j, lo, hi = cand[live], own[live], j[live], lo[live], hi[live]
    last = pieces.last_sentence[j]
    end = np.where(last >= with_matches[hi - 1], last, j)  # stop at a sentence end if one is in reach
    # the words of pieces lo..hi-1: reduceat over the pairs (lo, hi), every other result (lo < hi always)
    words = np.bitwise_or.reduceat(np.append(words_of, np.uint64(0)), np.stack((lo, hi), axis=1).ravel())[::2]
    count = count_before[hi] - count_before[lo]
    opens = kinds[cand - 1] == SENTENCE
    opens[cand == first[own]] = True
    lead = starts[cand] - first_of[lo]
    # each window's rank among its body's by everything but its new words (which change as windows are chosen)
    size_w = len(cand)
    rank = np.empty(size_w, dtype=np.int64)
    rank[np.lexsort((-cand, lead, opens, count))] = np.arange(size_w)
    starts_group = _heads_mask(own)  # the windows of one body are consecutive
    group = np.cumsum(starts_group) - 1
    group_heads = np.flatnonzero(starts_group)
    every = np.bitwise_or.reduceat(words, group_heads)  # the words any window of the body shows
    covered = np.zeros(len(group_heads), dtype=np.uint64)
    free = np.ones(size_w, dtype=bool)
    for _ in range(fragments):
        new = np.bitwise_count(words & ~covered[group]).astype(np.int64)
        score = np.where(free & (new > 0), new * size_w + rank, -1)
        top = np.maximum.reduceat(score, group_heads)
        best = np.flatnonzero((score == top[group]) & (score >= 0))  # one per body that has one
        if not len(best):
            break
        bi, bj, bg = cand[best], end[best], group[best]
        covered[bg] |= words[best]
        for b, i, e in zip(own[best].tolist(), bi.tolist(), bj.tolist(), strict=True):
            chosen[b].append((i, e))
        if (covered == every).all():
            break
        ci = np.full(len(group_heads), -1, dtype=np.int64)
        cj = np.full(len(group_heads), -2, dtype=np.int64)
        ci[bg], cj[bg] = bi, bj
        free &= ~((cand <= cj[group]) & (ci[group] <= end))
    for c in chosen:
        c.sort()
    return chosen
