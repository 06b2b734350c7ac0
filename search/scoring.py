"""Scoring: every formula of the ranking as a small pure function on numbers and arrays.

The query tree (:mod:`search.nodes`) and the rankers (:mod:`search.collect`, :mod:`search.ranking`) call these;
none reads the index. The statistics they take (document frequencies, field lengths) come from
:class:`search.context.Context`.

* :func:`idf` and :func:`bm25f`: Whoosh's BM25F, term by term (``idf * tf * (K1 + 1) / (tf + norm)`` with the
  length norm of :func:`length_norms`); the engine reference test holds every score to Whoosh's own to 1e-9.
* :func:`bm25_idf`: Lucene's BM25 idf (bm25s's ``lucene`` variant), the weight of a word in the coordination of
  a long query and in :func:`rarity_factor`.
* :func:`coordination`: the share of a long query's word weight an article holds, to a power.
* :func:`rarity_factor`: how much a word of a long query counts in a partial match.
* :func:`proximity_factor`: the boost of an article where the runs of words typed together stand together.
* :func:`title_cover_factor`: the boost of a long query's partial match whose title the query's words make up.
"""

from __future__ import annotations

import math

import numpy as np

#: BM25F's defaults, as Whoosh's ``BM25F()``.
K1, B = 1.2, 0.75


def idf(doc_count: int, df: int) -> float:
    """Whoosh's idf: ``log(N / (df + 1)) + 1`` (``N`` every document, deleted ones too, as its statistics)."""
    return math.log(doc_count / (df + 1)) + 1.0


def bm25_idf(doc_count: int, df: int) -> float:
    """Lucene's BM25 idf, ``log(1 + (N - df + 0.5) / (df + 0.5))``: never negative, 0 for a word in every
    document."""
    return math.log(1 + (doc_count - df + 0.5) / (df + 0.5))


def length_norms(lengths: np.ndarray, average: float, k1: float = K1, b: float = B) -> np.ndarray:
    """``K1 * ((1 - B) + B * length / average)`` of each document's field length (an empty field: average 1)."""
    return k1 * ((1 - b) + b * np.asarray(lengths, dtype=np.float64) / (average or 1))


def bm25f(
    tfs: np.ndarray, norms: np.ndarray, term_idf: float, k1: float = K1, boost: float = 1.0
) -> np.ndarray:
    """A term's BM25F score in each document: ``idf * boost * tf * (K1 + 1) / (tf + norm)``, ``norms`` the
    documents' :func:`length_norms` in the field."""
    return (term_idf * (k1 + 1) * boost) * tfs / (tfs + norms)


def coordination(held: np.ndarray, total: float, power: float) -> np.ndarray:
    """``(held / total) ** power``: the share of the query's word weight each document holds (1 with power 0)."""
    if not power:
        return np.ones(len(held), dtype=np.float64)
    return (np.asarray(held, dtype=np.float64) / total) ** power


def rarity_factor(weight: float, power: float) -> float:
    """The factor of a word's score in a partial match: ``(w / (w + 1)) ** power``, ``w`` its :func:`bm25_idf`;
    roughly Lucene's idf over Whoosh's, to the power. With power 2: 0.78 for a word in 10 of 22,000
    articles, 0.49 in a tenth of them, 0.17 in half of them."""
    return (weight / (weight + 1.0)) ** power


def proximity_factor(found: float, runs: int, weight: float) -> float:
    """``1 + weight * found / runs``: ``found`` counts, over the ``runs`` of words typed together, the fields
    (title, body) where the run stands together; no run: 1."""
    return 1.0 + weight * found / runs if runs else 1.0


def title_cover_factor(share: np.ndarray, cover: float, power: float) -> np.ndarray:
    """``1 + cover * share ** power``: ``share`` the part of each article's title the query's words cover (with
    an infinite power, only a title they cover whole counts)."""
    return 1.0 + cover * share**power
