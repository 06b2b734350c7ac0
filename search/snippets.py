"""Highlighted titles and snippets: matches in ``<mark>``, everything else HTML-escaped.

Matches are found without re-segmenting the article: the query's folded words and phrase patterns
(:class:`search.build.HighlightTerm`) are searched in the *folded* text (``str.find``; a regex for phrases) and
mapped back through :func:`indexer.normalize.fold_with_offsets`, so a traditional-character match is marked
in its original characters. Overlapping and touching matches merge into one mark (马克思 is marked whole, not
马克 + 思). An ASCII word only matches at word boundaries (``ai`` does not match inside ``said``).

A snippet is 1 to :data:`MAX_FRAGMENTS` fragments of at most :data:`FRAGMENT_CHARS` characters. The body is cut
into pieces at sentence ends (``。！？；…`` and ``. ! ? ;`` before a space, line breaks) and clause ends
(``，、：`` and ``,`` not between digits); a piece longer than half a fragment is cut in plain chunks. A fragment
is a run of consecutive pieces; the first is the one with the most distinct query words, then the most
matches, preferring one that starts a sentence and has its first match near its start; each further fragment
must add a query word not shown yet. Fragments are shown in text order, joined by ``…``; a fragment that
starts inside a sentence gets a leading ``…``, and a snippet whose last fragment stops inside a sentence ends
with ``…`` (a clause mark at the cut is dropped). Whitespace runs show as one space, except after Chinese
punctuation (``。``, ``，``, ``」`` ...) and at a line break after a Chinese character, where they go: paragraphs of
Chinese text join as they are read (``。截至``, not ``。 截至``). With no match in the body the snippet is the
opening of the body, cut the same way.

A result page's snippets are made together on arrays (:meth:`Highlighter.snippets`, :mod:`search.windows`); one
body (:meth:`Highlighter.snippet`) is cut by the reference path (:meth:`Highlighter.reference_snippet`), which
gives the same snippet.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from html import escape

import numpy as np

from indexer.analysis import SINGLE_UNIT_CLASS
from indexer.normalize import fold_with_offsets as fold_text
from indexer.normalize import original_span
from search import windows as arrays
from search.highlights import HighlightTerm
from search.pagetext import CLOSERS, PageText
from search.windows import CLAUSE, CUT, SENTENCE, Pieces

FRAGMENT_CHARS = 120
MAX_FRAGMENTS = 3
ELLIPSIS = "…"
MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"
#: Pages with fewer bodies are cut one body at a time: the arrays' cost per page does not pay for fewer.
ARRAY_MIN_BODIES = 6

_CLOSERS = CLOSERS
# the lookahead first lets the regex engine skip to the next candidate character (a quarter faster, same cuts)
_BOUNDARY_RE = re.compile(
    rf"(?=[。！？；…!?;.\n，、：,])"
    rf"(?:(?P<s>[。！？；…!?;]+[{_CLOSERS}]*|\.(?=\s|$)[{_CLOSERS}]*|\n)|(?P<c>[，、：,](?!\d)))"
)
_WS_RE = re.compile(r"\s+")
#: What a snippet does not show as it stands: whitespace (see :func:`_space`) and what HTML escapes.
_SHOWN_OTHERWISE_RE = re.compile(r"[\s&<>\"']")
#: Full-width punctuation: whitespace after it is dropped in a snippet (Chinese needs no space after 。).
_CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026\u2014"
_NO_SPACE_AFTER_RE = re.compile(f"[{_CJK_PUNCT}]")
_CJK_CHAR_RE = re.compile(f"[{SINGLE_UNIT_CLASS}{_CJK_PUNCT}]")
_CLAUSE_MARKS = "，、：:,;；"
# a letter or digit that is not CJK: ASCII-like words must not match inside longer ones
_WORDCHAR_RE = re.compile(f"[^\\W_{SINGLE_UNIT_CLASS}]")


def _is_wordchar(ch: str) -> bool:
    return _WORDCHAR_RE.match(ch) is not None


class Highlighter:
    """Marks the terms of one query in titles and bodies (build one per query, use it for every hit)."""

    def __init__(self, terms: Sequence[HighlightTerm]) -> None:
        self.words = [
            (t.text, t.group, _is_wordchar(t.text[0]), _is_wordchar(t.text[-1]))
            for t in terms
            if t.pattern is None and t.text
        ]
        self.patterns = [(t.pattern, t.group) for t in terms if t.pattern is not None]
        # the array path counts a window's query words as bits of one integer
        self._arrays = max((t.group for t in terms), default=0) < arrays.MAX_GROUPS

    # -- matching --------------------------------------------------------------------------------------------

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """All matches ``(start, end, group)`` in ``text`` (original offsets), sorted, overlaps kept."""
        if not text or not (self.words or self.patterns):
            return []
        return self._found(*fold_text(text))

    def _found(self, folded: str, offsets: list[int] | None) -> list[tuple[int, int, int]]:
        """The matches in ``folded`` (see :meth:`find`), mapped back through ``offsets``."""
        n = len(folded)
        found: list[tuple[int, int, int]] = []
        for word, group, check_start, check_end in self.words:
            size = len(word)
            i = folded.find(word)
            while i >= 0:
                j = i + size
                if not (check_start and i > 0 and _is_wordchar(folded[i - 1])) and not (
                    check_end and j < n and _is_wordchar(folded[j])
                ):
                    found.append((i, j, group))
                i = folded.find(word, i + 1)
        for pattern, group in self.patterns:
            for m in pattern.finditer(folded):
                if m.end() > m.start():
                    found.append((m.start(), m.end(), group))
        if offsets is not None:
            found = [(*original_span(offsets, s, e), g) for s, e, g in found]
        found.sort()
        return found

    @staticmethod
    def merge(found: Sequence[tuple[int, int, int]]) -> list[tuple[int, int]]:
        """Overlapping or touching matches merged into the longest spans."""
        merged: list[tuple[int, int]] = []
        for s, e, _ in found:
            if merged and s <= merged[-1][1]:
                if e > merged[-1][1]:
                    merged[-1] = (merged[-1][0], e)
            else:
                merged.append((s, e))
        return merged

    # -- rendering -------------------------------------------------------------------------------------------

    def mark(self, text: str) -> str:
        """The whole of ``text`` (a title), escaped, with every match marked."""
        return _render(text, 0, len(text), self.merge(self.find(text)))

    def marks(self, titles: Sequence[str]) -> list[str]:
        """:meth:`mark` of each title (a result page's), folded all at once (:meth:`PageText.fold_each`)."""
        if not (self.words or self.patterns) or not titles:
            return [self.mark(t) for t in titles]
        folded = PageText.fold_each(titles)
        return [_render(t, 0, len(t), self.merge(self._found(*folded[k]))) for k, t in enumerate(titles)]

    def snippet(self, body: str, *, chars: int = FRAGMENT_CHARS, fragments: int = MAX_FRAGMENTS) -> str:
        """1 to ``fragments`` marked fragments of the body where the query's words are densest (one body:
        :meth:`reference_snippet`; a page of them costs less through :meth:`snippets`)."""
        return self.reference_snippet(body, chars=chars, fragments=fragments)

    def snippets(
        self, bodies: Sequence[str], *, chars: int = FRAGMENT_CHARS, fragments: int = MAX_FRAGMENTS
    ) -> list[str]:
        """:meth:`snippet` of each body (a result page's), cut on arrays for all of them at once
        (:mod:`search.windows`). A body or query that path does not take (a lone surrogate, more than
        :data:`~search.windows.MAX_GROUPS` query words) and a page of fewer than
        :data:`ARRAY_MIN_BODIES` bodies are cut by :meth:`reference_snippet`, which gives the same snippets."""
        if not self._arrays or len(bodies) < ARRAY_MIN_BODIES:
            return [self.reference_snippet(b, chars=chars, fragments=fragments) for b in bodies]
        page, readable = PageText.read(bodies)
        found = [self._found(f, back) if (self.words or self.patterns) else [] for f, back in page.folded()]
        at = page.offsets.tolist()
        spans = [self.merge(f) for f in found]
        pieces = arrays.cut_pieces(
            page, chars, [(s + o, e + o) for b, o in enumerate(at[:-1]) for s, e in spans[b]]
        )
        owner = [b for b, f in enumerate(found) for _ in f]
        starts = [s + at[b] for b, f in enumerate(found) for s, _, _ in f]
        groups = [g for f in found for _, _, g in f]
        chosen = arrays.choose(
            pieces, *(np.array(v, dtype=np.int64) for v in (starts, groups, owner)), chars, fragments
        )
        first = pieces.first.tolist()
        plain = [b for b, f in enumerate(found) if not f and first[b] < first[b + 1]]
        if plain:  # the bodies without matches: their opening
            for b, window in zip(
                plain,
                arrays.opening_windows(pieces, np.array(plain, dtype=np.int64), chars).tolist(),
                strict=True,
            ):
                chosen[b] = [tuple(window)]
        out = _join_page(page, pieces, chosen, spans)
        return [
            out[k] if ok else self.reference_snippet(b, chars=chars, fragments=fragments)
            for k, (b, ok) in enumerate(zip(bodies, readable, strict=True))
        ]

    def reference_snippet(
        self, body: str, *, chars: int = FRAGMENT_CHARS, fragments: int = MAX_FRAGMENTS
    ) -> str:
        """:meth:`snippet` by a regex scan of the body and Python per piece and window (the definition)."""
        found = self.find(body)
        spans = self.merge(found)
        pieces = _Pieces(body, chars, spans)
        if not pieces.starts:
            return ""
        if not found:
            return pieces.join([(0, pieces.sentence_end(0, pieces.extend(0)))], [])
        return pieces.join(pieces.choose(found, fragments), spans)


def opening(body: str, chars: int = FRAGMENT_CHARS) -> str:
    """The opening of a body, cut like a snippet, escaped (for lists without a query, e.g. related articles)."""
    pieces = _Pieces(body, chars, [])
    if not pieces.starts:
        return ""
    return pieces.join([(0, pieces.sentence_end(0, pieces.extend(0)))], [])


# -- fragments -----------------------------------------------------------------------------------------------


class _Pieces:
    """The body cut into sentence and clause pieces (whitespace trimmed; long pieces cut in plain chunks)."""

    def __init__(self, body: str, chars: int, spans: Sequence[tuple[int, int]]) -> None:
        self.body = body
        self.chars = chars
        starts: list[int] = []
        ends: list[int] = []
        kinds: list[int] = []
        limit = max(1, chars // 2)
        pos = 0
        n = len(body)
        bounds = [(m.end(), SENTENCE if m.lastgroup == "s" else CLAUSE) for m in _BOUNDARY_RE.finditer(body)]
        if pos < n and (not bounds or bounds[-1][0] < n):
            bounds.append((n, SENTENCE))
        for end, kind in bounds:
            s, e = pos, end
            pos = end
            piece = body[s:e]
            stripped = piece.strip()
            if stripped is not piece:
                if not stripped:
                    if kinds and kind == SENTENCE:
                        kinds[-1] = SENTENCE  # a line break ends the sentence
                    continue
                s += len(piece) - len(piece.lstrip())
                e = s + len(stripped)
            if s >= e:
                if kinds and kind == SENTENCE:
                    kinds[-1] = SENTENCE  # a line break ends the sentence
                continue
            while e - s > limit:
                cut = arrays.cut_point(body, s, s + limit, spans)
                starts.append(s)
                ends.append(cut)
                kinds.append(CUT)
                s = cut
                while s < e and body[s].isspace():
                    s += 1
            if s < e:
                starts.append(s)
                ends.append(e)
                kinds.append(kind)
        self.starts, self.ends, self.kinds = starts, ends, kinds
        # for each piece, the last piece up to it that ends a sentence (-1: none)
        last = -1
        self._last_sentence = [last := k if kind == SENTENCE else last for k, kind in enumerate(kinds)]

    def extend(self, i: int, j: int = -1) -> int:
        """The last piece index j (>= i, >= the given j) such that pieces i..j fit in ``chars``."""
        return max(i, j, bisect_right(self.ends, self.starts[i] + self.chars) - 1)

    def sentence_end(self, at_least: int, j: int) -> int:
        """The last piece in ``at_least..j`` that ends a sentence (``j`` if none does)."""
        k = self._last_sentence[j]
        return k if k >= at_least else j

    def starts_sentence(self, i: int) -> bool:
        return i == 0 or self.kinds[i - 1] == SENTENCE

    def choose(self, found: Sequence[tuple[int, int, int]], fragments: int) -> list[tuple[int, int]]:
        starts, ends = self.starts, self.ends
        per_piece: dict[int, list[tuple[int, int]]] = {}  # piece -> (start, group) of its matches
        for s, _, g in found:
            k = bisect_right(starts, s) - 1
            if k >= 0:
                per_piece.setdefault(k, []).append((s, g))
        with_matches = sorted(per_piece)
        # window starts: every piece from which a window reaches a piece with matches
        candidates: set[int] = set()
        for k in with_matches:  # the pieces i <= k with ends[k] - starts[i] <= chars, and k itself
            candidates.update(range(bisect_left(starts, ends[k] - self.chars, 0, k + 1), k + 1))
        # per piece with matches: its groups, its number of matches, its first match
        groups_of = [{g for _, g in per_piece[k]} for k in with_matches]
        count_before = [0]
        for k in with_matches:
            count_before.append(count_before[-1] + len(per_piece[k]))
        windows = []  # (i, j, groups, matches, first match)
        j = -1
        for i in sorted(candidates):
            j = self.extend(i, j)
            lo, hi = bisect_left(with_matches, i), bisect_right(with_matches, j)
            if hi > lo:
                end = self.sentence_end(with_matches[hi - 1], j)  # stop at a sentence end if one is in reach
                groups = groups_of[lo].union(*groups_of[lo + 1 : hi]) if hi - lo > 1 else groups_of[lo]
                first = per_piece[with_matches[lo]][0][0]
                windows.append((i, end, groups, count_before[hi] - count_before[lo], first))
        chosen: list[tuple[int, int]] = []
        covered: set[int] = set()
        while len(chosen) < fragments:
            best_key = None
            best = None
            for i, j, groups, count, first in windows:
                new = len(groups - covered) if covered else len(groups)
                if not new or any(i <= cj and ci <= j for ci, cj in chosen):
                    continue
                key = (new, count, self.starts_sentence(i), starts[i] - first, -i)
                if best_key is None or key > best_key:
                    best_key, best = key, (i, j, groups)
            if best is None:
                break
            chosen.append((best[0], best[1]))
            covered |= best[2]
        chosen.sort()
        return chosen

    def join(self, chosen: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]]) -> str:
        return _join(self.body, self.starts, self.ends, self.kinds, chosen, spans)


