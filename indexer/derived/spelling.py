"""The spelling tables of an index, built by ``reindex`` beside the suggestions: the index's frequent Chinese words
with their toneless pinyin, and the readings of every Chinese character the index holds.

The query side (:mod:`search.spelling`) reads them to search a word typed in pinyin (``zhapian``, ``gab``,
``公an部``) as the Chinese words it spells, and to offer 诈骗 for a homophone slip (炸骗). Spelling needs pypinyin and
its dictionaries (tens of MB), so it happens here, once per commit; a serving worker loads the tables
(:func:`read_spelling`) and never imports pypinyin.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from indexer.analysis import HAN_CLASS
from indexer.derived.datafile import UNREADABLE, read_data, write_data

SPELLING_FILE = "spelling.pickle"
_FORMAT = 1
#: The most frequent words of the index that get a spelling (their document frequency in title and body).
MAX_WORDS = 60000
#: Words in fewer articles are left out (too rare to be what a reader meant).
MIN_DF = 2
#: Words of two to this many Chinese characters are spelled.
MAX_WORD_CHARS = 8

_WORD_RE = re.compile(f"^[{HAN_CLASS}]{{2,{MAX_WORD_CHARS}}}$")
_CHAR_RE = re.compile(f"[{HAN_CLASS}]")
_SYLLABLE_RE = re.compile(r"^[a-z]{1,6}$")


@dataclass(frozen=True)
class SpellingData:
    """``words[i]`` is in ``df[i]`` articles and reads ``readings[i]`` (one toneless syllable per character, as
    pypinyin reads the word in context); ``chars`` maps each Chinese character of the index to all its readings."""

    words: list[str]
    df: list[int]
    readings: list[tuple[str, ...]]
    chars: dict[str, tuple[str, ...]]

    def keys(self) -> dict[str, tuple[str, str]]:
        """Each word's full spelling and initials (``公安部``: ``gonganbu``, ``gab``), as the suggestions key them."""
        return {
            w: ("".join(r), "".join(s[0] for s in r)) for w, r in zip(self.words, self.readings, strict=True)
        }


def _word_reading(word: str) -> tuple[str, ...] | None:
    from pypinyin import lazy_pinyin  # imported only to build (see the module docs)

    syllables = tuple(lazy_pinyin(word))
    if len(syllables) != len(word) or not all(_SYLLABLE_RE.match(s) for s in syllables):
        return None
    return syllables


def _single_reading(word: str, chars: Mapping[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    """The reading of a word whose characters have one reading each (no need to ask pypinyin), else None."""
    found = [chars.get(c, ()) for c in word]
    return tuple(r[0] for r in found) if all(len(r) == 1 for r in found) else None


def _char_readings(char: str) -> tuple[str, ...]:
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.NORMAL, heteronym=True)
    readings = [r for r in (found[0] if found else []) if _SYLLABLE_RE.match(r)]
    return tuple(dict.fromkeys(readings))


def build_spelling(
    df: Mapping[str, int], *, previous: SpellingData | None = None, max_words: int = MAX_WORDS
) -> SpellingData:
    """The spelling tables of an index whose title and body words have the document frequencies ``df``;
    ``previous`` (the tables of an earlier commit) lends the readings it has, so an incremental reindex spells
    only new words and characters."""
    known_words = dict(zip(previous.words, previous.readings, strict=True)) if previous else {}
    known_chars = previous.chars if previous else {}
    chars: dict[str, tuple[str, ...]] = {}
    for char in sorted({c for w in df for c in _CHAR_RE.findall(w)}):
        found = known_chars.get(char) or _char_readings(char)
        if found:
            chars[char] = found
    # what heapq.nlargest(max_words, ..., key) gives, sorted in C rather than through a heap of 60,000
    best = sorted(
        ((w, n) for w, n in df.items() if n >= MIN_DF and _WORD_RE.match(w)),
        key=lambda kv: (kv[1], kv[0]),
        reverse=True,
    )[:max_words]
    words: list[str] = []
    counts: list[int] = []
    readings: list[tuple[str, ...]] = []
    for word, n in best:
        reading = known_words.get(word) or _single_reading(word, chars) or _word_reading(word)
        if reading is None:
            continue
        words.append(word)
        counts.append(int(n))
        readings.append(reading)
    return SpellingData(words, counts, readings, chars)


def write_spelling(
    gen_dir: Path, df: Mapping[str, int], commit: int, *, previous: Path | None = None
) -> SpellingData:
    """Build the tables of the index in ``gen_dir`` at Whoosh commit ``commit`` (word frequencies ``df``) and
    write them to ``gen_dir/spelling.pickle``; ``previous``: a spelling file whose readings are reused."""
    old = _load(previous) if previous is not None else None
    data = build_spelling(df, previous=old)
    payload = {
        "format": _FORMAT,
        "commit": commit,
        "words": data.words,
        "df": data.df,
        "readings": data.readings,
        "chars": data.chars,
    }
    write_data(gen_dir / SPELLING_FILE, payload)
    return data


def read_spelling(gen_dir: Path, commit: int) -> SpellingData | None:
    """The tables written for commit ``commit`` of the index in ``gen_dir``, or None (none written: an index
    built before they existed, or a file that cannot be read)."""
    return _load(gen_dir / SPELLING_FILE, commit=commit)


def _load(path: Path, **expected: int) -> SpellingData | None:
    payload = read_data(path, format=_FORMAT, **expected)
    if payload is None:
        return None
    try:
        words, counts, readings = list(payload["words"]), list(payload["df"]), list(payload["readings"])
        chars = dict(payload["chars"])
        if not len(words) == len(counts) == len(readings):
            return None
    except UNREADABLE:
        return None
    return SpellingData(words, counts, readings, chars)
