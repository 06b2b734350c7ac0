"""From the syntax tree of :mod:`search.query` to Whoosh queries, plus the terms the snippets mark.

Semantics (the help page says the same in user words):

* **Words.** A term is analysed with the index's own analyzer (``ix.schema["title"].analyzer``), so it is folded
  (traditional -> simplified, full-width -> ASCII, lower case) and segmented exactly like the articles. Every
  *base* word must match, in the title or the body; a word of four characters or more also matches inside
  longer indexed words (中华人民共和国 in 中华人民共和国政府, see :meth:`QueryBuilder.word_clause`). Stop words
  are dropped; a term made only of stop words or punctuation adds nothing.
* **Proximity.** A run of two or more words typed together (``电信网络诈骗``) adds an optional exact-phrase clause
  over the unit fields: articles where the words stand together rank above those where they are scattered.
* **Phrases** are exact over the unit fields (``title_ng``/``body_ng``, see :mod:`indexer.analysis`): a phrase is
  a Whoosh ``Phrase`` over its units (one CJK character, or a run of other letters and digits) at consecutive
  positions, a one-unit phrase a ``Term``. Whitespace, symbols and the connectors ``- _ . ' /`` inside a phrase
  are ignored like in the index; punctuation splits a phrase into runs that must all match (each exactly, not
  necessarily next to each other: the index leaves a position gap at punctuation, which ``Phrase`` cannot span).
* **Exclusions** remove articles matching the excluded part. Only exclusions (``-电信``), or nothing left after
  dropping stop words, is *no hits* -- never "everything". ``source:``/``category:``/``date:`` count as positive
  parts: ``source:央视 -电信`` lists 央视 articles without 电信. In an ``OR``, an alternative that is only an
  exclusion is dropped (``a OR -b`` is ``a``).
* **source: / category:** match the stored values case- and script-insensitively (folded); when no value
  equals the typed one, every value *containing* it matches (``source:央视`` finds "CCTV 新闻联播 (央视网)").
* **date:** China-time days, inclusive (the index stores naive UTC).
* **Relaxed fallback** (:attr:`CompiledQuery.relaxed`): any of the words (phrases loosened to their words), each
  matching word adding :attr:`Weights.relaxed_bonus` so that articles with more of the words come first; the
  top-level ``source:``/``category:``/``date:`` parts and exclusions still apply. Question words (什么, 哪一年 ...)
  are left out and a word no article holds is matched as exact characters and by its known pieces
  (:mod:`search.questionwords`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from whoosh import matching
from whoosh.query import (
    And,
    AndNot,
    DateRange,
    DisjunctionMax,
    NullQuery,
    Or,
    Query,
    Term,
)
from whoosh.query.wrappers import WrappingQuery

from indexer.analysis import ChineseTokenizer, Unit, Word, units
from indexer.articles import CHINA_TZ, to_utc_naive
from search import query as ast
from search.phrases import ExactPhrase
from search.questionwords import relaxed_words

TITLE, BODY = "title", "body"
GRAM = {TITLE: "title_ng", BODY: "body_ng"}


@dataclass(frozen=True)
class Weights:
    """Query-side ranking weights (BM25F does the rest; the relevance issue tunes these by measurement)."""

    #: Factor of a word's BM25F score in the title. Below 1: the title is short, so a title match already
    #: scores high; 0.5 ranked best of 0.25-2 on the CMRC questions (bench/results/relevance.md).
    title: float = 0.5
    #: Score factor of an article where a run of the query's words stands together: 1 + proximity for each
    #: of title and body that has it (averaged over the runs), see :class:`ProximityQuery`.
    proximity: float = 0.5
    relaxed_bonus: float = 2.0


# -- highlight terms -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HighlightTerm:
    """Something to mark in a title or body: a folded word (found with ``str.find``) or a phrase pattern.

    ``group`` says which query word or phrase the term belongs to (the runs of a phrase split by punctuation
    share one), so that snippet selection can count distinct query words.
    """

    text: str
    group: int
    pattern: re.Pattern[str] | None = None


# -- Whoosh helpers ------------------------------------------------------------------------------------------


class _ScaledMatcher(matching.WrappingMatcher):
    def __init__(self, child: matching.Matcher, scale: float = 1.0, add: float = 0.0) -> None:
        super().__init__(child)
        self.scale = scale
        self.add = add

    def copy(self) -> _ScaledMatcher:
        return _ScaledMatcher(self.child.copy(), self.scale, self.add)

    def _replacement(self, newchild: matching.Matcher) -> _ScaledMatcher:
        return _ScaledMatcher(newchild, self.scale, self.add)

    def replace(self, minquality: float = 0) -> matching.Matcher:
        if self.scale <= 0:
            r = self.child.replace(0)
        else:
            r = self.child.replace(max(0.0, (minquality - self.add) / self.scale) if minquality else 0)
        if r is self.child:
            return self
        if not r.is_active():
            return matching.NullMatcher()
        return _ScaledMatcher(r, self.scale, self.add)

    def supports_block_quality(self) -> bool:
        # a constant score cannot be skipped by quality
        return self.scale > 0 and self.child.supports_block_quality()

    def skip_to_quality(self, minquality: float) -> int:
        return self.child.skip_to_quality((minquality - self.add) / self.scale)

    def max_quality(self) -> float:
        return self.child.max_quality() * self.scale + self.add

    def block_quality(self) -> float:
        return self.child.block_quality() * self.scale + self.add

    def weight(self) -> float:
        return self.child.weight() * self.scale + self.add

    def score(self) -> float:
        if self.scale == 0:
            return self.add
        return self.child.score() * self.scale + self.add


class _BonusMatcher(matching.Matcher):
    """``required``, plus the score of ``optional`` where it matches too (a proximity bonus).

    Unlike Whoosh's ``AndMaybeMatcher`` it keeps block-quality skipping available: the optional part only
    adds a bounded amount (its ``max_quality()``), so the required part can skip every block that cannot
    reach the minimum score even with the bonus; the optional matcher is only moved to documents that are
    scored. Phrase matchers (Whoosh span matchers) are moved with ``skip_to``, which checks their positions.
    """

    def __init__(
        self, required: matching.Matcher, optional: matching.Matcher, bound: float | None = None
    ) -> None:
        self.required = required
        self.optional = optional
        self.bound = optional.max_quality() if bound is None else bound

    def is_active(self) -> bool:
        return self.required.is_active()

    def id(self) -> int:
        return self.required.id()

    def next(self) -> bool:
        return self.required.next()

    def skip_to(self, target: int) -> bool:
        return self.required.skip_to(target)

    def reset(self) -> None:
        self.required.reset()
        self.optional.reset()

    def all_ids(self):  # type: ignore[no-untyped-def]
        return self.required.all_ids()

    def children(self) -> list[matching.Matcher]:
        return [self.required, self.optional]

    def copy(self) -> _BonusMatcher:
        return _BonusMatcher(self.required.copy(), self.optional.copy(), self.bound)

    def depth(self) -> int:
        return 1 + max(self.required.depth(), self.optional.depth())

    def replace(self, minquality: float = 0) -> matching.Matcher:
        required = self.required.replace(max(0.0, minquality - self.bound) if minquality else 0)
        if not required.is_active():
            return matching.NullMatcher()
        if not self.optional.is_active():
            return required
        return self if required is self.required else _BonusMatcher(required, self.optional, self.bound)

    def supports(self, astype: str) -> bool:
        return self.required.supports(astype)

    def supports_block_quality(self) -> bool:
        return self.required.supports_block_quality()

    def max_quality(self) -> float:
        return self.required.max_quality() + self.bound

    def block_quality(self) -> float:
        return self.required.block_quality() + self.bound

    def skip_to_quality(self, minquality: float) -> int:
        return self.required.skip_to_quality(minquality - self.bound)

    def weight(self) -> float:
        return self.required.weight()

    def value(self):  # type: ignore[no-untyped-def]
        return self.required.value()

    def score(self) -> float:
        score = self.required.score()
        optional = self.optional
        if optional.is_active():
            doc = self.required.id()
            if optional.id() < doc:
                optional.skip_to(doc)
            if optional.is_active() and optional.id() == doc:
                score += optional.score()
        return score


class ProximityQuery(WrappingQuery):
    """``child``, whose best matches rank higher where a run of its words stands together.

    The runs (patterns over folded text, see :func:`phrase_pattern`) are looked for in the stored title and
    body of the best matches only (:func:`search.collect.collect`): checking adjacency through the unit
    postings costs a block decode per character per document (~1 ms an article for a 7-character run on the
    75k-article corpus), the stored text ~0.05 ms. The matches and the scores of the child are unchanged.
    """

    def __init__(self, child: Query, runs: Sequence[re.Pattern[str]], field: str | None = None) -> None:
        super().__init__(child)
        self.runs = list(runs)
        self.field = field  # "title": look in the title only

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and self.child == other.child  # type: ignore[attr-defined]
            and [r.pattern for r in self.runs] == [r.pattern for r in other.runs]  # type: ignore[attr-defined]
            and self.field == other.field  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.child, tuple(r.pattern for r in self.runs), self.field))

    def __repr__(self) -> str:
        return f"ProximityQuery({self.child!r}, {[r.pattern for r in self.runs]!r}, {self.field!r})"

    def __str__(self) -> str:
        return f"({self.child} NEAR {len(self.runs)} run{'s' if len(self.runs) > 1 else ''})"

    def _rewrap(self, child: Query) -> ProximityQuery:
        return ProximityQuery(child, self.runs, self.field)


class BonusQuery(Query):
    """``required`` scored with the bonus of ``optional`` where it matches too (see :class:`_BonusMatcher`)."""

    def __init__(self, required: Query, optional: Query) -> None:
        self.required = required
        self.optional = optional

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and self.required == other.required  # type: ignore[attr-defined]
            and self.optional == other.optional  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.required, self.optional))

    def __repr__(self) -> str:
        return f"BonusQuery({self.required!r}, {self.optional!r})"

    def __str__(self) -> str:
        return f"({self.required} BONUS {self.optional})"

    def is_leaf(self) -> bool:
        return False

    def children(self):  # type: ignore[no-untyped-def]
        return iter([self.required, self.optional])

    def apply(self, fn):  # type: ignore[no-untyped-def]
        return BonusQuery(fn(self.required), fn(self.optional))

    def requires(self):  # type: ignore[no-untyped-def]
        return self.required.requires()

    def estimate_size(self, ixreader):  # type: ignore[no-untyped-def]
        return self.required.estimate_size(ixreader)

    def estimate_min_size(self, ixreader):  # type: ignore[no-untyped-def]
        return self.required.estimate_min_size(ixreader)

    def matcher(self, searcher, context=None):  # type: ignore[no-untyped-def]
        required = self.required.matcher(searcher, context)
        if not required.is_active():
            return matching.NullMatcher()
        optional = self.optional.matcher(searcher, searcher.context(needs_current=True))
        if not optional.is_active():
            return required
        return _BonusMatcher(required, optional)


class Scaled(WrappingQuery):
    """``child`` with its score turned into ``score * scale + add`` (``scale=0``: a pure filter)."""

    def __init__(self, child: Query, scale: float = 1.0, add: float = 0.0) -> None:
        super().__init__(child)
        self.scale = scale
        self.add = add

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and self.child == other.child  # type: ignore[attr-defined]
            and (self.scale, self.add) == (other.scale, other.add)  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.child, self.scale, self.add))

    def __repr__(self) -> str:
        return f"Scaled({self.child!r}, scale={self.scale}, add={self.add})"

    def __str__(self) -> str:
        return f"({self.child}*{self.scale:g}+{self.add:g})"

    def _rewrap(self, child: Query) -> Scaled:
        return Scaled(child, self.scale, self.add)

    def matcher(self, searcher, context=None):  # type: ignore[no-untyped-def]
        m = self.child.matcher(searcher, context)
        if isinstance(m, matching.NullMatcherClass):
            return m
        return _ScaledMatcher(m, self.scale, self.add)


class _AndNotMatcher(matching.AndNotMatcher):
    """Whoosh's ``AndNotMatcher`` with its first document checked properly.

    whoosh3 3.54's ``_find_first`` only compares the current ids, so when the excluded matcher starts before
    the required one (or is behind it after ``replace()``), the required matcher's current document is
    returned even if it is excluded (``(a OR b) -c`` returned a document containing c).
    """

    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()

    def all_ids(self):  # type: ignore[no-untyped-def]
        if not self.b.is_active():
            return self.a.all_ids()
        excluded = set(self.b.all_ids())
        return (d for d in self.a.all_ids() if d not in excluded)


class ExcludingQuery(AndNot):
    """``a ANDNOT b`` with :class:`_AndNotMatcher`."""

    def matcher(self, searcher, context=None):  # type: ignore[no-untyped-def]
        scoredm = self.a.matcher(searcher, context)
        notm = self.b.matcher(searcher, searcher.boolean_context())
        return _AndNotMatcher(scoredm, notm)


def _and(qs: Sequence[Query]) -> Query:
    return qs[0] if len(qs) == 1 else And(list(qs))


def _or(qs: Sequence[Query]) -> Query:
    return qs[0] if len(qs) == 1 else Or(list(qs))


#: Characters that are a phrase unit on their own (CJK ideographs, kana, hangul), as in :mod:`indexer.analysis`.
CJK_CLASS = (
    "\u3005\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_CJK_RE = re.compile(f"[{CJK_CLASS}]")


def is_single_unit_char(text: str) -> bool:
    """True for one CJK/kana/hangul character (a unit on its own in the phrase stream)."""
    return len(text) == 1 and _CJK_RE.match(text) is not None


def day_start_utc(day: date) -> datetime:
    """00:00 China time of ``day``, as the naive UTC datetime the index stores."""
    value = to_utc_naive(datetime.combine(day, time(), tzinfo=CHINA_TZ))
    assert value is not None
    return value


def date_bounds_utc(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Inclusive China-time days -> inclusive naive-UTC datetimes (the end is 23:59:59.999999 China time).

    A bound at the edge of what ``datetime`` can hold (0001-01-01, 9999-12-31) is no bound.
    """
    try:
        lo = day_start_utc(start) if start else None
    except OverflowError:
        lo = None
    try:
        hi = day_start_utc(end + timedelta(days=1)) - timedelta(microseconds=1) if end else None
    except OverflowError:
        hi = None
    return lo, hi


