"""New words for the dictionary, found in the indexed text: strings that occur often, hold together and that the
segmenter cuts into pieces today (缅北 -> 缅/北, 四大家族 -> 四大/家族).

The classic recipe for Chinese word discovery, computed in bulk with numpy over the folded Chinese runs of every
article (characters as small integers, an n-gram as one 64-bit key):

* **count**: occurrences of the string (:data:`MIN_COUNT` or more);
* **cohesion**: pointwise mutual information at its weakest split, ``log p(s) / (p(a) p(b))``, so that a string
  whose halves are common words anyway (的中国) does not qualify;
* **freedom**: the entropy of the characters on its left and on its right (a boundary counts as a new neighbour
  each time), so that a piece of a longer word (大家族 inside 四大家族) does not qualify;
* **cut today**: the segmenter (jieba with the user dictionary, as the index uses it) splits it into pieces,
  none of them a stop word and neither end a particle or measure word standing alone (也/是, 在/北京, 个/月 are
  phrases, not words).

Each candidate comes with its count, how it is cut now and its first sentence in the corpus.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from indexer.analysis import HAN_CLASS, STOPWORDS
from indexer.normalize import fold
from indexer.store import NoIndexError, current_generation, open_generation

#: Candidates occur at least this often (a setting of ``zhsearch dict suggest``).
MIN_COUNT = 5
#: Strings of two to this many characters are considered.
MAX_CHARS = 4
#: Least PMI at the weakest split (natural log).
MIN_COHESION = 3.0
#: Least entropy of the left and of the right neighbours (nats).
MIN_FREEDOM = 2.0
#: A shorter candidate inside a longer one that has nearly all its occurrences (this share) is dropped.
NESTED_SHARE = 0.8

#: A candidate does not begin or end with one of these cut off as a word of its own (besides the stop words).
EDGE_PARTICLES = frozenset(
    "的了是在和与及等将也都就而被把对从向于以为之其这那个各每该本此又还再已很最更上下中里次届位名年月日号同跟"
)

_RUN_RE = re.compile(f"[{HAN_CLASS}]+")
_SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+")
_BITS = 16  # 4 characters of 16 bits in one uint64 key


@dataclass(frozen=True)
class Candidate:
    """A string worth adding to the dictionary: ``count`` occurrences, cut as ``cut`` today."""

    word: str
    count: int
    cut: list[str]
    cohesion: float
    left: float
    right: float
    example: str

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("cohesion", "left", "right"):
            out[name] = round(out[name], 2)
        return out


def _entropy(groups: np.ndarray, neighbours: np.ndarray, n_groups: int) -> np.ndarray:
    """Entropy of the ``neighbours`` of each group (group ids ``groups``); neighbour -1 is a boundary, each one
    a distinct neighbour."""
    total = np.bincount(groups, minlength=n_groups).astype(np.float64)
    out = np.zeros(n_groups)
    inner = neighbours >= 0
    pairs = groups[inner].astype(np.int64) << 20 | neighbours[inner].astype(np.int64)
    keys, counts = np.unique(pairs, return_counts=True)
    g = (keys >> 20).astype(np.int64)
    p = counts / total[g]
    np.add.at(out, g, -p * np.log(p))
    edges = np.bincount(groups[~inner], minlength=n_groups).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out += np.where(edges > 0, edges / total * np.log(np.maximum(total, 1)), 0.0)
    return out


def find_candidates(
    texts: Iterable[str],
    cut: Callable[[str], list[str]],
    *,
    min_count: int = MIN_COUNT,
    limit: int = 50,
    known: Callable[[str], bool] = lambda word: False,
) -> list[Candidate]:
    """The best ``limit`` new-word candidates of ``texts`` (most frequent first); ``cut(word)`` is how the
    segmenter cuts a string today, ``known(word)``: the word is in its dictionary already."""
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
    joined = "\x00".join(runs) + "\x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4")
    alphabet, ids = np.unique(codes, return_inverse=True)  # id 0 is the separator (the smallest code)
    if len(alphabet) >= 1 << _BITS:
        raise ValueError("too many distinct characters for the n-gram keys")
    ids = ids.astype(np.int64)
    n_chars = int(np.count_nonzero(ids))
    seps = np.flatnonzero(ids == 0)
    # keys[n][i]: the n characters from position i (0 where a separator falls inside)
    keys: dict[int, np.ndarray] = {}
    valid: dict[int, np.ndarray] = {}
    for n in range(1, MAX_CHARS + 1):
        size = len(ids) - n + 1
        key = np.zeros(size, dtype=np.int64)
        ok = np.ones(size, dtype=bool)
        for k in range(n):
            part = ids[k : k + size]
            key = (key << _BITS) | part
            ok &= part != 0
        keys[n], valid[n] = key, ok
    counted: dict[int, tuple[np.ndarray, np.ndarray]] = {
        n: np.unique(keys[n][valid[n]], return_counts=True) for n in keys
    }

    def count_of(n: int, key: np.ndarray) -> np.ndarray:
        uniq, counts = counted[n]
        at = np.clip(np.searchsorted(uniq, key), 0, len(uniq) - 1)
        return np.where(uniq[at] == key, counts[at], 0)

    found: list[
        tuple[int, int, int, float, float, float, int]
    ] = []  # (n, key, count, cohesion, left, right, first)
    for n in range(2, MAX_CHARS + 1):
        uniq, counts = counted[n]
        pick = counts >= min_count
        cand, cnt = uniq[pick], counts[pick].astype(np.float64)
        if not len(cand):
            continue
        cohesion = np.full(len(cand), np.inf)
        for split in range(1, n):
            head = cand >> (_BITS * (n - split))
            tail = cand & ((1 << (_BITS * (n - split))) - 1)
            pmi = np.log(cnt * n_chars / (count_of(split, head) * count_of(n - split, tail)))
            cohesion = np.minimum(cohesion, pmi)
        good = cohesion >= MIN_COHESION
        cand, cnt, cohesion = cand[good], cnt[good], cohesion[good]
        if not len(cand):
            continue
        pos = np.flatnonzero(valid[n])
        at = np.searchsorted(cand, keys[n][pos])
        at = np.clip(at, 0, len(cand) - 1)
        hit = cand[at] == keys[n][pos]
        pos, group = pos[hit], at[hit]
        left = np.where(pos > 0, ids[np.maximum(pos - 1, 0)], 0)
        right_at = pos + n
        right = np.where(right_at < len(ids), ids[np.minimum(right_at, len(ids) - 1)], 0)
        left_h = _entropy(group, np.where(left == 0, -1, left), len(cand))
        right_h = _entropy(group, np.where(right == 0, -1, right), len(cand))
        first = np.full(len(cand), len(ids), dtype=np.int64)
        np.minimum.at(first, group, pos)
        free = (left_h >= MIN_FREEDOM) & (right_h >= MIN_FREEDOM)
        for j in np.flatnonzero(free):
            found.append(
                (
                    n,
                    int(cand[j]),
                    int(cnt[j]),
                    float(cohesion[j]),
                    float(left_h[j]),
                    float(right_h[j]),
                    int(first[j]),
                )
            )

    def text_of(n: int, key: int) -> str:
        chars = [(key >> (_BITS * (n - 1 - k))) & ((1 << _BITS) - 1) for k in range(n)]
        return "".join(chr(int(alphabet[c])) for c in chars)

    words = {text_of(n, key): rest for n, key, *rest in found}
    inside: dict[str, int] = {}  # substring of a candidate -> the most occurrences of a candidate holding it
    for word, (count, *_) in words.items():
        for size in range(2, len(word)):
            for i in range(len(word) - size + 1):
                piece = word[i : i + size]
                inside[piece] = max(inside.get(piece, 0), count)
    out: list[Candidate] = []
    for word in sorted(words, key=lambda w: (-words[w][0], w)):
        count, coh, lh, rh, first = words[word]
        if inside.get(word, 0) >= NESTED_SHARE * count:
            continue  # a piece of a longer candidate
        pieces = cut(word)
        if len(pieces) < 2 or known(word) or not _well_cut(pieces):
            continue
        out.append(Candidate(word, count, pieces, coh, lh, rh, _sentence(first, seps, origin, folded)))
        if len(out) >= limit:
            break
    return out


def _well_cut(pieces: list[str]) -> bool:
    """No piece a stop word, no end a particle on its own."""
    if any(p in STOPWORDS for p in pieces):
        return False
    return pieces[0] not in EDGE_PARTICLES and pieces[-1] not in EDGE_PARTICLES


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


def index_candidates(
    index_dir: Path, *, min_count: int = MIN_COUNT, limit: int = 50, max_articles: int = DEFAULT_ARTICLES
) -> list[Candidate]:
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
    return find_candidates(texts, cut, min_count=min_count, limit=limit, known=analyzer.segmenter.has_word)
