"""The Chinese analyzers that Whoosh pickles into the index schema.

Two token streams are made from the same folded text (see :mod:`indexer.normalize`):

* **Words** (:class:`ChineseTokenizer`): jieba's dictionary and algorithm (jieba-rs via ``rjieba``) in search mode,
  so that the sub-words of long compounds are indexed too (中国农业发展银行 -> 中国, 农业, 发展, 银行, 农业发展银行).
  Position: every *base* word (the default-mode segmentation) gets the next ordinal position; a search-mode sub-word
  gets the position of the base word that contains it, so consecutive base words are exactly one position apart.
  Stop words are dropped; punctuation, whitespace and symbols make no token.
* **Units** (:class:`UnitTokenizer`, the ``*_ng`` fields; the suffix is historical: they hold single units): the exact-phrase stream. The text is split into
  *units* (one CJK/kana/hangul character, or a run of other letters and digits), each a token with its position.
  Whitespace, symbols, emoji and the connectors ``- _ . ' / ·`` separate nothing; punctuation ends a *run* and
  leaves a one-position gap, so no phrase matches across it. A quoted phrase is then its units at consecutive
  positions (:class:`search.nodes.Phrase`): it matches exactly the texts that contain it, however jieba segments the
  context (…欺诈骗窝点… contains the phrase 诈骗窝点 although jieba cuts it 欺诈/骗/窝点). Unigrams rather than
  pairs of units: pairs made the build and the index several times bigger than words alone, unigrams about
  twice (measured on the shipped sample).

Both tokenizers honour Whoosh's token arguments (``positions``, ``chars``, ``start_pos``, ``start_char``,
``removestops``, ``mode``, ``tokenize``) and report character offsets into the *original* text.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.analysis import Token, Tokenizer

from indexer.normalize import fold_with_offsets

if TYPE_CHECKING:
    import rjieba

#: Bump when the token streams or the index format change, so that old indexes are marked for a full rebuild
#: (3: the compact posting format of :mod:`indexer.codec`; 4: ``published`` and ``hash`` in columns only, and
#: the compact term dictionary and stored fields; 5: posting blocks compressed with Zstandard, stored fields one
#: Zstandard frame per article; 6: uint16 positions in byte planes; older indexes stay readable until then).
ANALYZER_VERSION = 6

#: Short stop lists: function words that carry no meaning on their own. A query made only of stop words keeps
#: them (they match nothing, since they are not indexed), so the list never turns a query into "everything".
STOPWORDS: frozenset[str] = frozenset(
    """的 地 得 了 着 过 之 其 和 与 及 或 而 并 且 也 都 就 把 被 对 从 向 于 以 在 是 为 这 那 个 啊 吗 呢 吧 呀 么
    an and are as at be by for from in into is it its of on or that the this to was were with""".split()
)

#: Han ideographs (the unified blocks, Extension A, compatibility ideographs, Extensions B and later): the
#: characters with a pinyin reading.
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: What is one unit on its own in the phrase stream (a regex class body): a Han ideograph, 々 〇, kana, hangul.
SINGLE_UNIT_CLASS = _SINGLE = "\u3005\u3007\u3040-\u30ff\uac00-\ud7af" + HAN_CLASS
_CONNECTORS = "-_.'/\u00b7\u2027\u30fb"


def _break_class() -> str:
    """Punctuation that ends a run, except the connectors and what is a unit on its own (U+30A0 ゠ is both a
    dash and in the kana block: a unit, as the unit pattern tries single units first)."""
    single = re.compile(f"[{_SINGLE}]")
    chars = []
    for cp in range(0x10000):
        ch = chr(cp)
        if unicodedata.category(ch).startswith("P") and ch not in _CONNECTORS and not single.match(ch):
            chars.append(re.escape(ch))
    return "".join(chars)


_BREAKS = _break_class()
_UNIT_RE = re.compile(rf"([{_SINGLE}])|([^\W_{_SINGLE}]+)|([{_BREAKS}])")
_split_runs = re.compile(f"[{_BREAKS}]+").split
_find_units = re.compile(rf"[{_SINGLE}]|[^\W_{_SINGLE}]+").findall
_WORDISH_RE = re.compile(r"[^\W_]")

#: A user-dictionary entry: word, frequency (None: let jieba suggest one), part-of-speech tag (or None).
DictEntry = tuple[str, int | None, str | None]


def read_userdict(path: str | Path) -> tuple[DictEntry, ...]:
    """Read a jieba-format user dictionary (``word [freq] [tag]`` a line, ``#`` comments). Missing file: empty."""
    p = Path(path)
    if not p.exists():
        return ()
    entries: list[DictEntry] = []
    for lineno, raw in enumerate(p.read_text(encoding="utf-8-sig").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        word, freq, tag = parts[0], None, None
        if len(parts) >= 2:
            if parts[1].isdigit():
                freq = int(parts[1])
                tag = parts[2] if len(parts) >= 3 else None
            else:
                tag = parts[1]
        if len(parts) > 3 or (len(parts) == 3 and freq is None):
            raise ValueError(f"{p}:{lineno}: expected 'word [freq] [tag]', got {raw!r}")
        entries.append((word, freq, tag))
    return tuple(entries)


@functools.lru_cache(maxsize=1)
def _segmenter_version() -> str:
    return importlib.metadata.version("rjieba")


def dict_fingerprint(entries: Sequence[DictEntry]) -> str:
    """The fingerprint of the analysis: analyzer version, segmenter version, stop words, user dictionary."""
    h = hashlib.blake2b(digest_size=8)
    h.update(f"v{ANALYZER_VERSION}|rjieba {_segmenter_version()}|".encode())
    h.update("|".join(sorted(STOPWORDS)).encode())
    for word, freq, tag in entries:
        h.update(f"\n{word}\t{freq}\t{tag}".encode())
    return h.hexdigest()


_segmenters: dict[str, rjieba.Jieba] = {}
_segmenters_lock = threading.Lock()


def get_segmenter(entries: Sequence[DictEntry] = ()) -> rjieba.Jieba:
    """A jieba-rs segmenter with the user dictionary loaded, shared per process and dictionary."""
    key = dict_fingerprint(entries)
    seg = _segmenters.get(key)
    if seg is None:
        with _segmenters_lock:
            seg = _segmenters.get(key)
            if seg is None:
                import rjieba  # loading it loads jieba's dictionary: only where text is cut (not a no-op run)

                seg = rjieba.Jieba()
                for word, freq, tag in entries:
                    seg.add_word(word, freq, tag)
                _segmenters[key] = seg
    return seg


@dataclass(frozen=True, slots=True)
class Word:
    """A word of analysed text: folded ``text``, base-word ``pos``, ``[start, end)`` in the original text."""

    text: str
    pos: int
    start: int
    end: int
    base: bool
    stop: bool


class _AnalyzerBase(Tokenizer):
    """Shared state: the user dictionary travels with the pickled schema, the segmenter does not."""

    def __init__(self, userdict: Iterable[DictEntry] = ()) -> None:
        self.userdict: tuple[DictEntry, ...] = tuple(userdict)
        self.fingerprint = dict_fingerprint(self.userdict)
        self._segmenter: rjieba.Jieba | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"userdict": self.userdict, "fingerprint": self.fingerprint}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.userdict = tuple(tuple(e) for e in state["userdict"])  # type: ignore[misc]
        self.fingerprint = state["fingerprint"]
        self._segmenter = None

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.fingerprint == other.fingerprint  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.fingerprint))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(fingerprint={self.fingerprint!r}, userdict={len(self.userdict)} words)"

    def _items(self, value: str, removestops: bool) -> Iterator[tuple[str, int, int, int, bool]]:
        """``(text, position, start, end, stopped)`` for each token of ``value``."""
        raise NotImplementedError

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Whoosh's tokenizer protocol (the arguments of ``RegexTokenizer``); one reused ``Token``."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for text, pos, s, e, stopped in self._items(value, removestops):
            t.text = text
            t.boost = 1.0
            t.stopped = stopped
            if keeporiginal:
                t.original = value[s:e]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + s, start_char + e
            yield t

    @property
    def segmenter(self) -> rjieba.Jieba:
        seg = self._segmenter
        if seg is None:
            seg = self._segmenter = get_segmenter(self.userdict)
        return seg


