"""A result page's texts as arrays: :class:`PageText`, their code points and what each is to the snippet cutter.

:class:`PageText` joins the page's bodies (or titles), each followed by a separator, and reads them once as code
points (``str.encode("utf-32-le")``), each looked up in tables made once per process: its fold (NFKC, lower
case: the one-character folds of :func:`indexer.normalize.fold_with_offsets`) and its cutter flags (sentence
mark, clause mark, closing quote, whitespace, digit: what :func:`search.windows.cut_pieces` reads). The folded
texts are the table's output decoded, then traditional -> simplified (:func:`indexer.normalize.t2s`), so the
matches (``str.find``, :meth:`search.snippets.Highlighter.find`) are where the reference finds them.

A text with a character the tables cannot fold one to one (outside the BMP, a combining mark, ``…`` -> ``...``,
``㎏`` -> ``kg``: what makes :func:`~indexer.normalize.fold_with_offsets` keep offsets) is folded with offsets
(:attr:`PageText.mapped`) and its characters keep their own cutter flags; only a text with a lone surrogate is
left out (:meth:`PageText.read`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from indexer.normalize import _converter, _fold_tables, fold_with_offsets, t2s

#: Closing quotes and brackets that a sentence end takes with it (``。」`` ends after the quote).
CLOSERS = "”’」』）)\\]\"'》"
SENTENCE_MARKS = "。！？；…!?;"
CLAUSE_MARKS = "，、：,"

F_SENT, F_DOT, F_NL, F_CLAUSE, F_CLOSER, F_SPACE, F_DIGIT, F_RISKY = (1 << k for k in range(8))
#: What the cutter reads (a tenth of news text).
MARKS = F_SENT | F_DOT | F_NL | F_CLAUSE | F_CLOSER | F_SPACE | F_RISKY
_BMP = 0x10000
#: What a character ends, by its flags and the next one's: nothing, a sentence, a clause, a sentence with the
#: closing quotes after it, a body (a separator: its piece is a sentence).
END_SENTENCE, END_CLAUSE, END_QUOTED, END_TEXT = 1, 2, 3, 4
_SEPARATOR = "\u0300"


#: What each cutter flag is, as a regex of one character.
_FLAG_PATTERNS = (
    (f"[{re.escape(SENTENCE_MARKS)}]", F_SENT),
    (r"\.", F_DOT),
    (r"\n", F_NL),
    (f"[{re.escape(CLAUSE_MARKS)}]", F_CLAUSE),
    (f"[{CLOSERS}]", F_CLOSER),
    (r"\s", F_SPACE),
    (r"\d", F_DIGIT),
)


def _char_flags(ch: str) -> int:
    """The cutter flags of one character (those beyond the BMP, which the tables do not hold)."""
    return sum(flag for pattern, flag in _FLAG_PATTERNS if re.fullmatch(pattern, ch))


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(fold, flags, ends)`` over the BMP: each code point's one-character fold; its cutter flags (``F_RISKY``:
    a character whose fold needs an offset map, and U+FFFF, where characters beyond the BMP are looked up);
    and :data:`_ENDS` for each pair of flags ``(character, next character)``."""
    risky, _changing, mapping = _fold_tables()
    every = "".join(map(chr, range(_BMP)))
    flags = np.zeros(_BMP, dtype=np.uint8)
    for pattern, flag in (*_FLAG_PATTERNS, (risky.pattern, F_RISKY)):
        flags[[m.start() for m in re.finditer(pattern, every)]] |= flag
    flags[_BMP - 1] |= F_RISKY
    fold = np.arange(_BMP, dtype=np.uint32)
    fold[[ord(k) for k in mapping]] = [ord(v) for v in mapping.values()]
    ends = np.zeros((256, 256), dtype=np.int8)
    for f in range(256):
        for a in range(256):
            ends[f, a] = _end_code(f, a)
    return fold, flags, ends


def end_codes() -> np.ndarray:
    """What a character ends (``END_*``), by its flags and the next character's: ``end_codes()[f, a]``."""
    return _tables()[2]


