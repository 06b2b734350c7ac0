"""What a reader meant: a word typed in pinyin, or a homophone picked from the input method's candidates.

The tables come from the index (:mod:`indexer.derived.spelling`, written by ``reindex``): its frequent Chinese words with
their toneless pinyin and the readings of its characters. :meth:`Speller.suggest` looks at each free-text word of
a query (phrases, exclusions and field values are left as typed) and proposes another query:

* **pinyin** (``reason="pinyin"``): a word of Latin letters that spells frequent indexed words -- in full
  (``zhapian`` 诈骗, ``dianxinwangluo`` 电信网络), in initials of three or more characters (``gab`` 公安部), or
  mixed with characters (``公an部``) -- and is itself at most a rare word of the index (``iPhone``, ``APP``
  and names the index holds are left alone). Of several readings the index's most frequent words win.
* **sound** (``reason="sound"``): two to four characters of a Chinese word that are not a word of the index and
  rarely stand together in its text, where one character swapped for one that sounds the same (toneless pinyin,
  with the fuzzy pairs z/zh, c/ch, s/sh, n/l, an/ang, en/eng, in/ing) gives a frequent word: 炸骗 → 诈骗,
  电信网落诈骗 → 电信网络诈骗. Text the index holds is never changed.

:class:`search.Searcher` decides what the reader sees (the suggestion's results, or a "did you mean").
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.analysis import HAN_CLASS
from indexer.derived.spelling import SpellingData, read_spelling
from indexer.normalize import fold
from search import query as ast

PINYIN, SOUND = "pinyin", "sound"
#: A Latin word is read as pinyin when the words it spells are in this many times more articles than it is.
PINYIN_RATIO = 10
#: Initials stand for words of at least this many characters (``gab`` 公安部; two letters are too ambiguous).
MIN_INITIALS = 3
#: A sound-alike word must be in this many times more articles than the typed characters are, as a word and
#: as consecutive text.
SOUND_RATIO = 50
#: ... and in at least this many articles.
SOUND_MIN_DF = 3
#: Spans of this many characters are tried against sound-alike words.
SOUND_SPANS = (4, 3, 2)
#: Longest Latin word read as pinyin (letters), and most readings of a mixed word tried.
MAX_LATIN = 48
MAX_MIXED_READINGS = 64

_LATIN_RE = re.compile(r"^[a-z']+$")
_MIXED_RE = re.compile(f"^(?:[{HAN_CLASS}]|[a-z]+)+$")
_MIXED_PART_RE = re.compile(f"[{HAN_CLASS}]|[a-z]+")
_HAN_RUN_RE = re.compile(f"[{HAN_CLASS}]{{2,}}")
_HAN_RE = re.compile(f"[{HAN_CLASS}]")
_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"))
_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))
_HOLE = "\x00"


def fuzzy(syllable: str) -> str:
    """The sound class of a toneless syllable: zh/z, ch/c, sh/s, n/l, an/ang, en/eng, in/ing fall together."""
    for long, short in _INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    for long, short in _FINALS:
        if syllable.endswith(long):
            return syllable[: -len(long)] + short
    return syllable


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Another query for what the reader typed, and why (``pinyin`` or ``sound``)."""

    query: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "reason": self.reason}


#: ``frequency(text)``: articles holding ``text`` as a word (title or body).
Frequency = Callable[[str], int]
#: ``text_frequency(text, enough)``: articles holding ``text`` as consecutive characters, or, when they are
#: ``enough`` or more, some count of at least ``enough`` (what the speller compares with a threshold).
TextFrequency = Callable[[str, int], int]
#: ``segment(text)``: the ``(start, end)`` of each word of ``text`` as the index's segmenter cuts it (the words
#: inside longer words too).
Segment = Callable[[str], list[tuple[int, int]]]
#: ``known(word)``: the segmenter's dictionary holds the word.
Known = Callable[[str], bool]
#: A word of the query in at least this many articles is settled: its characters are not respelled alone.
SETTLED_DF = 2


@dataclass(frozen=True)
class IndexStats:
    """What the speller asks of the index a query runs on (see the type aliases above)."""

    frequency: Frequency
    text_frequency: TextFrequency
    segment: Segment
    known: Known = lambda word: False