# -- the compiled query --------------------------------------------------------------------------------------


@dataclass
class CompiledQuery:
    """What a query string turns into. ``strict`` None: no hits; ``relaxed`` None: no fallback to try."""

    node: ast.Node | None
    strict: Query | None
    relaxed: Query | None
    highlights: list[HighlightTerm] = field(default_factory=list)


ValuesFn = Callable[[str, str], list[str]]
DocFrequency = Callable[[str | None], int]

#: Indexes with fewer articles relax queries to any of their words; larger ones to any *informative* word.
RELAXED_MIN_DOCS = 5000
#: A word in more than this share of the articles is not informative (it still counts in the ranking).
RELAXED_COMMON_SHARE = 0.05
#: With no informative word, the relaxed query matches on this many of the rarest words.
RELAXED_RAREST = 3


#: Words of this many characters or more also match inside longer words (see ``QueryBuilder.word_clause``).
LONG_WORD = 4
#: At most this many longer words (the most frequent) stand in for a long word.
MAX_EXPANSIONS = 24
#: The score of a longer word standing in for the query word is scaled by this.
EXPANSION_SCALE = 0.5

Expand = Callable[[str, str], list[str]]
#: ``synonyms(word)``: the other words of the synonym groups of a (folded) word
Synonyms = Callable[[str], Sequence[str]]