def _join(
    body: str,
    starts: Sequence[int],
    ends: Sequence[int],
    kinds: Sequence[int],
    chosen: Sequence[tuple[int, int]],
    spans: Sequence[tuple[int, int]],
    first: int = 0,
    offset: int = 0,
) -> str:
    """The chosen fragments ``(first piece, last piece)`` rendered and joined with ellipses (the body's pieces
    start at piece ``first``; their offsets are ``offset`` past the body's)."""
    out: list[str] = []
    for n, (i, j) in enumerate(chosen):
        if n or not (i == first or kinds[i - 1] == SENTENCE):
            out.append(ELLIPSIS)
        s, e = starts[i] - offset, ends[j] - offset
        if kinds[j] != SENTENCE:
            while e > s + 1 and body[e - 1] in _CLAUSE_MARKS:
                e -= 1
        out.append(_render(body, s, e, spans))
    if chosen and kinds[chosen[-1][1]] != SENTENCE:
        out.append(ELLIPSIS)
    return "".join(out)


def _join_page(
    page: PageText, pieces: Pieces, chosen: list[list[tuple[int, int]]], spans: list[list[tuple[int, int]]]
) -> list[str]:
    """Each body's chosen fragments rendered (:func:`_join` on the page's pieces)."""
    starts, ends, kinds = pieces.starts.tolist(), pieces.ends.tolist(), pieces.kinds.tolist()
    first, offsets = pieces.first.tolist(), page.offsets.tolist()
    return [
        _join(text, starts, ends, kinds, chosen[b], spans[b], first[b], offsets[b])
        if first[b] < first[b + 1]
        else ""
        for b, text in enumerate(page.texts)
    ]


