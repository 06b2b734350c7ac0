"""Text folding used on both sides of the index: NFKC, lower case, traditional -> simplified.

The folded text keeps a map back to the original characters, so that a match found in folded text can be
marked in the original (a traditional-character match is marked in its traditional characters).

Folding is done character by character (each character's NFKC form, lower-cased), which makes it
length-preserving for almost all text: then the map is the identity and costs nothing. Characters whose
folded form is not exactly one character (``㎏`` -> ``kg``, ``ﬁ`` -> ``fi``, ``İ`` -> ``i̇``) take a slower path that
builds an explicit offset list.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import opencc

# Planes 0-2 hold every character with a compatibility mapping; planes 3+ (CJK extensions G/H, tags, private use)
# fold to themselves.
_SCAN_LIMIT = 0x30000

_lock = threading.Lock()
_tables: tuple[dict[int, str], re.Pattern[str]] | None = None
_t2s_local = threading.local()


def _build_tables() -> tuple[dict[int, str], re.Pattern[str]]:
    one: dict[int, str] = {}
    multi: list[str] = []
    for cp in range(_SCAN_LIMIT):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        folded = unicodedata.normalize("NFKC", ch).lower()
        if folded == ch:
            continue
        if len(folded) == 1:
            one[cp] = folded
        else:
            multi.append(ch)
    pattern = re.compile("[" + "".join(re.escape(c) for c in multi) + "]")
    return one, pattern


def _get_tables() -> tuple[dict[int, str], re.Pattern[str]]:
    global _tables
    if _tables is None:
        with _lock:
            if _tables is None:
                _tables = _build_tables()
    return _tables


def _converter() -> opencc.OpenCC:
    conv = getattr(_t2s_local, "conv", None)
    if conv is None:
        conv = opencc.OpenCC("t2s")
        _t2s_local.conv = conv
    return conv


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).lower()


_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: str) -> str:
    """``text`` with each lone UTF-16 surrogate (half a pair: a ``\\ud800`` JSON escape, an undecodable byte of
    a command line) replaced by U+FFFD, the replacement character: text that can be encoded as UTF-8 again."""
    if _LONE_SURROGATE_RE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def t2s(text: str) -> str:
    """Traditional -> simplified, guaranteed length-preserving (phrase-level conversion where it is)."""
    if text.isascii():
        return text
    conv = _converter()
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # Rare: a phrase conversion changed the length. Convert line by line, and character by character in the
    # lines where the phrase conversion does not keep the length.
    parts = []
    for line in text.splitlines(keepends=True):
        converted = conv.convert(line)
        if len(converted) != len(line):
            converted = "".join(c2 if len(c2 := conv.convert(c)) == 1 else c for c in line)
        parts.append(converted)
    return "".join(parts)


@lru_cache(maxsize=1)
def _fold_tables() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    """``(risky, changing, mapping)``: see :func:`fold_with_offsets`.

    *Risky* characters are those whose fold is not exactly one character, plus combining marks and conjoining
    jamo (and what folds to them) and everything outside the BMP (an ``re`` character class with astral members
    takes a slow path, so they are matched by a separate range). *Changing* characters fold to one other
    character (full-width forms, capitals, compatibility ideographs, ...); ``mapping`` gives their fold.
    """

    def combining(x: str) -> bool:
        return (
            unicodedata.category(x).startswith("M")
            or 0x1100 <= ord(x) <= 0x11FF
            or 0xD7B0 <= ord(x) <= 0xD7FF
        )

    risky: list[str] = []
    mapping: dict[str, str] = {}
    for cp in range(0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        folded = unicodedata.normalize("NFKC", ch).lower()
        if len(folded) != 1 or combining(ch) or combining(folded):
            risky.append(re.escape(ch))
        elif folded != ch:
            mapping[ch] = folded
    risky_re = re.compile("[" + "".join(risky) + "]|[\\ud800-\\udfff]|[^\\x00-\\uffff]")
    changing_re = re.compile("[" + "".join(re.escape(c) for c in mapping) + "]")
    return risky_re, changing_re, mapping


def fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """Fold ``text`` and return ``(folded, offsets)``: exactly :func:`fold_with_offsets_reference`, faster.

    ``offsets`` is None when folded character ``i`` comes from original character ``i`` (the common case);
    otherwise ``offsets[i]`` is the index of the original character that folded character ``i`` comes from, with
    one extra entry equal to ``len(text)`` at the end.

    Folding is defined character by character (NFKC, lower case, then traditional -> simplified). Characters
    that fold to one other character are replaced with one regex pass (most text has few); only the "risky"
    ones (see :func:`_fold_tables`) are folded one by one and make an explicit offset list.
    """
    risky, changing, mapping = _fold_tables()

    def one(m: re.Match[str]) -> str:
        return mapping[m.group()]

    pieces: list[str] = []
    offsets: list[int] | None = None
    pos = 0
    for m in risky.finditer(text):
        if offsets is None:
            offsets = []
        s = m.start()
        if s > pos:
            pieces.append(changing.sub(one, text[pos:s]))
            offsets.extend(range(pos, s))
        folded = unicodedata.normalize("NFKC", m.group()).lower()
        pieces.append(folded)
        offsets.extend([s] * len(folded))
        pos = m.end()
    if offsets is None:
        return t2s(changing.sub(one, text)), None
    if pos < len(text):
        pieces.append(changing.sub(one, text[pos:]))
        offsets.extend(range(pos, len(text)))
    offsets.append(len(text))
    return t2s("".join(pieces)), offsets


def fold(text: str) -> str:
    """Fold ``text`` for matching: NFKC, lower case, traditional -> simplified."""
    return fold_with_offsets(text)[0]


def fold_with_offsets_reference(text: str) -> tuple[str, list[int] | None]:
    """The plain character-by-character definition of :func:`fold_with_offsets` (slow; tests compare the two).

    Returns ``(folded, offsets)``:

    ``offsets`` is None when folded character ``i`` comes from original character ``i`` (the common case);
    otherwise ``offsets[i]`` is the index of the original character that folded character ``i`` comes from, with
    one extra entry equal to ``len(text)`` at the end.
    """
    one, multi = _get_tables()
    if multi.search(text) is None:
        return t2s(text.translate(one)), None
    pieces: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = one.get(ord(ch), ch) if multi.match(ch) is None else _fold_char(ch)
        pieces.append(folded)
        offsets.extend([i] * len(folded))
    offsets.append(len(text))
    return t2s("".join(pieces)), offsets


def original_span(offsets: list[int] | None, start: int, end: int, start_char: int = 0) -> tuple[int, int]:
    """Map a ``[start, end)`` span of folded text back to the original text."""
    if offsets is None:
        return start_char + start, start_char + end
    if end <= start:
        return start_char + offsets[start], start_char + offsets[start]
    return start_char + offsets[start], start_char + offsets[end - 1] + 1
