"""The union of several nodes' matches (``search.nodes.base.union_of``) equals ``np.unique``'s, inverse included."""

from __future__ import annotations

import numpy as np
import pytest

from search.nodes.base import Matches, union_of


def _matches(rng: np.random.Generator, size: int, universe: int) -> Matches:
    docs = np.sort(rng.choice(universe, size=size, replace=False)).astype(np.int64)
    return Matches(docs, rng.random(size))


@pytest.mark.parametrize(
    ("sizes", "universe"),
    [
        ((5, 3), 10),  # overlapping a lot
        ((1, 1), 2),
        ((18000, 3000), 75000),  # a common word's title and body
        ((400, 0, 7, 400), 1000),  # an empty part among several
        ((50,), 60),  # one part
    ],
)
def test_union_equals_numpy_unique(sizes: tuple[int, ...], universe: int) -> None:
    rng = np.random.default_rng(sum(sizes) + universe)
    parts = [_matches(rng, n, universe) for n in sizes]
    docs, inverse, scores = union_of(parts)
    every = np.concatenate([m.docs for m in parts])
    want_docs, want_inverse = np.unique(every, return_inverse=True)
    assert docs.tolist() == want_docs.tolist()
    assert inverse.tolist() == want_inverse.ravel().tolist()
    assert scores.tolist() == np.concatenate([m.scores for m in parts]).tolist()
    assert (docs[inverse] == every).all()
