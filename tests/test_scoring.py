"""search.scoring's formulas against their references: Whoosh's BM25F (``whoosh.scoring``) and bm25s's Lucene
variant (``bm25s.scoring``) on grids of values. The scores the engine computes with them on real indexes are
held to Whoosh's own searcher by tests/test_engine_reference.py."""

from __future__ import annotations

import math

import bm25s.scoring
import numpy as np
import pytest
from whoosh import scoring as whoosh_scoring

from search import scoring

DFS = [0, 1, 2, 7, 100, 999, 10_000, 99_999, 100_000]


@pytest.mark.parametrize("df", DFS)
def test_idf_is_whooshs(df: int) -> None:
    assert (
        scoring.idf(100_000, df) == math.log(100_000 / (df + 1)) + 1
    )  # BM25F.idf, as whoosh.scoring writes it


@pytest.mark.parametrize("df", DFS)
def test_bm25_idf_is_bm25s_lucene_variant(df: int) -> None:
    assert scoring.bm25_idf(100_000, df) == pytest.approx(
        bm25s.scoring._score_idf_lucene(df, 100_000), abs=1e-12
    )


def test_bm25f_is_whooshs_bm25_on_a_grid() -> None:
    rng = np.random.default_rng(7)
    tfs = rng.integers(1, 40, 500).astype(np.float64)
    lengths = rng.integers(0, 3_000, 500).astype(np.float64)
    for k1, b, average, boost, term_idf in [
        (1.2, 0.75, 412.5, 1.0, 3.1),
        (2.0, 0.3, 9.0, 0.4, 11.0),
        (0.9, 1.0, 1.0, 2.5, 1.0),
    ]:
        got = scoring.bm25f(tfs, scoring.length_norms(lengths, average, k1, b), term_idf, k1, boost)
        want = [
            boost * whoosh_scoring.bm25(term_idf, tf, fl, average, b, k1)
            for tf, fl in zip(tfs, lengths, strict=True)
        ]
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_bm25f_is_bm25s_robertson_tf_part() -> None:
    """The tf part of BM25 (Robertson's, which bm25s's Lucene variant uses) times ``K1 + 1``."""
    tfs = np.array([1.0, 2.0, 5.0, 30.0])
    lengths = np.array([10.0, 200.0, 55.0, 3000.0])
    got = scoring.bm25f(tfs, scoring.length_norms(lengths, 120.0, 1.5, 0.75), 1.0, 1.5)
    want = bm25s.scoring._score_tfc_lucene(tfs, lengths, 120.0, 1.5, 0.75) * 2.5
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_an_empty_field_has_average_one() -> None:
    assert scoring.length_norms(np.array([0.0, 2.0]), 0.0).tolist() == pytest.approx([0.3, 1.8 + 0.3])


@pytest.mark.parametrize(
    ("held", "total", "power", "expected"),
    [
        ([1.0, 2.0, 4.0], 4.0, 1.0, [0.25, 0.5, 1.0]),
        ([1.0, 4.0], 4.0, 0.5, [0.5, 1.0]),
        ([1.0, 3.0], 4.0, 0.0, [1.0, 1.0]),
    ],
)
def test_coordination(held: list[float], total: float, power: float, expected: list[float]) -> None:
    assert scoring.coordination(np.array(held), total, power).tolist() == expected


def test_rarity_and_proximity_factors() -> None:
    assert scoring.rarity_factor(3.0, 2.0) == 0.5625 and scoring.rarity_factor(3.0, 0.0) == 1.0
    assert scoring.proximity_factor(3, 4, 0.5) == 1.375 and scoring.proximity_factor(0, 0, 0.5) == 1.0


def test_title_cover_factor() -> None:
    share = np.array([0.0, 0.5, 1.0])
    assert scoring.title_cover_factor(share, 0.25, 1.0).tolist() == [1.0, 1.125, 1.25]
    assert scoring.title_cover_factor(share, 0.25, math.inf).tolist() == [
        1.0,
        1.0,
        1.25,
    ]  # a whole title only
