"""The ranking variants that ``python bench/relevance.py --tune`` measures on the tuning halves: each a dict of
changes to the defaults (weights fields, BM25F B/K1, question-word and unknown-word handling, long queries, the
module constants of :mod:`search.ranking` and :mod:`search.relaxed`), applied by :func:`applied` for the
duration of one measurement."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace


@contextmanager
def bm25_params(b: float | None = None, k1: float | None = None) -> Iterator[None]:
    """Whoosh's BM25F defaults changed for the duration (the searcher builds ``BM25F()`` per snapshot)."""
    import whoosh.scoring

    cls = whoosh.scoring.BM25F
    saved = cls.__init__.__defaults__
    b0, k10 = saved[0], saved[1]
    cls.__init__.__defaults__ = (b0 if b is None else b, k10 if k1 is None else k1, *saved[2:])
    try:
        yield
    finally:
        cls.__init__.__defaults__ = saved


@contextmanager
def query_words(
    question_words: frozenset[str] | None = None, split: bool = True, exact: bool = True
) -> Iterator[None]:
    """The relaxed query's word handling changed for the duration (:mod:`search.questionwords`):
    ``question_words`` replaces the list (empty: no question words at all), ``split=False`` leaves unknown
    words alone, ``exact=False`` does not match them as exact phrases."""
    import search.questionwords as qw

    saved = qw.QUESTION_WORDS, qw.QUESTION_PREFIXES, qw.SPLIT_MAX_LEN, qw.EXACT_UNKNOWN
    if question_words is not None:
        qw.QUESTION_WORDS = question_words
        qw.QUESTION_PREFIXES = saved[1] if question_words else ()
    if not split:
        qw.SPLIT_MAX_LEN = 0
    if not exact:
        qw.EXACT_UNKNOWN = False
    try:
        yield
    finally:
        qw.QUESTION_WORDS, qw.QUESTION_PREFIXES, qw.SPLIT_MAX_LEN, qw.EXACT_UNKNOWN = saved


@contextmanager
def long_queries(words: int | None = None) -> Iterator[None]:
    """Long queries from ``words`` words (:data:`search.plan.LONG_QUERY_WORDS`; 0: none, every query ranked as
    a keyword query) for the duration."""
    import search.plan as plan

    saved = plan.LONG_QUERY_WORDS, plan.QUESTION_MARKS
    if words is not None:
        plan.LONG_QUERY_WORDS = words or 10**6
        if not words:
            plan.QUESTION_MARKS = ""
    try:
        yield
    finally:
        plan.LONG_QUERY_WORDS, plan.QUESTION_MARKS = saved


@contextmanager
def module_values(module: str, **values: object) -> Iterator[None]:
    """Module constants of ``module`` set to ``values`` (those not None) for the duration."""
    import importlib

    mod = importlib.import_module(module)
    chosen = {k: v for k, v in values.items() if v is not None}
    saved = {k: getattr(mod, k) for k in chosen}
    for k, v in chosen.items():
        setattr(mod, k, v)
    try:
        yield
    finally:
        for k, v in saved.items():
            setattr(mod, k, v)


def variants() -> list[tuple[str, dict]]:
    """Ranking variants measured by ``--tune`` (weights fields, BM25 B/K1, question words on/off)."""
    from search.clauses import Weights

    d = Weights()
    none: frozenset[str] = frozenset()
    out: list[tuple[str, dict]] = [("defaults", {})]
    out.append(("no long queries (as before issue 15)", {"long": 0}))
    for v in (3, 5, 6):
        out.append((f"long queries from {v} words", {"long": v}))
    for v in (0.0, 1.0, 3.0):
        out.append((f"rarity={v:g}", {"rarity": v}))
    for v in (0.0, 0.25, 0.5, 1.0):
        out.append((f"sub_words={v:g}", {"sub_words": v}))
        out.append((f"sub_words={v:g} as words of their own", {"sub_words": v, "sub_words_inside": False}))
    for v in (0.0, 0.25, 1.0):
        out.append((f"title_cover={v:g}", {"title_cover": v}))
    for v in (1.0, 2.0, 4.0, math.inf):
        out.append((f"title_cover_power={v:g}", {"title_cover_power": v}))
    for v in (0.25, 1.0):
        out.append((f"title_cover={v:g} power=inf", {"title_cover": v, "title_cover_power": math.inf}))
    for v in (0.1, 0.2):
        out.append((f"relaxed_common_share={v:g}", {"common_share": v}))
    for v in (0.0, 0.25, 1.0, 2.0):
        out.append((f"coordination={v:g}", {"weights": replace(d, coordination=v)}))
    for v in (0.0, 0.1, 0.35, 0.5, 0.75):
        out.append((f"long_title={v:g}", {"weights": replace(d, long_title=v)}))
    for v in (0.0, 0.5, 2.0):
        out.append((f"long_proximity={v:g}", {"weights": replace(d, long_proximity=v)}))
    out.append(("long proximity in title and body", {"weights": replace(d, long_proximity_field=None)}))
    before = {"question_words": none, "split": False, "weights": replace(d, title=2.0), "long": 0}
    out.append(
        (
            "as before the first tuning (title=2, no question words or unknown-word handling, no long queries)",
            before,
        )
    )
    out.append(("no question-word list", {"question_words": none}))
    out.append(("unknown words: no split, no exact", {"split": False}))
    out.append(("unknown words: split, no exact", {"exact": False}))
    out.append(("no question words, no unknown-word handling", {"question_words": none, "split": False}))
    for v in (0.25, 0.75, 1.0, 2.0):
        out.append((f"title={v:g}", {"weights": replace(d, title=v)}))
    for v in (0.0, 1.0, 3.0, 4.0):
        out.append((f"relaxed_bonus={v:g}", {"weights": replace(d, relaxed_bonus=v)}))
    out.append(("proximity=0", {"weights": replace(d, proximity=0.0)}))
    for b in (0.5, 0.9):
        out.append((f"BM25F B={b:g}", {"b": b}))
    for k1 in (0.9, 2.0):
        out.append((f"BM25F K1={k1:g}", {"k1": k1}))
    return out


@contextmanager
def applied(variant: dict) -> Iterator[None]:
    """Every change of ``variant`` (a dict of :func:`variants`) made for the duration."""
    with ExitStack() as stack:
        stack.enter_context(bm25_params(variant.get("b"), variant.get("k1")))
        split, exact = variant.get("split", True), variant.get("exact", True)
        stack.enter_context(query_words(variant.get("question_words"), split, exact))
        stack.enter_context(long_queries(variant.get("long")))
        stack.enter_context(module_values("search.ranking", RARITY=variant.get("rarity")))
        stack.enter_context(
            module_values(
                "search.relaxed",
                SUB_WORD_SCALE=variant.get("sub_words"),
                SUB_WORDS_INSIDE=variant.get("sub_words_inside"),
                RELAXED_COMMON_SHARE=variant.get("common_share"),
                TITLE_COVER=variant.get("title_cover"),
                TITLE_COVER_POWER=variant.get("title_cover_power"),
            )
        )
        yield
