"""How one word or one phrase of a query becomes query nodes (:mod:`search.nodes`) for one index.

A word matches in the title or the body (the title's score scaled by :attr:`Weights.title`), also inside longer
indexed words when it is long (see :meth:`Clauses.word_clause`) and as any of its synonyms; a phrase is its
units at consecutive positions of the unit fields, with the gaps the index leaves at punctuation
(:meth:`Clauses.phrase_clause`). :class:`search.plan.QueryBuilder` puts the clauses together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from indexer.analysis import ChineseTokenizer, Unit, Word, units
from search.highlights import spanning_regex
from search.nodes import AllOf, AnyOf, BestOf, Node, Phrase, Scaled, Term

TITLE, BODY = "title", "body"
GRAM = {TITLE: "title_ng", BODY: "body_ng"}


@dataclass(frozen=True)
class Weights:
    """Query-side ranking weights (BM25F does the rest; the relevance issue tunes these by measurement)."""

    #: Factor of a word's BM25F score in the title. Below 1: the title is short, so a title match already
    #: scores high; 0.5 ranked best of 0.25-2 on the CMRC questions (bench/results/relevance.md).
    title: float = 0.5
    #: Score factor of an article where a run of the query's words stands together: 1 + proximity for each
    #: of title and body that has it (averaged over the runs), see :class:`search.nodes.Near`.
    proximity: float = 0.5
    #: The score each matching word adds in the relaxed fallback of a short query (more words first).
    relaxed_bonus: float = 2.0
    #: Long queries (questions, headlines: :mod:`search.ranking`), measured on the CMRC questions and the xwlb
    #: headlines (bench/results/relevance.md). A partial match's score is its words' scores times the
    #: idf-weighted share of the query's words it holds, raised to this power.
    coordination: float = 0.5
    #: The title factor of a long query's words: a short title that shares two common words with a long
    #: query scores high in BM25F without being about it.
    long_title: float = 0.25
    #: The proximity factor of a long query: 1 + this times the share of its pairs of neighbouring words
    #: that stand together in the article's body (in ``long_proximity_field``; None: title and body).
    long_proximity: float = 1.0
    long_proximity_field: str | None = "body"


def has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


def all_of(qs: Sequence[Node]) -> Node:
    return qs[0] if len(qs) == 1 else AllOf(tuple(qs))


def any_of(qs: Sequence[Node]) -> Node:
    return qs[0] if len(qs) == 1 else AnyOf(tuple(qs))


# -- the compiled query --------------------------------------------------------------------------------------


#: Words of this many characters or more also match inside longer words (see ``QueryBuilder.word_clause``).
LONG_WORD = 4
#: At most this many longer words (the most frequent) stand in for a long word.
MAX_EXPANSIONS = 24
#: The score of a longer word standing in for the query word is scaled by this.
EXPANSION_SCALE = 0.5

Expand = Callable[[str, str], list[str]]
#: ``synonyms(word)``: the other words of the synonym groups of a (folded) word
Synonyms = Callable[[str], Sequence[str]]


class Clauses:
    """The clause makers of one index (its analyzer, the ranking weights); :meth:`search.plan.QueryBuilder.compile`
    gives a copy the statistics callbacks of one query."""

    def __init__(self, analyzer: ChineseTokenizer, weights: Weights | None = None) -> None:
        self.analyzer = analyzer
        self.weights = weights or Weights()
        self._words_cache: dict[str, list[Word]] = {}
        self._expand: Expand | None = None
        self._synonyms: Synonyms | None = None  # search.synonyms: a word -> the other words of its groups

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

    def word_clause(self, word: str, field_name: str | None) -> Node:
        """One base word in the title or the body, or any of its synonyms (see :mod:`search.synonyms`)."""
        others = self._synonyms(word) if self._synonyms is not None else ()
        if not others:
            return self._one_word_clause(word, field_name)
        alternatives = [self._one_word_clause(word, field_name)]
        for other in others:  # a synonym the segmenter splits must match with all of its words
            words = [w.text for w in self._words(other)] or [other]
            alternatives.append(all_of([self._one_word_clause(w, field_name) for w in words]))
        return any_of(alternatives)

    def _one_word_clause(self, word: str, field_name: str | None) -> Node:
        """One base word, in the title or the body.

        The index holds each article's words in jieba's search mode: a long word brings the 2- and
        3-character dictionary words inside it (农业发展银行 -> 农业, 发展, 银行), so a query word of two or three
        characters matches wherever it stands inside a longer word. A longer query word does not: jieba
        writes 中华人民共和国政府 as one word, without 中华人民共和国. A query word of :data:`LONG_WORD`
        characters or more therefore also matches the indexed words that start with it (up to
        :data:`MAX_EXPANSIONS`, scored at :data:`EXPANSION_SCALE`): on news this finds nearly every article that
        holds 中华人民共和国 without the word itself, where requiring all of its sub-words instead would also match
        the many articles with 常务 and 会议 apart for 常务会议, none of them holding it.
        """
        per_field: list[Node] = []
        for f in self._fields(field_name):
            b = self._boost(f)
            q: Node = Term(f, word, boost=b)
            longer = self._longer_words(f, word)
            if longer:
                q = BestOf((q, *(Scaled(Term(f, w, boost=b), scale=EXPANSION_SCALE) for w in longer)))
            per_field.append(q)
        return any_of(per_field)

    @staticmethod
    def _unit_run(unit_field: str, run: Sequence[Unit], boost: float) -> Node:
        if len(run) == 1:
            return Term(unit_field, run[0].text, boost=boost)
        return Phrase(unit_field, tuple(u.text for u in run), boost=boost)

    def phrase_clause(
        self, text: str, runs: Sequence[Sequence[Unit]], field_name: str | None, boost: float = 1.0
    ) -> Node:
        """An exact phrase in the title or body.

        A phrase of several runs (punctuation inside, ``"2:2"``) is one :class:`~search.nodes.Phrase` whose
        units keep the position gaps the index leaves at punctuation, checked against the stored text for the
        punctuation itself (2:2, not 2,2).
        """
        per_field = []
        for f in self._fields(field_name):
            b = self._boost(f) * boost
            if len(runs) == 1:
                per_field.append(self._unit_run(GRAM[f], runs[0], b))
                continue
            every = [u for run in runs for u in run]
            per_field.append(
                Phrase(
                    GRAM[f],
                    tuple(u.text for u in every),
                    boost=b,
                    offsets=tuple(u.pos - every[0].pos for u in every),
                    verify=spanning_regex(text, runs),
                )
            )
        return any_of(per_field)

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
