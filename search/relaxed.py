"""The relaxed (any-word) query of :class:`search.plan.QueryBuilder`: the fallback of a short query and the
partial tier of a long one.

* **A short query** (:meth:`RelaxedQueries._relaxed` with ``long`` False) relaxes to any of its words, each
  matching word adding :attr:`~search.clauses.Weights.relaxed_bonus`, so articles with more of the words come
  first. Question words are left out and a word no article holds is matched as exact characters and by its
  known pieces (:mod:`search.questionwords`).
* **A long query** (a question, a headline) relaxes to a :class:`~search.ranking.Coordinated` union of its
  words (their BM25F scores times the idf-weighted share of the words an article holds) with the proximity of
  each pair of neighbouring words (:class:`~search.nodes.Near`). Two additions (issue 25):

  - a word of :data:`SUB_WORD_MIN` characters or more also matches by its sub-words (the dictionary words
    inside it, as the segmenter's search mode cuts it and the index holds them: 举办活动 -> 举办, 活动;
    代理人 -> 代理), their scores summed and scaled by :data:`SUB_WORD_SCALE` beside the word's own: the query
    keeps 举办活动 whole where the article writes 举办了……活动, as bm25s's search-mode query tokens match it;
  - an article whose title is made entirely of the query's words (the name a question asks about:
    前肛鳗 for 前肛鳗属于什么科？) scores :data:`TITLE_COVER` more (:class:`TitleCovered`).

On a large index only the informative words (:data:`RELAXED_COMMON_SHARE`) make an article a candidate; the
common ones add to its score. Measured on the relevance sets: ``bench/results/relevance.md``.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from indexer.analysis import units
from indexer.compat import field_lengths
from search import query as ast
from search import scoring
from search.clauses import BODY, GRAM, TITLE, Clauses, all_of, any_of
from search.highlights import phrase_regex
from search.nodes import AnyOf, Excluding, Matches, Near, Node, Nothing, Scaled, Term, WithBonus
from search.questionwords import relaxed_words
from search.ranking import Coordinated

if TYPE_CHECKING:
    from search.context import Context, IndexStatistics

#: The node of a part that cannot match (a ``source:`` value no article has).
NOTHING = Nothing()

DocFrequency = Callable[[str | None], int]

#: Indexes with fewer articles relax queries to any of their words; larger ones to any *informative* word.
RELAXED_MIN_DOCS = 5000
#: A word in more than this share of the articles is not informative (it still counts in the ranking).
RELAXED_COMMON_SHARE = 0.05
#: With no informative word, the relaxed query matches on this many of the rarest words.
RELAXED_RAREST = 3
#: A long query's words of this many characters or more are also matched by their sub-words.
SUB_WORD_MIN = 3
#: The score factor of a sub-word of a long query's word (0: sub-words are not matched).
SUB_WORD_SCALE = 0.5
#: True: a word's sub-words are part of its clause (an article holding one of them holds the word in the
#: coordination factor); False: each sub-word is a word of the union of its own, with its own idf (measured
#: worse on every set: bench/results/relevance.md).
SUB_WORDS_INSIDE = True

#: A long query's partial match scores ``1 + TITLE_COVER * share ** TITLE_COVER_POWER`` times more, ``share``
#: the part of its title (in units, characters) that the query's words cover (:class:`TitleCovered`; 0: off).
#: The power is infinite: only a title made entirely of the query's words counts (lower powers lost up to
#: 0.04 on the headline set, whose distractors' titles share many words with a headline).
TITLE_COVER = 0.25
TITLE_COVER_POWER = math.inf

Key = tuple[str, str | None]

_title_units: weakref.WeakKeyDictionary[IndexStatistics, np.ndarray] = weakref.WeakKeyDictionary()


def title_units(ctx: Context) -> np.ndarray:
    """Every document's title length in units (the ``title_ng`` field length; 1 for an empty title), kept
    per pinned index."""
    lengths = _title_units.get(ctx.stats)
    if lengths is None:
        parts = [field_lengths(seg.reader, GRAM[TITLE]) for seg in ctx.segments]
        lengths = _title_units[ctx.stats] = np.concatenate(parts) if parts else np.zeros(0)
    return lengths


@dataclass(frozen=True, slots=True)
class TitleCovered(Coordinated):
    """A :class:`~search.ranking.Coordinated` union whose score is multiplied by ``1 + cover * share **
    cover_power``, ``share`` the part of the article's title (in units) that the query's ``cover_words`` it
    holds there cover (each word with its length in units). A title made of the query's words (the name a
    question asks about: 前肛鳗, 城巴11线) says what the article is about; a title that shares a word of it
    (异齿前肛鳗, 城巴12M线) says less."""

    cover_words: tuple[tuple[str, int], ...] = ()
    cover: float = 0.0
    cover_power: float = 1.0

    def evaluate(self, ctx: Context, within: np.ndarray | None) -> Matches:
        # each word counted once, the share capped at 1 (title lengths are Whoosh's, exact up to 10 units and
        # rounded up above: a longer title made of the query's words may be missed)
        m = Coordinated.evaluate(self, ctx, within)
        if not len(m) or not self.cover:
            return m
        covered = np.zeros(len(m.docs))
        for word, size in self.cover_words:
            held = Term(TITLE, word).evaluate(ctx, m.docs)
            if len(held):
                covered[np.searchsorted(m.docs, held.docs)] += size
        if not covered.any():
            return m
        share = np.minimum(covered / np.maximum(title_units(ctx)[m.docs], 1.0), 1.0)
        return Matches(m.docs, m.scores * scoring.title_cover_factor(share, self.cover, self.cover_power))


class RelaxedQueries(Clauses):
    """The relaxed query of a syntax tree; :class:`search.plan.QueryBuilder` adds the rest (``_parts``)."""

    _doc_frequency: DocFrequency | None = None

    def _parts(self, node: ast.Node) -> tuple[list[Node], list[Node]]:
        """(required, excluded) query trees of a node in an AND context (:class:`search.plan.QueryBuilder`)."""
        raise NotImplementedError

    def _leaves(self, node: ast.Node) -> Iterable[ast.Node]:
        """Positive leaves (not under a negation)."""
        if isinstance(node, ast.And | ast.Or):
            for child in node.children:
                yield from self._leaves(child)
        elif not isinstance(node, ast.Not):
            yield node

    def _has_positive_words(self, node: ast.Node) -> bool:
        return any(isinstance(leaf, ast.Text | ast.Phrase) for leaf in self._leaves(node))

    def _idf(self, word: str) -> float:
        """The weight of a word in the coordination factor: its BM25 idf in the body (1 without statistics)."""
        if self._doc_frequency is None:
            return 1.0
        total, df = self._doc_frequency(None), self._doc_frequency(word)
        return scoring.bm25_idf(total, df)

    def _pairs(self, node: ast.Node) -> list[tuple[str, str | None]]:
        """The patterns of each two neighbouring words of the query's terms (for the proximity factor)."""
        out: list[tuple[str, str | None]] = []
        for leaf in self._leaves(node):
            if not isinstance(leaf, ast.Text | ast.Phrase):
                continue
            words = self._words(leaf.text)
            for a, b in zip(words, words[1:], strict=False):
                runs = self._runs(leaf.text[a.start : b.end])
                if len(runs) == 1:
                    out.append((phrase_regex(runs[0]), leaf.field))
        return out

    def _cover_words(self, node: ast.Node) -> tuple[tuple[str, int], ...]:
        """The query's words that a title may be made of (not the question words, not those of a ``body:``
        term), each with its length in units."""
        out: dict[str, int] = {}
        for leaf in self._leaves(node):
            if isinstance(leaf, ast.Text | ast.Phrase) and leaf.field != BODY:
                for text, _ in relaxed_words([w.text for w in self._words(leaf.text)]):
                    out.setdefault(text, len(units(text)))
        return tuple(out.items())

    def sub_words(self, word: str) -> list[str]:
        """The search-mode sub-words of a (folded) word of :data:`SUB_WORD_MIN` characters or more: the
        dictionary words inside it that the index holds beside it (代理人 -> 代理)."""
        if len(word) < SUB_WORD_MIN:
            return []
        return list(dict.fromkeys(w.text for w in self.analyzer.words(word) if not w.base and w.text != word))

    def _word_clauses(self, node: ast.Node, long: bool) -> tuple[dict[Key, Node], bool]:
        """The clause of each word of the relaxed query, and whether the query was loosened (a phrase taken as
        words, a question word left out, an unknown word split). A long query's words match by their
        sub-words too (:meth:`_with_sub_words`)."""
        clauses: dict[Key, Node] = {}
        own: dict[Key, Node] = {}  # sub-words as words of their own (SUB_WORDS_INSIDE off)
        loosened = False
        for leaf in self._leaves(node):
            if not isinstance(leaf, ast.Text | ast.Phrase):
                continue
            loosened = loosened or isinstance(leaf, ast.Phrase)
            # question words left out, unknown words split into known pieces (search.questionwords)
            words = [w.text for w in self._words(leaf.text)]
            relaxed = relaxed_words(words, self._doc_frequency)
            loosened = loosened or [t for t, _ in relaxed] != words or any(e for _, e in relaxed)
            for text, exact in relaxed:
                key = (text, leaf.field)
                if key in clauses:
                    continue
                if exact:
                    clauses[key] = self.phrase_clause(text, self._runs(text), leaf.field)
                else:
                    clauses[key] = self.word_clause(text, leaf.field)
                if long and not exact:
                    clauses[key] = self._with_sub_words(text, leaf.field, clauses[key], own)
                elif not long:
                    clauses[key] = Scaled(clauses[key], add=self.weights.relaxed_bonus)
        for key, clause in own.items():
            clauses.setdefault(key, clause)  # a word of the query itself keeps its own clause
        return clauses, loosened

    def _with_sub_words(self, word: str, field: str | None, clause: Node, own: dict[Key, Node]) -> Node:
        """A long query's word clause, also matching by the word's sub-words (:meth:`sub_words`): their
        clauses summed and scaled by :data:`SUB_WORD_SCALE` beside it (or put in ``own``, as words of their
        own, with :data:`SUB_WORDS_INSIDE` off)."""
        parts = self.sub_words(word) if SUB_WORD_SCALE > 0 else []
        if not parts:
            return clause
        scaled = [Scaled(self.word_clause(p, field), scale=SUB_WORD_SCALE) for p in parts]
        if not SUB_WORDS_INSIDE:
            for p, c in zip(parts, scaled, strict=True):
                own.setdefault((p, field), c)
            return clause
        return AnyOf((clause, *scaled))

    def _relaxed(self, node: ast.Node, long: bool = False) -> Node | None:
        """Any of the words, ranked by how many match: each matching word adds ``relaxed_bonus`` (a long query:
        a :class:`~search.ranking.Coordinated` union, see :mod:`search.ranking`).

        On a large index (:data:`RELAXED_MIN_DOCS` articles or more, with ``doc_frequency`` given) a document
        must hold one of the informative words (in at most :data:`RELAXED_COMMON_SHARE` of the articles, or
        else the :data:`RELAXED_RAREST` rarest words); the common words of a question (哪, 公司, 时间 ...) only
        add to the score. Matching every article with a common word would cost a pass over most of the
        index and rank nothing better.
        """
        clauses, loosened = self._word_clauses(node, long)
        if not clauses or (len(clauses) == 1 and not loosened):
            return None
        top = node.children if isinstance(node, ast.And) else (node,)
        required: list[Node] = []
        excluded: list[Node] = []
        for child in top:
            if isinstance(child, ast.Match | ast.DateSpan):
                required.extend(self._parts(child)[0])
            elif isinstance(child, ast.Not):
                excluded.extend(self._parts(child)[1])
        if any(q is NOTHING for q in required):
            return None
        anyword: Node = AnyOf(tuple(clauses.values()))
        informative, common = list(clauses), []
        doc_frequency = self._doc_frequency
        total = doc_frequency(None) if doc_frequency is not None else 0
        if doc_frequency is not None and total >= RELAXED_MIN_DOCS:
            by_df = sorted(clauses, key=lambda k: doc_frequency(k[0]))
            limit = total * RELAXED_COMMON_SHARE
            informative = [k for k in by_df if doc_frequency(k[0]) <= limit] or by_df[:RELAXED_RAREST]
            common = [k for k in by_df if k not in informative]
            anyword = any_of([clauses[k] for k in informative])
            if common:
                anyword = WithBonus(anyword, any_of([clauses[k] for k in common]))
        if long:
            keys = [*informative, *common]
            anyword = TitleCovered(
                tuple(clauses[k] for k in keys),
                tuple(self._idf(k[0]) for k in keys),
                required=len(informative),
                power=self.weights.coordination,
                cover_words=self._cover_words(node),
                cover=TITLE_COVER,
                cover_power=TITLE_COVER_POWER,
            )
            pairs = self._pairs(node) if self.weights.long_proximity > 0 else []
            if pairs:
                anyword = Near(anyword, tuple(p for p, _ in pairs), self.weights.long_proximity_field)
        q = all_of([*required, anyword])
        if excluded:
            q = Excluding(q, any_of(excluded))
        return q
