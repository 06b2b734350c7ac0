"""The query tree: plain nodes, each with its match set and its scores over arrays, written once; one class
per operator, one module per kind (:mod:`~search.nodes.base` the protocol, :mod:`~search.nodes.words`,
:mod:`~search.nodes.boolean`, :mod:`~search.nodes.near`, :mod:`~search.nodes.dates`).

:mod:`search.plan` turns the parsed query into a tree of these nodes. ``node.evaluate(ctx, within)`` returns
the :class:`Matches` of the node -- the ascending global document numbers that match (only among ``within``,
an ascending array, when it is given) and each one's score -- computed on numpy arrays: posting lists come
from :meth:`search.context.Context.postings`, ``AND`` narrows ``within`` child by child (rarest first),
``OR`` is a union with the scores summed by ``bincount``, a phrase checks positions of whole arrays.

Scores are Whoosh's BM25F (same idf, quantised field lengths, B and K1; the node's boost multiplies a term's
score), summed over the parts that match; ``tests/test_search.py::test_engine_equals_whoosh_matchers``
checks them against Whoosh's own matchers.
"""

from search.nodes.base import (
    EMPTY_IDS,
    EMPTY_SCORES,
    NO_MATCHES,
    Group,
    Matches,
    Node,
    Nothing,
    Union,
    Wrapping,
    count_reaching,
    member_index,
    restrict,
    union_of,
    walk,
)
from search.nodes.boolean import AllOf, AnyOf, BestOf, Excluding, Scaled, WithBonus
from search.nodes.dates import DateRange
from search.nodes.near import Near, proximity_boosts, proximity_runs
from search.nodes.words import Phrase, Term

__all__ = [
    "EMPTY_IDS",
    "EMPTY_SCORES",
    "NO_MATCHES",
    "AllOf",
    "AnyOf",
    "BestOf",
    "DateRange",
    "Excluding",
    "Group",
    "Matches",
    "Near",
    "Node",
    "Nothing",
    "Phrase",
    "Scaled",
    "Term",
    "Union",
    "WithBonus",
    "Wrapping",
    "count_reaching",
    "member_index",
    "proximity_boosts",
    "proximity_runs",
    "restrict",
    "union_of",
    "walk",
]
