"""What the snippets mark: the highlight terms of a query, and the patterns that find a phrase's runs.

A :class:`HighlightTerm` is a folded word (found with ``str.find``) or a phrase run's pattern
(:func:`phrase_regex`, which allows the separators the index ignores between units).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from indexer.analysis import SINGLE_UNIT_CLASS, Unit
from indexer.normalize import fold


@dataclass(frozen=True)
class HighlightTerm:
    """Something to mark in a title or body: a folded word (found with ``str.find``) or a phrase pattern.

    ``group`` says which query word or phrase the term belongs to (the runs of a phrase split by punctuation
    share one), so that snippet selection can count distinct query words.
    """

    text: str
    group: int
    pattern: re.Pattern[str] | None = None


_SINGLE_RE = re.compile(f"[{SINGLE_UNIT_CLASS}]")


def is_single_unit_char(text: str) -> bool:
    """True for one CJK/kana/hangul character (a unit on its own in the phrase stream)."""
    return len(text) == 1 and _SINGLE_RE.match(text) is not None


#: What the index ignores between two units (whitespace, - _ . / ' and the middle dots). The dots beyond Latin-1 are
#: alternatives of their own, not members of the class: a class holding them costs its regex a 64k-character
#: table to compile, paid again by every query's phrase and proximity patterns.
_SEPARATORS = r"(?:[\s\-_./'\u00b7]|\u2027{1}|\u30fb{1})"


def phrase_regex(run: Sequence[Unit]) -> str:
    """A regex finding one run of a phrase in folded text (separators between units allowed as in the index)."""
    parts: list[str] = []
    for i, u in enumerate(run):
        if i:
            prev = run[i - 1].text
            both_words = not is_single_unit_char(prev) and not is_single_unit_char(u.text)
            parts.append(_SEPARATORS + ("+" if both_words else "*"))
        parts.append(re.escape(u.text))
    pattern = "".join(parts)
    if not is_single_unit_char(run[0].text):
        pattern = f"(?<![^\\W_{SINGLE_UNIT_CLASS}])" + pattern
    if not is_single_unit_char(run[-1].text):
        pattern += f"(?![^\\W_{SINGLE_UNIT_CLASS}])"
    return pattern


def phrase_pattern(run: Sequence[Unit]) -> re.Pattern[str]:
    """:func:`phrase_regex`, compiled."""
    return re.compile(phrase_regex(run))


def spanning_regex(text: str, runs: Sequence[Sequence[Unit]]) -> str:
    """A regex finding a whole phrase in folded text: each run's :func:`phrase_regex`, and between two runs
    the punctuation that stands between them in ``text`` (folded, so ： matches :), with any whitespace around
    it."""
    parts: list[str] = []
    for k, run in enumerate(runs):
        if k:
            gap = fold(text[runs[k - 1][-1].end : run[0].start])
            parts.append(r"\s*" + r"\s*".join(re.escape(c) for c in gap if not c.isspace()) + r"\s*")
        parts.append(phrase_regex(run))
    return "".join(parts)


def spanning_pattern(text: str, runs: Sequence[Sequence[Unit]]) -> re.Pattern[str]:
    """:func:`spanning_regex`, compiled."""
    return re.compile(spanning_regex(text, runs))
