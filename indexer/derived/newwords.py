"""New words for the dictionary, found in the indexed text: strings that occur often, hold together and that the
segmenter cuts into pieces today (缅北 -> 缅/北, 岚湾港区 -> 岚湾/港区, or 从岚湾/港区 after a preposition).

The classic recipe for Chinese word discovery, computed in bulk with numpy over the folded Chinese runs of every
article (:mod:`indexer.derived.newwords_ngrams`), strings of two to six characters:

* **count**: occurrences of the string (:data:`MIN_COUNT` or more);
* **cohesion**: pointwise mutual information at its weakest split, ``log p(s) / (p(a) p(b))``, so that a string
  whose halves are common words anyway (的中国) does not qualify;
* **freedom**: the entropy of the characters on its left and on its right (a boundary counts as a new neighbour
  each time), so that a piece of a longer word (大家族 inside 四大家族) does not qualify;
* **cut today**: the segmenter (jieba with the user dictionary, as the index uses it) splits it into pieces,
  none of them a stop word and neither end a particle or measure word standing alone (也/是, 在/北京, 个/月 are
  phrases, not words).

They are ranked (:mod:`indexer.derived.newwords_rank`) so that names come first and phrases of ordinary words
that combine freely (各项+工作, 经济+发展) are left out: a name has a piece that hardly occurs without it and rare
characters.
Each candidate comes with its count, how today's cut breaks it in the text (with what it glues from its
neighbours: 从岚湾/港区) and the sentence where it is cut so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from indexer.analysis import HAN_CLASS
from indexer.derived.newwords_ngrams import MAX_CHARS, count_grams
from indexer.derived.newwords_rank import rank, shown_cut
from indexer.normalize import fold
from indexer.store import NoIndexError, current_generation, open_generation

__all__ = ["MAX_CHARS", "MIN_COUNT", "Candidate", "Found", "find_candidates", "index_candidates"]

#: Candidates occur at least this often (a setting of ``zhsearch dict suggest``).
MIN_COUNT = 5

_RUN_RE = re.compile(f"[{HAN_CLASS}]+")
_SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+")


@dataclass(frozen=True)
class Candidate:
    """A string worth adding to the dictionary: ``count`` occurrences, broken as ``cut`` in ``example``."""

    word: str
    count: int
    cut: list[str]
    cohesion: float
    left: float
    right: float
    example: str
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("cohesion", "left", "right", "score"):
            out[name] = round(out[name], 2)
        return out


def find_candidates(
    texts: Iterable[str],
    cut: Callable[[str], list[str]],
    *,
    min_count: int = MIN_COUNT,
    limit: int = 50,
    known: Callable[[str], bool] = lambda word: False,
    freq: Callable[[str], int] = lambda word: 0,
) -> list[Candidate]:
    """The best ``limit`` new-word candidates of ``texts``, best first; ``cut(text)`` is how the segmenter
    cuts a text today, ``known(word)``: the word is in its dictionary already, ``freq(word)``: its frequency
    there (0 for a word it does not hold; without it, every word counts as rare)."""
    runs: list[str] = []
    folded: list[str] = []
    origin: list[tuple[int, int]] = []  # (text number, offset) of each run
    for text in texts:
        f = fold(text)
        for m in _RUN_RE.finditer(f):
            runs.append(m.group())
            origin.append((len(folded), m.start()))
        folded.append(f)
    if not runs:
        return []
    grams = count_grams(runs, min_count=min_count)
    joined = "\x00".join(runs) + "\x00"  # position for position the characters of ``grams.ids``
    seps = np.flatnonzero(grams.ids == 0)
    out: list[Candidate] = []
    for r in rank(grams, cut, known, freq)[:limit]:
        pieces, at = shown_cut(joined, r.word, r.cut, cut)
        example = _sentence(at, seps, origin, folded) if at >= 0 else ""
        out.append(Candidate(r.word, r.count, pieces, r.cohesion, r.left, r.right, example, r.score))
    return out


#: Characters of context kept on each side of the word in an example.
EXAMPLE_CONTEXT = 30


def _sentence(first: int, seps: np.ndarray, origin: list[tuple[int, int]], folded: list[str]) -> str:
    """The sentence of the (folded) text where position ``first`` of the joined runs stands."""
    i = int(np.searchsorted(seps, first))
    start = int(seps[i - 1]) + 1 if i > 0 else 0
    doc, offset = origin[i]
    at = offset + first - start
    for m in _SENTENCE_RE.finditer(folded[doc]):
        if m.start() <= at < m.end():
            lo, hi = max(m.start(), at - EXAMPLE_CONTEXT), min(m.end(), at + EXAMPLE_CONTEXT)
            return (
                ("…" if lo > m.start() else "") + folded[doc][lo:hi].strip() + ("…" if hi < m.end() else "")
            )
    return ""


#: Articles read by default (the first ones of the index): enough for the words a corpus keeps using.
DEFAULT_ARTICLES = 50000


class Found(NamedTuple):
    """The candidates of an index and the number of articles read to find them."""

    candidates: list[Candidate]
    articles: int


def index_candidates(
    index_dir: Path, *, min_count: int = MIN_COUNT, limit: int = 50, max_articles: int = DEFAULT_ARTICLES
) -> Found:
    """The new-word candidates of the live index in ``index_dir`` (its first ``max_articles`` articles), cut
    as its own analyzer (with the dictionary it was built with) cuts them. Raises :class:`NoIndexError`."""
    gen = current_generation(index_dir)
    if gen is None:
        raise NoIndexError(f"no index at {index_dir} (build one with: zhsearch reindex)")
    ix = open_generation(gen)
    analyzer = ix.schema["title"].analyzer

    def cut(word: str) -> list[str]:
        return [w.text for w in analyzer.words(word, removestops=False) if w.base]

    with ix.reader() as reader:
        texts = [
            f"{fields.get('title') or ''}\n{fields.get('body') or ''}"
            for fields in islice(reader.all_stored_fields(), max_articles)
        ]
    segmenter = analyzer.segmenter

    def freq(word: str) -> int:
        return segmenter.suggest_freq(word) - 1 if segmenter.has_word(word) else 0

    found = find_candidates(texts, cut, min_count=min_count, limit=limit, known=segmenter.has_word, freq=freq)
    return Found(found, len(texts))