class Speller:
    """Lookups over one index's spelling tables; immutable once built, shared by all threads."""

    def __init__(self, data: SpellingData) -> None:
        self.words = data.words
        self.df = data.df
        self.readings = data.readings
        self.chars = data.chars
        self.frequency = dict(zip(data.words, data.df, strict=True))
        self.full: dict[str, int] = {}
        self.initials: dict[str, int] = {}
        self.holes: dict[str, list[int]] = {}
        for i, (word, reading) in enumerate(zip(data.words, data.readings, strict=True)):
            # words come most frequent first: the first word of a spelling is its best reading
            self.full.setdefault("".join(reading), i)
            if len(word) >= MIN_INITIALS:
                self.initials.setdefault("".join(s[0] for s in reading), i)
            if len(word) <= max(SOUND_SPANS) and data.df[i] >= SOUND_MIN_DF:
                for k in range(len(word)):
                    self.holes.setdefault(word[:k] + _HOLE + word[k + 1 :], []).append(i)
        self.syllables = {s for readings in data.chars.values() for s in readings}
        self.longest = max((len(k) for k in self.full), default=0)
        self._by_char: dict[str, list[int]] | None = None

    # -- pinyin ----------------------------------------------------------------------------------------------

    def spell_latin(self, text: str) -> list[int] | None:
        """The words (indexes into :attr:`words`) that ``text`` spells, fewest words first, then full spellings
        before initials, then the most frequent; None if it spells none."""
        text = text.replace("'", "")
        n = len(text)
        if not 2 <= n <= MAX_LATIN:
            return None
        best: list[tuple[float, list[int]] | None] = [None] * (n + 1)
        best[0] = (0.0, [])
        for i in range(n):
            here = best[i]
            if here is None:
                continue
            for j in range(i + 2, min(n, i + self.longest) + 1):
                piece = text[i:j]
                for table, penalty in ((self.full, 0.0), (self.initials, 50.0)):
                    w = table.get(piece)
                    if w is None:
                        continue
                    cost = here[0] + 100.0 + penalty - math.log(self.df[w])
                    if best[j] is None or cost < best[j][0]:  # type: ignore[index]
                        best[j] = (cost, here[1] + [w])
        found = best[n]
        return found[1] if found else None

    def _mixed_patterns(self, text: str) -> Iterator[list[tuple[str, str]]]:
        """Readings of a word mixing characters and letters: each character stands for itself, each letter run
        for syllables or initials (``("char", c)``, ``("full", syllable)``, ``("initial", letter)``)."""
        parts: list[list[list[tuple[str, str]]]] = []
        for part in _MIXED_PART_RE.findall(text):
            parts.append([[("char", part)]] if _HAN_RE.match(part) else list(self._latin_readings(part)))
        out: list[list[tuple[str, str]]] = [[]]
        for options in parts:
            out = [a + b for a in out for b in options][:MAX_MIXED_READINGS]
        return iter(out)

    def _latin_readings(self, run: str) -> Iterator[list[tuple[str, str]]]:
        if not run:
            yield []
            return
        for j in range(min(len(run), 6), 0, -1):
            head = run[:j]
            kinds = [("full", head)] if head in self.syllables else []
            if j == 1:
                kinds.append(("initial", head))
            for kind in kinds:
                for rest in self._latin_readings(run[j:]):
                    yield [kind, *rest]

    def spell_mixed(self, text: str) -> int | None:
        """The most frequent word that ``text`` (characters and letters, ``公an部``) spells, or None."""
        if self._by_char is None:
            by_char: dict[str, list[int]] = {}
            for i, word in enumerate(self.words):
                for c in set(word):
                    by_char.setdefault(c, []).append(i)
            self._by_char = by_char
        best: int | None = None
        for pattern in self._mixed_patterns(text):
            chars = [(k, v) for k, (kind, v) in enumerate(pattern) if kind == "char"]
            if not chars:
                continue
            for w in self._by_char.get(chars[0][1], ()):
                word, reading = self.words[w], self.readings[w]
                if len(word) != len(pattern) or (best is not None and self.df[w] <= self.df[best]):
                    continue
                if all(
                    word[k] == v
                    if kind == "char"
                    else (reading[k] == v if kind == "full" else reading[k].startswith(v))
                    for k, (kind, v) in enumerate(pattern)
                ):
                    best = w
        return best

    # -- sound -----------------------------------------------------------------------------------------------

    def _sounds_like(self, typed: str, meant: str) -> bool:
        keys = {fuzzy(r) for r in self.chars.get(typed, ())}
        return any(fuzzy(r) in keys for r in self.chars.get(meant, ()))

    def sound_alike(self, span: str, loose: Sequence[bool] | None = None) -> int | None:
        """The most frequent word that differs from ``span`` in one character that sounds the same (one of the
        ``loose`` ones: default any), or None."""
        best: int | None = None
        for k in range(len(span)):
            if loose is not None and not loose[k]:
                continue
            for w in self.holes.get(span[:k] + _HOLE + span[k + 1 :], ()):
                if best is not None and self.df[w] <= self.df[best]:
                    break  # most frequent first
                meant = self.words[w][k]
                if meant != span[k] and fuzzy(self.readings[w][k]) in {
                    fuzzy(r) for r in self.chars.get(span[k], ())
                }:
                    best = w
                    break
        return best

    def correct_run(self, run: str, stats: IndexStats) -> str | None:
        """``run`` (folded Chinese characters) with its sound-alike slips corrected, or None if it has none.

        Only characters that the segmenter leaves alone or puts in words neither its dictionary nor the index
        holds are respelled (公司合作 keeps 司合, whatever 适合 sounds like; 在哪里 keeps 哪里); the span respelled
        must not be a word of the index nor stand together in its text much, against the word it becomes."""
        if len(run) < 2 or run in self.frequency:
            return None
        loose = self._loose(run, stats)
        if not any(loose):
            return None
        out = list(run)
        taken = [False] * len(run)
        changed = False
        for size in SOUND_SPANS:
            for i in range(len(run) - size + 1):
                if any(taken[i : i + size]) or not any(loose[i : i + size]):
                    continue
                span = run[i : i + size]
                if span in self.frequency:
                    continue
                w = self.sound_alike(span, loose[i : i + size])
                if w is None:
                    continue
                need = self.df[w]
                if (
                    stats.frequency(span) * SOUND_RATIO >= need
                    or stats.text_frequency(span, -(-need // SOUND_RATIO)) * SOUND_RATIO >= need
                ):
                    continue
                out[i : i + size] = list(self.words[w])
                taken[i : i + size] = [True] * size
                changed = True
        if not changed:
            return None
        fixed = "".join(out)
        # the respelled text must segment better: fewer loose characters (烈度图发布 -> 烈度突发布 leaves 布 alone)
        return fixed if sum(self._loose(fixed, stats)) < sum(loose) else None

    def _loose(self, run: str, stats: IndexStats) -> list[bool]:
        """For each character of ``run``: True unless a word of two or more characters that the segmenter
        cuts there is in its dictionary or in the index."""
        loose = [True] * len(run)
        for start, end in stats.segment(run):
            word = run[start:end]
            if end - start >= 2 and (
                word in self.frequency or stats.known(word) or stats.frequency(word) >= SETTLED_DF
            ):
                loose[start:end] = [False] * (end - start)
        return loose

    # -- queries ---------------------------------------------------------------------------------------------

    def respell(self, text: str, stats: IndexStats) -> tuple[str, str] | None:
        """``(new text, reason)`` for one free-text word of a query, or None to leave it as typed."""
        frequency = stats.frequency
        folded = fold(text)
        if _LATIN_RE.match(folded):
            spelled = self.spell_latin(folded)
            if spelled is None:
                return None
            least = min(self.df[w] for w in spelled)
            if frequency(folded.replace("'", "")) * PINYIN_RATIO >= least:
                return None
            return "".join(self.words[w] for w in spelled), PINYIN
        if _MIXED_RE.match(folded) and _HAN_RE.search(folded) and re.search("[a-z]", folded):
            w = self.spell_mixed(folded)
            if w is not None and frequency(folded) * PINYIN_RATIO < self.df[w]:
                return self.words[w], PINYIN
            return None
        if len(folded) != len(text):  # folding changed the length: positions would not line up
            return None
        out = list(text)
        changed = False
        for m in _HAN_RUN_RE.finditer(folded):
            fixed = self.correct_run(m.group(), stats)
            if fixed is not None:
                out[m.start() : m.end()] = list(fixed)
                changed = True
        return ("".join(out), SOUND) if changed else None

    def suggest(self, q: str, tree: ast.Node | None, stats: IndexStats) -> Suggestion | None:
        """Another query for ``q`` (parsed: ``tree``), or None when every word stands as typed."""
        changes: list[tuple[str, str]] = []
        reasons: set[str] = set()
        for node in _free_words(tree):
            found = self.respell(node.text, stats)
            if found is not None:
                changes.append((node.text, found[0]))
                reasons.add(found[1])
        if not changes:
            return None
        rewritten = _rewrite(ast.normalize_query(q), changes)
        if rewritten is None:
            return None
        return Suggestion(rewritten, PINYIN if PINYIN in reasons else SOUND)


def _free_words(node: ast.Node | None) -> Iterator[ast.Text]:
    """The free-text words of a query tree that a reader wants found (not those under an exclusion)."""
    if isinstance(node, ast.Text):
        yield node
    elif isinstance(node, ast.And | ast.Or):
        for child in node.children:
            yield from _free_words(child)


def _rewrite(q: str, changes: list[tuple[str, str]]) -> str | None:
    """``q`` with each ``(old, new)`` word replaced where it stands as a whole word, in order; None if one of
    them cannot be found."""
    out: list[str] = []
    at = 0
    for old, new in changes:
        m = re.compile(rf"(?<![^\s(|:]){re.escape(old)}(?![^\s)|])").search(q, at)
        if m is None:
            return None
        out.append(q[at : m.start()])
        out.append(new)
        at = m.end()
    out.append(q[at:])
    return "".join(out)


_SHARED: dict[tuple[str, int], Speller | None] = {}
_SHARED_LOCK = threading.Lock()


def shared_speller(gen_dir: Path, commit: int) -> Speller | None:
    """The :class:`Speller` of the tables ``reindex`` wrote for commit ``commit`` in ``gen_dir`` (None: none
    written), read once per process. The last one read is kept: a server's master reads it before forking
    (:func:`search.live.preload_for_workers`) and its workers share those pages instead of each reading a
    copy; a worker reads a newer commit's itself."""
    key = (str(gen_dir), commit)
    with _SHARED_LOCK:
        if key not in _SHARED:
            data = read_spelling(gen_dir, commit)
            _SHARED.clear()
            _SHARED[key] = Speller(data) if data is not None else None
        return _SHARED[key]
