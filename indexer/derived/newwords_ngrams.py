"""The counting half of new-word discovery (:mod:`indexer.derived.newwords`): every string of two to
:data:`MAX_CHARS` characters of the corpus that occurs often, holds together and has varied neighbours, computed
in bulk with numpy.

The Chinese runs of the corpus are joined into one array of small integers (a character each, 0 between runs).
Strings are counted one length at a time, each as a dense id: the id of its first ``n - 1`` characters combined
with its last character, so a string of any length is one 64-bit key. Only positions where both shorter strings
inside are frequent are looked at (a string cannot occur more often than its parts), so the long lengths cost
little. Every position keeps the count of the string of each length that starts there, which is what the
cohesion of a candidate at any split needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Strings of two to this many characters are considered (栖霞岭隧道 is five).
MAX_CHARS = 6
#: Least PMI at the weakest split (natural log).
MIN_COHESION = 3.0
#: Least entropy of the left and of the right neighbours (nats).
MIN_FREEDOM = 2.0
#: Least share of the occurrences inside running text (a character on at least one side): a string that always
#: stands alone between punctuation is a clause or a heading (各地加强合作。), not a word.
MIN_IN_TEXT = 0.2


@dataclass(frozen=True)
class Grams:
    """Frequent strings of a corpus, as arrays over the joined runs ``ids`` (0 between runs).

    The candidates are strings ``ids[first[j] : first[j] + size[j]]`` occurring ``count[j]`` times;
    ``counts[n][p]`` is the number of occurrences of the ``n`` characters from ``p`` when that string is frequent
    (0 otherwise), ``counts[1]`` exact for every character."""

    ids: np.ndarray
    alphabet: np.ndarray
    counts: list[np.ndarray]
    size: np.ndarray
    first: np.ndarray
    count: np.ndarray
    cohesion: np.ndarray
    left: np.ndarray
    right: np.ndarray

    def text(self, start: int, size: int) -> str:
        """The string of ``size`` characters from position ``start``."""
        return "".join(chr(int(c)) for c in self.alphabet[self.ids[start : start + size]])

    def count_at(self, start: int, size: int) -> int:
        """Occurrences of the string of ``size`` characters from ``start`` (0 when it is not frequent)."""
        return int(self.counts[size][start]) if 0 < size < len(self.counts) else 0


def entropy(groups: np.ndarray, neighbours: np.ndarray, n_groups: int) -> np.ndarray:
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


def _char_ids(runs: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The runs joined as character ids (0 between runs and at the end) and the alphabet they index."""
    codes = np.frombuffer(("\x00".join(runs) + "\x00").encode("utf-32-le"), dtype="<u4")
    present = np.zeros(0x110000, dtype=bool)
    present[codes] = True
    alphabet = np.flatnonzero(present)  # id 0 is the separator (the smallest code)
    return (np.cumsum(present, dtype=np.int32) - 1)[codes], alphabet


def count_grams(runs: list[str], *, min_count: int, max_chars: int = MAX_CHARS) -> Grams:
    """The frequent strings of ``runs`` (two to ``max_chars`` characters, ``min_count`` occurrences or more)
    that hold together and have varied neighbours, with their statistics."""
    ids, alphabet = _char_ids(runs)
    levels = _Levels(ids, len(alphabet), min_count)
    parts = []
    for _ in range(2, max_chars + 1):
        found = levels.add()
        if found is None:
            break
        parts.append(found)
    return _grams(ids, alphabet, levels.counts, parts)


class _Levels:
    """The strings of the joined runs ``ids`` counted one length after another (:func:`count_grams`)."""

    def __init__(self, ids: np.ndarray, n_alphabet: int, min_count: int) -> None:
        self.ids, self.n_alphabet, self.min_count = ids, n_alphabet, min_count
        self.n_chars = max(int(np.count_nonzero(ids)), 1)
        ones = np.bincount(ids, minlength=n_alphabet).astype(np.int32)
        ones[0] = 0
        self.counts: list[np.ndarray] = [np.zeros(0, dtype=np.int32), ones[ids]]
        self.dense = ids  # the id of the string of the current length at each position (0: none)

    def add(self) -> tuple[np.ndarray, ...] | None:
        """Count the strings one character longer than the last length; the statistics of the frequent ones
        that pass (:meth:`describe`), None when none is frequent."""
        ids, n, length = self.ids, len(self.counts), len(self.ids)
        prev = self.counts[-1]
        pos = np.flatnonzero((prev[: length - 1] >= self.min_count) & (prev[1:] >= self.min_count))
        key = self.dense[pos].astype(np.int64) * self.n_alphabet + ids[pos + n - 1]
        _, group, cnt = np.unique(key, return_inverse=True, return_counts=True)
        self.dense = np.zeros(length, dtype=np.int32)
        self.dense[pos] = group + 1
        here = np.zeros(length, dtype=np.int32)
        here[pos] = cnt[group]
        self.counts.append(here)
        frequent = cnt >= self.min_count
        if not frequent.any():
            return None
        occurs = frequent[group]
        where, group = pos[occurs], (np.cumsum(frequent) - 1)[group[occurs]]
        first = np.full(int(frequent.sum()), length, dtype=np.int64)
        np.minimum.at(first, group, where)
        return self.describe(n, first, cnt[frequent], where, group)

    def describe(
        self, n: int, first: np.ndarray, count: np.ndarray, where: np.ndarray, group: np.ndarray
    ) -> tuple[np.ndarray, ...]:
        """Size, first occurrence, count, cohesion and neighbour entropies of the frequent strings of ``n``
        characters (first occurrence ``first``, ``count`` occurrences; occurrence ``where[i]`` is one of
        string ``group[i]``), those that pass."""
        ids, counts = self.ids, self.counts
        cnt = count.astype(np.float64)
        cohesion = np.full(len(first), np.inf)
        for split in range(1, n):
            head = counts[split][first].astype(np.float64)
            tail = counts[n - split][first + split].astype(np.float64)
            cohesion = np.minimum(cohesion, np.log(cnt * self.n_chars / (head * tail)))
        left = np.where(where > 0, ids[np.maximum(where - 1, 0)], 0)
        right = ids[where + n]  # the joined runs end with a separator
        left_h = entropy(group, np.where(left == 0, -1, left), len(first))
        right_h = entropy(group, np.where(right == 0, -1, right), len(first))
        in_text = np.bincount(group, weights=(left != 0) | (right != 0), minlength=len(first)) / cnt
        keep = (cohesion >= MIN_COHESION) & (left_h >= MIN_FREEDOM) & (right_h >= MIN_FREEDOM)
        keep &= in_text >= MIN_IN_TEXT
        size = np.full(int(keep.sum()), n, dtype=np.int64)
        return size, first[keep], count[keep], cohesion[keep], left_h[keep], right_h[keep]


def _grams(ids: np.ndarray, alphabet: np.ndarray, counts: list[np.ndarray], parts: list) -> Grams:
    if parts:
        size, first, count, cohesion, left, right = (np.concatenate(col) for col in zip(*parts, strict=True))
    else:
        size = first = count = np.zeros(0, dtype=np.int64)
        cohesion = left = right = np.zeros(0)
    return Grams(ids, alphabet, counts, size, first, count, cohesion, left, right)