def _space(body: str, m: re.Match[str]) -> str:
    """What a whitespace run of ``body`` shows as: nothing after Chinese punctuation, nor at a line break after
    a Chinese character; one space otherwise."""
    before = body[m.start() - 1] if m.start() else ""
    if not before or _NO_SPACE_AFTER_RE.match(before):
        return ""
    if "\n" in m.group() and _CJK_CHAR_RE.match(before):
        return ""
    return " "


def _text(body: str, s: int, e: int) -> str:
    out: list[str] = []
    pos = s
    for m in _WS_RE.finditer(body, s, e):
        out.append(body[pos : m.start()])
        out.append(_space(body, m))
        pos = m.end()
    out.append(body[pos:e])
    return escape("".join(out), quote=True)


def _render(body: str, s: int, e: int, spans: Sequence[tuple[int, int]]) -> str:
    """``body[s:e]`` escaped, with the spans inside it (clipped) marked."""
    text = _text if _SHOWN_OTHERWISE_RE.search(body, s, e) else _as_is
    out: list[str] = []
    pos = s
    for ms, me in spans:
        if me <= s or ms >= e:
            continue
        ms, me = max(ms, s), min(me, e)
        if ms > pos:
            out.append(text(body, pos, ms))
        out.append(MARK_OPEN + text(body, ms, me) + MARK_CLOSE)
        pos = me
    if pos < e:
        out.append(text(body, pos, e))
    return "".join(out)


def _as_is(body: str, s: int, e: int) -> str:
    """``body[s:e]`` where it has no whitespace and nothing to escape (:func:`_text` would give the same)."""
    return body[s:e]