class ChineseTokenizer(_AnalyzerBase):
    """The word stream: folded text segmented by jieba in search mode (see the module docs)."""

    def words(self, value: str, *, removestops: bool = True) -> list[Word]:
        """Analyse ``value`` into words with base-word positions and original-text offsets."""
        folded, offsets = fold_with_offsets(value)
        raw = self.segmenter.tokenize(folded, mode="search")
        # Base words are never inside a later token; search-mode sub-words precede the word they come from.
        kinds: list[bool] = [False] * len(raw)
        base_start = base_end = -1
        for i in range(len(raw) - 1, -1, -1):
            _, s, e = raw[i]
            if base_start <= s and e <= base_end:
                continue
            kinds[i] = True
            base_start, base_end = s, e
        out: list[Word] = []
        pos = -1
        for (text, s, e), is_base in zip(raw, kinds, strict=True):
            if _WORDISH_RE.search(text) is None:
                continue
            if is_base:
                pos += 1
            # a sub-word precedes its base word, which gets the next position
            word_pos = pos if is_base else pos + 1
            stop = text in STOPWORDS
            if stop and removestops:
                continue
            if offsets is not None:
                s, e = offsets[s], offsets[e - 1] + 1
            out.append(Word(text, word_pos, s, e, is_base, stop))
        return out

    def word_texts(self, value: str) -> list[str]:
        """The texts of :meth:`words` (stop words removed), without positions and offsets: what the index
        writer counts. ``cut_for_search`` gives the same words as the search-mode ``tokenize`` in 40 % less
        time (checked on 6,000 texts of the news corpus, and by a test)."""
        folded = fold_with_offsets(value)[0]
        wordish = _WORDISH_RE.search
        return [t for t in self.segmenter.cut_for_search(folded) if t not in STOPWORDS and wordish(t)]

    def _items(self, value: str, removestops: bool) -> Iterator[tuple[str, int, int, int, bool]]:
        for w in self.words(value, removestops=removestops):
            yield w.text, w.pos, w.start, w.end, w.stop


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit of the gram stream: folded ``text``, its position, ``[start, end)`` in the original text, and
    ``run`` (units with the same run number are not separated by punctuation)."""

    text: str
    pos: int
    start: int
    end: int
    run: int


def units(value: str) -> list[Unit]:
    """Split text into phrase units (see the module docs); a run break leaves a one-position gap."""
    folded, offsets = fold_with_offsets(value)
    out: list[Unit] = []
    run = 0
    pos = 0
    for m in _UNIT_RE.finditer(folded):
        if m.lastindex == 3:
            if out and out[-1].run == run:
                run += 1
                pos += 1
            continue
        s, e = m.span()
        if offsets is not None:
            s, e = offsets[s], offsets[e - 1] + 1
        out.append(Unit(m.group(), pos, s, e, run))
        pos += 1
    return out


def unit_positions(value: str) -> tuple[int, dict[str, list[int]]]:
    """``(number of units, {unit: [positions]})``: :func:`units` without the objects, for the index writer.

    The text is cut into runs at punctuation first; each run's units then take consecutive positions, and a
    run that holds units ends with the one-position gap (the same positions as :func:`units`, in a third less
    time: the loop per unit is a ``zip``).
    """
    folded = fold_with_offsets(value)[0]
    poses: defaultdict[str, list[int]] = defaultdict(list)
    pos = 0
    n = 0
    for run in _split_runs(folded):
        found = _find_units(run)
        if not found:
            continue
        k = len(found)
        for text, p in zip(found, range(pos, pos + k), strict=True):
            poses[text].append(p)
        pos += k + 1
        n += k
    return n, poses


class UnitTokenizer(_AnalyzerBase):
    """The exact-phrase stream: one token per unit, punctuation leaving a position gap (see the module docs)."""

    def _items(self, value: str, removestops: bool) -> Iterator[tuple[str, int, int, int, bool]]:
        for u in units(value):
            yield u.text, u.pos, u.start, u.end, False


def ChineseAnalyzer(userdict: Iterable[DictEntry] = ()) -> ChineseTokenizer:  # noqa: N802 (Whoosh naming)
    """The word analyzer (a tokenizer that folds, segments and drops stop words in one pass)."""
    return ChineseTokenizer(userdict)


def UnitAnalyzer(userdict: Iterable[DictEntry] = ()) -> UnitTokenizer:  # noqa: N802 (Whoosh naming)
    """The exact-phrase analyzer."""
    return UnitTokenizer(userdict)


#: The names of the first index formats: their pickled schemas name these classes, so they stay importable.
GramTokenizer = UnitTokenizer
GramAnalyzer = UnitAnalyzer