class QueryBuilder:
    """Turns syntax trees into Whoosh queries for one index (its analyzer and its stored field values).

    One builder serves every query on its index, from any thread: :meth:`compile` works on a shallow copy
    that holds the statistics callbacks of that query.
    """

    def __init__(
        self,
        analyzer: ChineseTokenizer,
        *,
        weights: Weights | None = None,
        values: ValuesFn | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.weights = weights or Weights()
        self.values: ValuesFn = values or (lambda field_name, value: [value])
        self._words_cache: dict[str, list[Word]] = {}
        self._doc_frequency: DocFrequency | None = None
        self._expand: Expand | None = None
        self._synonyms: Synonyms | None = None  # search.synonyms: a word -> the other words of its groups

    # -- public ----------------------------------------------------------------------------------------------

    def compile(
        self,
        node: ast.Node | None,
        *,
        doc_frequency: DocFrequency | None = None,
        expand: Expand | None = None,
        synonyms: Synonyms | None = None,
    ) -> CompiledQuery:
        """The Whoosh queries for a syntax tree.

        ``doc_frequency(word)`` (articles with the word in the body; ``doc_frequency(None)``: all articles)
        lets the relaxed query of a large index match on its informative words only (see :meth:`_relaxed`);
        ``expand(field, word)`` (the longer indexed words that start with ``word``) lets long words match
        inside longer ones (see :meth:`word_clause`).
        """
        if node is None:
            return CompiledQuery(None, None, None, [])
        c = copy.copy(self)
        c._doc_frequency, c._expand = doc_frequency, expand
        c._synonyms = synonyms
        strict = c._full(node)
        if strict is NullQuery:
            strict = None
        highlights = c._highlights(node)
        relaxed = None
        if strict is not None or c._has_positive_words(node):
            relaxed = c._relaxed(node)
        return CompiledQuery(node, strict, relaxed, highlights)

    # -- words -----------------------------------------------------------------------------------------------

    def _words(self, text: str) -> list[Word]:
        """The base words of ``text`` (jieba's default segmentation, stop words dropped), folded."""
        cached = self._words_cache.get(text)
        if cached is None:
            if len(self._words_cache) >= 4096:
                self._words_cache.clear()
            cached = [w for w in self.analyzer.words(text, removestops=True) if w.base]
            self._words_cache[text] = cached
        return cached

    def _fields(self, field_name: str | None) -> tuple[str, ...]:
        return (TITLE,) if field_name == TITLE else (TITLE, BODY)

    def _boost(self, field_name: str) -> float:
        return self.weights.title if field_name == TITLE else 1.0

    def _longer_words(self, field_name: str, word: str) -> list[str]:
        if self._expand is None or len(word) < LONG_WORD:
            return []
        return self._expand(field_name, word)

    def word_clause(self, word: str, field_name: str | None) -> Query:
        """One base word in the title or the body, or any of its synonyms (see :mod:`search.synonyms`)."""
        others = self._synonyms(word) if self._synonyms is not None else ()
        if not others:
            return self._one_word_clause(word, field_name)
        alternatives = [self._one_word_clause(word, field_name)]
        for other in others:  # a synonym the segmenter splits must match with all of its words
            words = [w.text for w in self._words(other)] or [other]
            alternatives.append(_and([self._one_word_clause(w, field_name) for w in words]))
        return _or(alternatives)

    def _one_word_clause(self, word: str, field_name: str | None) -> Query:
        """One base word, in the title or the body.

        The index holds each article's words in jieba's search mode: a long word brings the 2- and
        3-character dictionary words inside it (农业发展银行 -> 农业, 发展, 银行), so a query word of two or three
        characters matches wherever it stands inside a longer word. A longer query word does not: jieba
        writes 中华人民共和国政府 as one word, without 中华人民共和国. A query word of :data:`LONG_WORD`
        characters or more therefore also matches the indexed words that start with it (up to
        :data:`MAX_EXPANSIONS`, scored at :data:`EXPANSION_SCALE`). On the 75k-article corpus this finds 169 of
        the 170 articles that hold 中华人民共和国 without the word itself; requiring all of its sub-words instead
        would also have matched 846 articles with 常务 and 会议 apart for 常务会议, none of them holding it.
        """
        per_field: list[Query] = []
        for f in self._fields(field_name):
            b = self._boost(f)
            q: Query = Term(f, word, boost=b)
            longer = self._longer_words(f, word)
            if longer:
                q = DisjunctionMax([q, *(Scaled(Term(f, w, boost=b), scale=EXPANSION_SCALE) for w in longer)])
            per_field.append(q)
        return _or(per_field)

    @staticmethod
    def _unit_run(unit_field: str, run: Sequence[Unit], boost: float) -> Query:
        if len(run) == 1:
            return Term(unit_field, run[0].text, boost=boost)
        return ExactPhrase(unit_field, [u.text for u in run], boost=boost)

    def phrase_clause(
        self, runs: Sequence[Sequence[Unit]], field_name: str | None, boost: float = 1.0
    ) -> Query:
        """An exact phrase (all of its runs) in the title or body."""
        per_field = []
        for f in self._fields(field_name):
            b = self._boost(f) * boost
            per_field.append(_and([self._unit_run(GRAM[f], run, b) for run in runs]))
        return _or(per_field)

    @staticmethod
    def _runs(text: str) -> list[list[Unit]]:
        runs: list[list[Unit]] = []
        last = None
        for u in units(text):
            if u.run != last:
                runs.append([])
                last = u.run
            runs[-1].append(u)
        return runs

    def _text_query(self, node: ast.Text) -> Query | None:
        words = self._words(node.text)
        if not words:
            return None
        required = _and([self.word_clause(w.text, node.field) for w in words])
        if self.weights.proximity <= 0 or len(words) < 2:
            return required
        # proximity: the runs holding two or more of the words, to find standing together in the best matches
        runs = []
        for run in self._runs(node.text):
            start, end = run[0].start, run[-1].end
            if sum(1 for w in words if start <= w.start and w.end <= end) >= 2:
                runs.append(phrase_pattern(run))
        if not runs:
            return required
        return ProximityQuery(required, runs, node.field)

    def _phrase_query(self, node: ast.Phrase) -> Query | None:
        runs = self._runs(node.text)
        if not runs:
            return None
        return self.phrase_clause(runs, node.field)

    def _match_query(self, node: ast.Match) -> Query:
        values = self.values(node.field, node.value)
        if not values:
            return NullQuery
        return Scaled(_or([Term(node.field, v) for v in values]), scale=0.0)

    @staticmethod
    def _date_query(node: ast.DateSpan) -> Query:
        lo, hi = date_bounds_utc(node.start, node.end)
        return Scaled(DateRange("published", lo, hi), scale=0.0)

    # -- structure -------------------------------------------------------------------------------------------

    def _parts(self, node: ast.Node) -> tuple[list[Query], list[Query]]:
        """(required, excluded) Whoosh queries of a node in an AND context."""
        if isinstance(node, ast.Text):
            q = self._text_query(node)
            return ([q] if q is not None else []), []
        if isinstance(node, ast.Phrase):
            q = self._phrase_query(node)
            return ([q] if q is not None else []), []
        if isinstance(node, ast.Match):
            return [self._match_query(node)], []
        if isinstance(node, ast.DateSpan):
            return [self._date_query(node)], []
        if isinstance(node, ast.Not):
            q = self._full(node.child)
            return [], ([q] if q is not None and q is not NullQuery else [])
        if isinstance(node, ast.And):
            pos: list[Query] = []
            neg: list[Query] = []
            for child in node.children:
                p, n = self._parts(child)
                pos.extend(p)
                neg.extend(n)
            return pos, neg
        if isinstance(node, ast.Or):
            alternatives = [self._full(child) for child in node.children]
            present = [a for a in alternatives if a is not None]
            if not present:
                return [], []
            useful = [a for a in present if a is not NullQuery]
            return ([_or(useful)] if useful else [NullQuery]), []
        raise TypeError(f"unknown node {node!r}")

    def _full(self, node: ast.Node) -> Query | None:
        """The query for a node on its own: None if it has no positive part, NullQuery if it cannot match."""
        pos, neg = self._parts(node)
        if not pos:
            return None
        if any(q is NullQuery for q in pos):
            return NullQuery
        q = _and(pos)
        if neg:
            q = ExcludingQuery(q, _or(neg))
        return q

    # -- relaxed fallback ------------------------------------------------------------------------------------

    def _leaves(self, node: ast.Node) -> Iterable[ast.Node]:
        """Positive leaves (not under a negation)."""
        if isinstance(node, ast.And | ast.Or):
            for child in node.children:
                yield from self._leaves(child)
        elif not isinstance(node, ast.Not):
            yield node

    def _has_positive_words(self, node: ast.Node) -> bool:
        return any(isinstance(leaf, ast.Text | ast.Phrase) for leaf in self._leaves(node))

    def _relaxed(self, node: ast.Node) -> Query | None:
        """Any of the words, ranked by how many match: each matching word adds ``relaxed_bonus``.

        On a large index (:data:`RELAXED_MIN_DOCS` articles or more, with ``doc_frequency`` given) a document
        must hold one of the informative words (in at most :data:`RELAXED_COMMON_SHARE` of the articles, or
        else the :data:`RELAXED_RAREST` rarest words); the common words of a question (哪, 公司, 时间 ...) only
        add to the score. Matching every article with a common word would cost a pass over most of the
        index and rank nothing better.
        """
        clauses: dict[tuple[str, str | None], Query] = {}
        loosened = False
        for leaf in self._leaves(node):
            if isinstance(leaf, ast.Text | ast.Phrase):
                loosened = loosened or isinstance(leaf, ast.Phrase)
                # question words left out, unknown words split into known pieces (search.questionwords)
                words = [w.text for w in self._words(leaf.text)]
                relaxed = relaxed_words(words, self._doc_frequency)
                loosened = loosened or [t for t, _ in relaxed] != words or any(e for _, e in relaxed)
                for text, exact in relaxed:
                    key = (text, leaf.field)
                    if key not in clauses:
                        if exact:
                            clause = self.phrase_clause(self._runs(text), leaf.field)
                        else:
                            clause = self.word_clause(text, leaf.field)
                        clauses[key] = Scaled(clause, add=self.weights.relaxed_bonus)
        if not clauses or (len(clauses) == 1 and not loosened):
            return None
        top = node.children if isinstance(node, ast.And) else (node,)
        required: list[Query] = []
        excluded: list[Query] = []
        for child in top:
            if isinstance(child, ast.Match | ast.DateSpan):
                required.extend(self._parts(child)[0])
            elif isinstance(child, ast.Not):
                excluded.extend(self._parts(child)[1])
        if any(q is NullQuery for q in required):
            return None
        anyword: Query = Or(list(clauses.values()))
        doc_frequency = self._doc_frequency
        total = doc_frequency(None) if doc_frequency is not None else 0
        if doc_frequency is not None and total >= RELAXED_MIN_DOCS:
            by_df = sorted(clauses, key=lambda k: doc_frequency(k[0]))
            limit = total * RELAXED_COMMON_SHARE
            informative = [k for k in by_df if doc_frequency(k[0]) <= limit] or by_df[:RELAXED_RAREST]
            common = [k for k in by_df if k not in informative]
            anyword = _or([clauses[k] for k in informative])
            if common:
                anyword = BonusQuery(anyword, _or([clauses[k] for k in common]))
        q = _and([*required, anyword])
        if excluded:
            q = ExcludingQuery(q, _or(excluded))
        return q

    # -- highlighting ----------------------------------------------------------------------------------------

    def _highlights(self, node: ast.Node) -> list[HighlightTerm]:
        words: list[HighlightTerm] = []
        phrases: list[HighlightTerm] = []
        seen: dict[str, int] = {}
        for leaf in self._leaves(node):
            if isinstance(leaf, ast.Text):
                # the words only (not their search-mode sub-words: 公安部 does not mark 公安 in 公安机关)
                for w in self._words(leaf.text):
                    if w.text in seen:
                        continue
                    seen[w.text] = len(seen)
                    words.append(HighlightTerm(w.text, seen[w.text]))
                    for other in self._synonyms(w.text) if self._synonyms is not None else ():
                        words.append(HighlightTerm(other, seen[w.text]))  # a synonym is marked like its word
            elif isinstance(leaf, ast.Phrase):
                key = '"' + leaf.text
                if key in seen:
                    continue
                group = seen[key] = len(seen)
                for run in self._runs(leaf.text):
                    text = "".join(u.text for u in run)
                    phrases.append(HighlightTerm(text, group, phrase_pattern(run)))
        # one-character words (由, 哪, 3 ...) are marked only when the query has nothing longer
        if phrases or any(len(t.text) > 1 for t in words):
            words = [t for t in words if len(t.text) > 1]
        return words + phrases


_SEPARATORS = r"[\s\-_./'\u00b7\u2027\u30fb]"


def phrase_pattern(run: Sequence[Unit]) -> re.Pattern[str]:
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
        pattern = f"(?<![^\\W_{CJK_CLASS}])" + pattern
    if not is_single_unit_char(run[-1].text):
        pattern += f"(?![^\\W_{CJK_CLASS}])"
    return re.compile(pattern)
