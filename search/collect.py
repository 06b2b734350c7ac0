"""Collecting results: exact totals and facet counts over every match, the top of the ranking, filters.

Two passes over the index for one query:

1. **Every match** (:func:`matching_docs`): the set of matching document numbers is computed from the query
   tree with Python sets -- a term's postings are read block by block (:mod:`search.postings`, kept for the
   second pass), ``AND``/``OR``/exclusion are set operations in C, phrases are checked on what the rest of
   the query leaves, dates on the snapshot's column. The total and the facet counts (list lookups in the
   snapshot's columns) come from this set, after the caller's filters.
2. **The ranking**: the matches are scored with BM25F a posting block at a time (:mod:`search.scoring`) and
   the best kept, ties broken by the id's rank. The proximity factor re-ranks the best
   :data:`PROXIMITY_POOL` of them (:func:`proximity_factor`). Date sorts take the newest/oldest matches from
   the first pass and score only the page (:func:`scores_of`).
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from whoosh.query import And, DisjunctionMax, NullQuery, NumericRange, Or, Query, Term
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher as WhooshSearcher

from search.build import BonusQuery, ExcludingQuery, ProximityQuery, Scaled
from search.phrases import ExactPhrase, skip
from search.postings import SearchCache, cached_values, read_postings
from search.results import Facets
from search.scoring import FieldNorms, score_matches
from search.snapshot import NO_DATE, Columns
from search.snippets import fold_text

#: The best documents by their words' score that are re-ranked with the proximity factor (see
#: :func:`proximity_factor`). A fixed number, so that pages never overlap: ranks beyond it keep the word order.
PROXIMITY_POOL = 64


@dataclass
class Filters:
    """The caller's filters, as column checks: publication time (Whoosh datetime longs), source and
    category codes."""

    lo: int | None = None
    hi: int | None = None
    sources: frozenset[int] | None = None
    categories: frozenset[int] | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.lo, self.hi, self.sources, self.categories))

    def predicate(self, cols: Columns) -> Callable[[int], bool] | None:
        """One predicate on document numbers (None: no filter)."""
        if not self.active:
            return None
        published, src, cat = cols.published, cols.source, cols.category
        lo = self.lo if self.lo is not None else -1
        hi = self.hi if self.hi is not None else NO_DATE - 1
        dated = self.lo is not None or self.hi is not None
        sources, categories = self.sources, self.categories

        def allowed(d: int) -> bool:
            if dated and not lo <= published[d] <= hi:
                return False
            if sources is not None and src[d] not in sources:
                return False
            return categories is None or cat[d] in categories

        return allowed


@dataclass
class Collected:
    total: int
    top: list[tuple[int, float | None]]  # (docnum, score) best first; score None: not scored yet
    facets: tuple[Counter[int], Counter[int], Counter[int]]  # source, category, year code -> count


# -- pass 1: every match -------------------------------------------------------------------------------------


def _term_ids(sub: WhooshSearcher, q: Term, cache: SearchCache | None = None) -> set[int]:
    return set(read_postings(sub, q.fieldname, q.text, cache)[0])


class SetContext:
    """What the set evaluation of one query in one segment needs besides the query."""

    def __init__(
        self,
        sub: WhooshSearcher,
        cache: SearchCache | None = None,
        published: Sequence[int] | None = None,
        offset: int = 0,
    ) -> None:
        self.sub = sub
        self.cache = SearchCache() if cache is None else cache  # postings and phrase documents
        self.published = published  # the snapshot's publication-time column (global document numbers)
        self.offset = offset

    def date_check(self, q: Query) -> Callable[[int], bool] | None:
        """A column check for a range on ``published`` (None: not one, or no column)."""
        if self.published is None or not isinstance(q, NumericRange) or q.fieldname != "published":
            return None
        lo = -1 if q.start is None else q.start + (1 if q.startexcl else 0)
        hi = NO_DATE - 1 if q.end is None else q.end - (1 if q.endexcl else 0)
        published, offset = self.published, self.offset
        return lambda d: lo <= published[d + offset] <= hi


def _unscaled(q: Query) -> Query:
    while isinstance(q, Scaled):
        q = q.child
    return q


def _has_phrase(q: Query) -> bool:
    if isinstance(q, ExactPhrase):
        return True
    if isinstance(q, ExcludingQuery):
        return _has_phrase(q.a)
    if isinstance(q, Scaled | ProximityQuery):
        return _has_phrase(q.child)
    if isinstance(q, BonusQuery):
        return _has_phrase(q.required)
    if isinstance(q, And | Or | DisjunctionMax):
        return any(_has_phrase(c) for c in q.subqueries)
    return False


def docset(q: Query, sub: WhooshSearcher | SetContext, within: set[int] | None = None) -> set[int]:
    """The (segment-local) documents matching ``q`` (among ``within``), with set operations where possible.

    In an ``AND``, the parts without phrases are intersected first; the parts with phrases are then checked
    only on that intersection, and date ranges are column checks on it.
    """
    ctx = sub if isinstance(sub, SetContext) else SetContext(sub)
    if q is NullQuery or (within is not None and not within):
        return set()
    if type(q) is Term:
        found = _term_ids(ctx.sub, q, ctx.cache)  # type: ignore[arg-type]
        return found & within if within is not None else found
    if isinstance(q, Scaled | ProximityQuery):
        return docset(q.child, ctx, within)
    if isinstance(q, BonusQuery):
        return docset(q.required, ctx, within)
    if isinstance(q, ExactPhrase):
        return _phrase_set(q, ctx, within)
    if isinstance(q, ExcludingQuery):
        found = docset(q.a, ctx, within)
        return found - docset(q.b, ctx, found) if found else found
    if isinstance(q, And):
        return _and_set(q, ctx, within=within)
    if isinstance(q, Or | DisjunctionMax):
        return _or_set(q, ctx, within)
    date_check = ctx.date_check(q)
    if date_check is not None:
        pool = within if within is not None else range(ctx.sub.reader().doc_count_all())
        return set(filter(date_check, pool))
    m = q.matcher(ctx.sub, ctx.sub.context())
    found = set(m.all_ids()) if m.is_active() else set()
    return found & within if within is not None else found


def _phrase_set(q: ExactPhrase, ctx: SetContext, within: set[int] | None) -> set[int]:
    """The documents (among ``within``) where the phrase stands.

    The units' posting lists are read rarest first and intersected; once the candidates are few compared
    with the next unit's list, the remaining units are moved to each candidate instead (skipping blocks), and
    the positions checked (:func:`_check_positions`).
    """
    sub = ctx.sub
    candidates = within
    units = sorted(set(q.units), key=lambda u: sub.doc_frequency(q.fieldname, u))
    read = 0
    for unit in units:
        if candidates is not None and len(candidates) * 16 < sub.doc_frequency(q.fieldname, unit):
            break
        ids = read_postings(sub, q.fieldname, unit, ctx.cache, values=True)[0]
        read += 1
        candidates = set(ids) if candidates is None else candidates.intersection(ids)
        if not candidates:
            return _remember(q, ctx, set())
    return _remember(q, ctx, _check_positions(q, ctx, candidates or set(), set(units[:read])))


def _remember(q: ExactPhrase, ctx: SetContext, found: set[int]) -> set[int]:
    ctx.cache.phrases[(id(q), id(ctx.sub.reader()))] = found
    return found


def _check_positions(q: ExactPhrase, ctx: SetContext, candidates: set[int], read: set[str]) -> set[int]:
    """The candidates where the units stand at consecutive positions.

    The units in ``read`` (their posting lists were read by the set evaluation, with the positions decoded
    on demand) are looked up in those lists; the others, too common to read whole, are moved to each
    candidate through their block tables (:func:`search.phrases.skip`). Per candidate the units are taken
    rarest first and their positions intersected as they come, so a candidate fails on its first pair.
    """
    sub = ctx.sub
    field = q.fieldname
    fieldobj = sub.schema[field]
    decode = fieldobj.format.decode_positions
    reader = sub.reader()
    segment = reader.segment()
    segid = segment.segment_id() if segment is not None else None
    lists = {}
    matchers: dict[str, Any] = {}
    for unit in set(q.units):
        if unit in read:
            ids = read_postings(sub, field, unit, ctx.cache, values=True)[0]
            lists[unit] = (ids, cached_values(sub, field, unit, ctx.cache))
        else:
            try:
                matchers[unit] = reader.postings(field, fieldobj.to_bytes(unit))
            except TermNotFound:
                return set()
    df = {unit: sub.doc_frequency(field, unit) for unit in set(q.units)}
    order = sorted(range(len(q.units)), key=lambda i: df[q.units[i]])
    found: set[int] = set()
    for d in sorted(candidates):
        positions: dict[str, list[int]] = {}
        starts: set[int] | None = None
        for i in order:
            unit = q.units[i]
            ps = positions.get(unit)
            if ps is None:
                if unit in lists:
                    ids, vals = lists[unit]
                    value = vals[bisect_left(ids, d)]  # type: ignore[index]
                    ps = value if isinstance(value, list) else decode(value)
                else:
                    m = matchers[unit]
                    if m.is_active() and m.id() < d:
                        skip(m, d, segid)
                    if not m.is_active():
                        return found  # the unit is in no later document: no later candidate holds the phrase
                    if m.id() != d:
                        starts = None
                        break
                    ps = m.value_as("positions")
                positions[unit] = ps
            shifted = {p - i for p in ps}
            starts = shifted if starts is None else starts & shifted
            if not starts:
                break
        if starts:
            found.add(d)
    return found


def _or_set(q: Or | DisjunctionMax, ctx: SetContext, within: set[int] | None) -> set[int]:
    """The union; an ``AND`` alternative with a phrase is only checked where the others did not match."""
    found: set[int] = set()
    later: list[Query] = []
    for child in q.subqueries:
        if isinstance(_unscaled(child), And) and _has_phrase(child):
            later.append(child)
        else:
            found |= docset(child, ctx, within)
    for child in later:
        found |= _and_set(_unscaled(child), ctx, found, within)  # type: ignore[arg-type]
    return found


def _and_set(
    q: And, ctx: SetContext, known: set[int] | None = None, within: set[int] | None = None
) -> set[int]:
    """The intersection (among ``within``, minus ``known`` -- documents that are matches already): the parts
    without phrases first, then the parts with phrases on what is left, and date ranges as column checks."""
    found = within
    later: list[Query] = []
    checks: list[Callable[[int], bool]] = []
    for child in sorted(q.subqueries, key=lambda c: 0 if type(c) is Term else 1):
        date_check = ctx.date_check(_unscaled(child))
        if date_check is not None:
            checks.append(date_check)
            continue
        if _has_phrase(child):
            later.append(child)
            continue
        part = docset(child, ctx, found)
        if not part:
            return set()
        found = part if found is None else found & part
    if known and found is not None and later:
        found = found - known
    if checks:
        pool = found if found is not None else range(ctx.sub.reader().doc_count_all())
        found = {d for d in pool if all(check(d) for check in checks)}
    for child in later:
        if found is not None and not found:
            return set()
        found = docset(child, ctx, found)
    return found or set()


def matching_docs(
    s: WhooshSearcher,
    q: Query,
    allowed: Callable[[int], bool] | None,
    cache: SearchCache | None = None,
    published: Sequence[int] | None = None,
) -> list[int]:
    """Every matching document number (global), the filters applied.

    ``cache`` keeps the postings read and the documents of each phrase for the scoring pass; with
    ``published`` (the snapshot's column) date ranges are checked on the column instead of the index's
    range terms.
    """
    docs: list[int] = []
    cache = SearchCache() if cache is None else cache
    for sub, offset in s.leaf_searchers():
        found = docset(q, SetContext(sub, cache, published, offset))
        docs.extend(d + offset for d in found) if offset else docs.extend(found)
    if allowed is not None:
        docs = list(filter(allowed, docs))
    return docs


def scoring_skeleton(q: Query) -> Query:
    """``q`` without the parts that restrict the matches but add nothing to a score: the top-level
    exclusions and zero-score filters (``source:``, ``date:``). The scoring pass uses it together with the
    exact set of matches from the first pass."""
    if isinstance(q, ExcludingQuery):
        return scoring_skeleton(q.a)
    if isinstance(q, And):
        kept = [c for c in q.subqueries if not (isinstance(c, Scaled) and c.scale == 0)]
        if not kept:
            return q
        return kept[0] if len(kept) == 1 else And(kept, boost=q.boost)
    return q


Runs = list[tuple[list[re.Pattern[str]], str | None]]  # the runs of each ProximityQuery, and its field


def split_proximity(q: Query) -> tuple[Query, Runs]:
    """``q`` without its :class:`~search.build.ProximityQuery` wrappers, and their runs."""
    runs: Runs = []

    def strip(node: Query) -> Query:
        if isinstance(node, ProximityQuery):
            runs.append((node.runs, node.field))
            return strip(node.child)
        if isinstance(node, ExcludingQuery):
            return ExcludingQuery(strip(node.a), node.b)  # nothing in an exclusion scores
        if isinstance(node, Scaled):
            return Scaled(strip(node.child), node.scale, node.add)
        if isinstance(node, BonusQuery):
            return BonusQuery(strip(node.required), strip(node.optional))
        if isinstance(node, And | Or | DisjunctionMax):
            return node.apply(strip)
        return node

    return strip(q), runs


def proximity_factor(fields: dict[str, Any], runs: Runs, weight: float) -> float:
    """1 + ``weight`` for each of title and body where a run stands together (averaged over the runs)."""
    folded = {name: fold_text(fields.get(name) or "")[0] for name in ("title", "body")}
    found = 0.0
    count = 0
    for patterns, field in runs:
        names = ("title",) if field == "title" else ("title", "body")
        for pattern in patterns:
            count += 1
            found += sum(1 for name in names if pattern.search(folded[name]))
    return 1.0 + weight * found / count if count else 1.0


def collect(
    s: WhooshSearcher,
    q: Query,
    cols: Columns,
    keep: int,
    sort: str,
    flt: Filters,
    *,
    norms: FieldNorms,
    proximity: float = 0.5,
    stored: dict[int, dict[str, Any]] | None = None,
) -> Collected:
    """Total, facet counts and the best ``keep`` documents by ``sort``.

    ``stored`` caches the stored fields read for the proximity check, for the caller to reuse.
    """
    allowed = flt.predicate(cols)
    cache = SearchCache()
    docs = matching_docs(s, q, allowed, cache, cols.published)
    facets = (
        Counter(map(cols.source.__getitem__, docs)),
        Counter(map(cols.category.__getitem__, docs)),
        Counter(map(cols.year.__getitem__, docs)),
    )
    if not docs:
        return Collected(0, [], facets)
    if sort != "relevance":
        key = cols.newest_key if sort == "newest" else cols.oldest_key
        return Collected(
            len(docs), [(d, None) for d in heapq.nlargest(keep, docs, key=key.__getitem__)], facets
        )
    words, runs = split_proximity(scoring_skeleton(q))
    rank = cols.rank
    scores = score_matches(s, words, docs, norms, cache)
    pooled = bool(runs) and proximity > 0
    best = heapq.nlargest(
        max(keep, PROXIMITY_POOL) if pooled else keep,
        scores.items(),
        key=lambda item: (item[1], -rank[item[0]]),
    )
    top: list[tuple[int, float | None]] = list(best)
    if pooled:
        stored = {} if stored is None else stored
        pool = []
        for d, score in best[:PROXIMITY_POOL]:
            fields = stored.get(d)
            if fields is None:
                fields = stored[d] = s.stored_fields(d)
            pool.append((d, score * proximity_factor(fields, runs, proximity)))
        pool.sort(key=lambda item: (-item[1], rank[item[0]]))
        top = [*pool, *best[PROXIMITY_POOL:]][:keep]
    return Collected(len(docs), top, facets)


def scores_of(
    s: WhooshSearcher, q: Query, docnums: Sequence[int], norms: FieldNorms, proximity: float = 0.5
) -> dict[int, float]:
    """Scores of a few given matches (for pages sorted by date), proximity factor included."""
    words, runs = split_proximity(scoring_skeleton(q))
    out = score_matches(s, words, docnums, norms)
    if runs and proximity > 0:
        for d in out:
            out[d] *= proximity_factor(s.stored_fields(d), runs, proximity)
    return out


def facets_of(cols: Columns, got: Collected) -> Facets:
    """Facet lists: sources and categories by count (then value), years newest first; empty values left out."""
    n_src, n_cat, n_year = got.facets

    def named(names: list[str], counts: Counter[int]) -> list[tuple[Any, int]]:
        pairs = [(names[code], n) for code, n in counts.items() if names[code]]
        pairs.sort(key=lambda p: (-p[1], p[0]))
        return pairs

    years = [(cols.year_values[code], n) for code, n in n_year.items() if cols.year_values[code]]
    years.sort(reverse=True)
    return {
        "source": named(cols.source_names, n_src),
        "category": named(cols.category_names, n_cat),
        "year": years,
    }
