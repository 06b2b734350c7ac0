"""From the syntax tree of :mod:`search.query` to the query tree of :mod:`search.nodes`, plus the terms the
snippets mark.

Semantics (the help page says the same in user words):

* **Words.** A term is analysed with the index's own analyzer (``ix.schema["title"].analyzer``), so it is folded
  (traditional -> simplified, full-width -> ASCII, lower case) and segmented exactly like the articles. Every
  *base* word must match, in the title or the body; a word of four characters or more also matches inside
  longer indexed words (中华人民共和国 in 中华人民共和国政府, see :meth:`QueryBuilder.word_clause`). Stop words
  are dropped; a term made only of stop words or punctuation adds nothing.
* **Proximity.** A run of two or more words typed together (``电信网络诈骗``) adds an optional exact-phrase clause
  over the unit fields: articles where the words stand together rank above those where they are scattered.
* **Phrases** are exact over the unit fields (``title_ng``/``body_ng``, see :mod:`indexer.analysis`): a phrase is
  a :class:`~search.nodes.Phrase` over its units (one CJK character, or a run of other letters and digits) at
  consecutive positions, a one-unit phrase a :class:`~search.nodes.Term`. Whitespace, symbols and the connectors ``- _ . ' /`` inside a phrase
  are ignored like in the index; punctuation splits a phrase into runs that must all match (each exactly, not
  necessarily next to each other: the index leaves a position gap at punctuation).
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
  (:mod:`search.questionwords`). Built by :class:`search.relaxed.RelaxedQueries`.
* **Long queries** (:attr:`CompiledQuery.long`: :data:`LONG_QUERY_WORDS` words or more, or a question of two or
  more, without ``OR``): the relaxed query is a :class:`~search.ranking.Coordinated` union instead (no fixed
  bonus: the words' BM25F scores times the idf-weighted share of the words an article holds) with the
  proximity of each pair of neighbouring words, a long word matching by its sub-words too (举办活动 by 举办 and
  活动, scaled) and a title made of the query's words counting (:mod:`search.relaxed`), and it fills the page
  after the articles with every word, not only when there are none (:func:`search.ranking.collect_long`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from indexer.analysis import ChineseTokenizer
from indexer.normalize import fold
from search import query as ast
from search.clauses import Expand, Synonyms, Weights, all_of, any_of, has_digit
from search.filters import date_bounds_long
from search.highlights import HighlightTerm, phrase_pattern, phrase_regex, spanning_pattern
from search.nodes import AnyOf, DateRange, Excluding, Near, Node, Scaled, Term
from search.questionwords import is_question_word
from search.relaxed import NOTHING, DocFrequency, RelaxedQueries


@dataclass
class CompiledQuery:
    """What a query string turns into. ``strict`` None: no hits; ``relaxed`` None: no fallback to try."""

    node: ast.Node | None
    strict: Node | None
    relaxed: Node | None
    highlights: list[HighlightTerm] = field(default_factory=list)
    #: a long query (a question, a headline, a sentence): ranked by :func:`search.ranking.collect_long`
    long: bool = False
    #: parts of it are matched as the characters typed, its words failing there (:mod:`search.typed`)
    typed: bool = False


ValuesFn = Callable[[str, str], list[str]]
#: A query of this many words or more (after stop words) is a long query, and so is a question of two or more.
LONG_QUERY_WORDS = 4
#: What a question may end with.
QUESTION_MARKS = "?？"


class QueryBuilder(RelaxedQueries):
    """Turns syntax trees into query trees for one index (its analyzer and its stored field values).

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
        super().__init__(analyzer, weights)
        self.values: ValuesFn = values or (lambda field_name, value: [value])
        self._doc_frequency: DocFrequency | None = None

    # -- public ----------------------------------------------------------------------------------------------

    def compile(
        self,
        node: ast.Node | None,
        *,
        doc_frequency: DocFrequency | None = None,
        expand: Expand | None = None,
        synonyms: Synonyms | None = None,
    ) -> CompiledQuery:
        """The query trees (strict and relaxed) for a syntax tree.

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
        long = c._is_long(node)
        if long:  # its words in a title count for less (see Weights.long_title)
            c.weights = replace(c.weights, title=c.weights.long_title)
        strict = c._full(node)
        if strict is NOTHING:
            strict = None
        highlights = c._highlights(node)
        relaxed = None
        if strict is not None or c._has_positive_words(node):
            relaxed = c._relaxed(node, long)
        return CompiledQuery(node, strict, relaxed, highlights, long=long and relaxed is not None)

    def _text_query(self, node: ast.Text) -> Node | None:
        words = self._words(node.text)
        if not words:
            return None
        required = all_of([self.word_clause(w.text, node.field) for w in words])
        if len(words) > 1 and has_digit(node.text):
            # numbers with a unit (5.3万, 3768亿): the article may cut them otherwise (5.3/万余名); where the text
            # stands as typed, the term matches too
            runs = self._runs(node.text)
            if runs:
                required = AnyOf((required, self.phrase_clause(node.text, runs, node.field)))
        if self.weights.proximity <= 0 or len(words) < 2:
            return required
        # proximity: the runs holding two or more of the words, to find standing together in the best matches
        runs = []
        for run in self._runs(node.text):
            start, end = run[0].start, run[-1].end
            if sum(1 for w in words if start <= w.start and w.end <= end) >= 2:
                runs.append(phrase_regex(run))
        if not runs:
            return required
        return Near(required, tuple(runs), node.field)

    def _phrase_query(self, node: ast.Phrase) -> Node | None:
        runs = self._runs(node.text)
        if not runs:
            return None
        return self.phrase_clause(node.text, runs, node.field)

    def _match_query(self, node: ast.Match) -> Node:
        values = self.values(node.field, node.value)
        if not values:
            return NOTHING
        return Scaled(any_of([Term(node.field, v) for v in values]), scale=0.0)

    @staticmethod
    def _date_query(node: ast.DateSpan) -> Node:
        return Scaled(DateRange(*date_bounds_long(node.start, node.end)), scale=0.0)

    # -- structure -------------------------------------------------------------------------------------------

    def _parts(self, node: ast.Node) -> tuple[list[Node], list[Node]]:
        """(required, excluded) query trees of a node in an AND context."""
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
            return [], ([q] if q is not None and q is not NOTHING else [])
        if isinstance(node, ast.And):
            pos: list[Node] = []
            neg: list[Node] = []
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
            useful = [a for a in present if a is not NOTHING]
            return ([any_of(useful)] if useful else [NOTHING]), []
        raise TypeError(f"unknown node {node!r}")

    def _full(self, node: ast.Node) -> Node | None:
        """The query for a node on its own: None if it has no positive part, NOTHING if it cannot match."""
        pos, neg = self._parts(node)
        if not pos:
            return None
        if any(q is NOTHING for q in pos):
            return NOTHING
        q = all_of(pos)
        if neg:
            q = Excluding(q, any_of(neg))
        return q

    # -- long queries ----------------------------------------------------------------------------------------

    def _is_long(self, node: ast.Node) -> bool:
        """A question, a headline, a sentence: :data:`LONG_QUERY_WORDS` words or more, or a question (a question
        word or mark) of two or more; never a query with ``OR`` (its alternatives say what is wanted)."""
        if ast.has_or(node):
            return False
        texts = [leaf.text for leaf in self._leaves(node) if isinstance(leaf, ast.Text)]
        words = {w.text for text in texts for w in self._words(text)}
        if len(words) >= LONG_QUERY_WORDS:
            return True
        question = any(is_question_word(w) for w in words) or any(
            m in t for t in texts for m in QUESTION_MARKS
        )
        return question and len(words) >= 2

    # -- highlighting ----------------------------------------------------------------------------------------

    def _highlights(self, node: ast.Node) -> list[HighlightTerm]:
        words: list[HighlightTerm] = []
        phrases: list[HighlightTerm] = []
        seen: dict[str, int] = {}
        for leaf in self._leaves(node):
            if isinstance(leaf, ast.Text):
                words_of = self._words(leaf.text)
                if len(words_of) > 1 and has_digit(leaf.text) and (runs := self._runs(leaf.text)):
                    # a number with its unit is marked whole where it stands as typed (5.3万 in 5.3万余名)
                    pattern = spanning_pattern(leaf.text, runs) if len(runs) > 1 else phrase_pattern(runs[0])
                    group = seen.setdefault("#" + leaf.text, len(seen))  # a group of its own, like a phrase
                    phrases.append(HighlightTerm(fold(leaf.text), group, pattern))
                # the words only (not their search-mode sub-words: 公安部 does not mark 公安 in 公安机关)
                for w in words_of:
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
                runs = self._runs(leaf.text)
                if len(runs) > 1:  # marked whole, punctuation included
                    text = fold(leaf.text)
                    phrases.append(HighlightTerm(text, group, spanning_pattern(leaf.text, runs)))
                for run in runs if len(runs) == 1 else ():
                    text = "".join(u.text for u in run)
                    phrases.append(HighlightTerm(text, group, phrase_pattern(run)))
        # one-character words (由, 哪, 3 ...) are marked only when the query has nothing longer
        if phrases or any(len(t.text) > 1 for t in words):
            words = [t for t in words if len(t.text) > 1]
        return words + phrases