def _end_code(f: int, a: int) -> int:
    """Whether a character with flags ``f`` before one with flags ``a`` ends a piece (see :data:`_ENDS`)."""
    if f & F_RISKY:  # a separator between two bodies
        return END_TEXT
    if f & F_SENT:  # a run of sentence marks ends at its last mark and takes the closing quotes after it
        return 0 if a & F_SENT else END_QUOTED if a & F_CLOSER else END_SENTENCE
    if f & F_DOT:
        return END_SENTENCE if a & F_SPACE else 0
    if f & F_NL:
        return END_SENTENCE
    if f & F_CLAUSE:
        return 0 if a & F_DIGIT else END_CLAUSE
    return 0


class PageText:
    """The bodies of a result page as one array of code points and cutter flags, each body followed by a
    separator (U+0300, the only characters flagged ``F_RISKY`` once :meth:`read`) that ends its last piece;
    ``offsets[b]:offsets[b] + len(texts[b])`` is body ``b``'s."""

    __slots__ = ("texts", "text", "offsets", "points", "flags", "mapped")

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)
        self.text = _SEPARATOR.join(self.texts) + _SEPARATOR
        self.offsets = np.zeros(len(self.texts) + 1, dtype=np.int64)
        np.cumsum([len(t) + 1 for t in self.texts], out=self.offsets[1:])
        self.points = np.frombuffer(self.text.encode("utf-32-le"), dtype=np.uint32)
        self.flags = _tables()[1][np.minimum(self.points, _BMP - 1)]
        #: the bodies with a character the tables do not fold one to one (folded with offsets, see the module)
        self.mapped = [False] * len(self.texts)

    @classmethod
    def read(cls, texts: Sequence[str]) -> tuple[PageText, list[bool]]:
        """The page of the bodies the array path takes, and which those are: every body but one with a lone
        surrogate (empty in the page). A character without a one-character fold (or beyond the BMP) marks its
        body :attr:`mapped` and keeps only the cutter flags it has."""
        ok = [True] * len(texts)
        try:
            page = cls(texts)
        except UnicodeEncodeError:
            for b, t in enumerate(texts):
                try:
                    t.encode("utf-32-le")
                except UnicodeEncodeError:
                    ok[b] = False
            page = cls([t if good else "" for t, good in zip(texts, ok, strict=True)])
        seps = page.offsets[1:] - 1
        risky = np.flatnonzero(page.flags & F_RISKY)
        if len(risky) > len(texts):  # more than the separators
            separator = np.zeros(len(page.flags), dtype=bool)
            separator[seps] = True
            inner = risky[~separator[risky]]
            for b in set(page.body_of(inner).tolist()):
                page.mapped[b] = True
            page.flags[inner] &= ~np.uint8(F_RISKY)
            for i in inner[page.points[inner] >= _BMP].tolist():
                page.flags[i] = _char_flags(chr(page.points[i]))
        page.flags[seps] = F_SPACE | F_RISKY  # the separators
        return page, ok

    def folded(self) -> list[tuple[str, list[int] | None]]:
        """Each body's ``fold_with_offsets``: on the tables, character for character (no offsets), but for
        the :attr:`mapped` bodies."""
        # (a character beyond the BMP is in a mapped body: looked up at U+FFFF, its fold taken from there)
        whole = _tables()[0][np.minimum(self.points, _BMP - 1)].tobytes().decode("utf-32-le")
        at = self.offsets.tolist()
        # one conversion for the page: no phrase of the traditional -> simplified tables holds the separator, so
        # each body converts as it would alone; unless the conversion changes the length somewhere (t2s then
        # converts line by line): then each body alone (test_snippets_positions compares on xwlb)
        converted = whole if whole.isascii() else _converter().convert(whole)
        if len(converted) != len(whole):
            folded = [t2s(whole[at[b] : at[b + 1] - 1]) for b in range(len(self.texts))]
        else:
            folded = [converted[at[b] : at[b + 1] - 1] for b in range(len(self.texts))]
        return [
            fold_with_offsets(self.texts[b]) if self.mapped[b] else (f, None) for b, f in enumerate(folded)
        ]

    @classmethod
    def fold_each(cls, texts: Sequence[str]) -> list[tuple[str, list[int] | None]]:
        """``fold_with_offsets`` of each text (on arrays, see :meth:`folded`)."""
        page, ok = cls.read(texts)
        return [got if ok[k] else fold_with_offsets(texts[k]) for k, got in enumerate(page.folded())]

    def body_of(self, at: np.ndarray) -> np.ndarray:
        """The body each character offset ``at`` belongs to (a separator: the body before it)."""
        return np.searchsorted(self.offsets, at, side="right") - 1
