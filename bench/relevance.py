"""Search quality: ``python bench/relevance.py`` (``make relevance``) prints MRR@10, Recall@10, nDCG@10.

Three sets: ``cmrc``, the 4,221 CMRC 2018 questions over their 1,104 Wikipedia passages with the first 20,000
xwlb news items indexed beside them as distractors; ``headlines``, 2,000 xwlb headlines against the items they
head (indexed without their titles) among 20,000 other items (both :mod:`relevance_data`); ``posts``, 2,000
xwlb headlines against short posts (the first 100-150 characters of short items, no titles) among 20,000
other posts (:mod:`relevance_posts`). The project
is measured through ``search.Searcher.search`` with default settings but every copy of a story listed
(the code path of ``/api/search?collapse=0``: top 10 with snippets and facets); the anchors
(:mod:`relevance_anchors`) on the same documents in the same run. The queries of each set are split by a
hash of their id into a tuning half and a reporting half; ranking changes are tuned on the tuning half only,
and the reporting half is what the targets are checked on (MRR@10 at least :data:`TARGET_MARGIN` above
bm25s's on each set).

Writes ``bench/results/relevance.json`` and ``bench/results/relevance_run.md`` (the tables);
``--tune`` measures the ranking variants of :func:`relevance_variants.variants` on the tuning half of each set
(``bench/results/relevance_tuning.json``). Without ``../shared`` it says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import relevance_data as data
from relevance_posts import POSTS_SET
from relevance_variants import applied, variants

RESULTS = data.ROOT / "bench" / "results"
HALVES = ("tuning", "reporting")
K = 10
#: Target on the reporting half of every set: MRR@10 at least this much above bm25s's.
TARGET_MARGIN = 0.02

Ranker = Callable[[str], list[str]]
#: The sets measured: CMRC and the headlines (:mod:`relevance_data`), the short posts (:mod:`relevance_posts`).
SETS = {**data.SETS, POSTS_SET.name: POSTS_SET}


# -- metrics -------------------------------------------------------------------------------------------------


def metrics(ranked: dict[str, list[str]], latency: dict[str, float], qrels: dict[str, set[str]]) -> dict:
    """MRR@10, Recall@10, nDCG@10 (binary relevance), share of empty results, latency p50/p95 (ms)."""
    rr, rec, ndcg, empty = [], [], [], 0
    for qid, ids in ranked.items():
        rel = qrels.get(qid, set())
        top = ids[:K]
        if not ids:
            empty += 1
        first = next((i for i, d in enumerate(top) if d in rel), None)
        rr.append(0.0 if first is None else 1.0 / (first + 1))
        found = sum(1 for d in top if d in rel)
        rec.append(found / len(rel) if rel else 0.0)
        dcg = sum(1.0 / math.log2(i + 2) for i, d in enumerate(top) if d in rel)
        ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(rel), K)))
        ndcg.append(dcg / ideal if ideal else 0.0)
    times = sorted(latency.values())
    n = len(rr) or 1
    return {
        "queries": len(rr),
        "mrr@10": round(sum(rr) / n, 4),
        "recall@10": round(sum(rec) / n, 4),
        "ndcg@10": round(sum(ndcg) / n, 4),
        "empty": round(empty / n, 4),
        "p50_ms": round(statistics.median(times), 2) if times else None,
        "p95_ms": round(times[max(0, math.ceil(len(times) * 0.95) - 1)], 2) if times else None,
    }


def run(rank: Ranker, queries: Sequence[data.Query], qrels: dict[str, set[str]]) -> dict[str, dict]:
    """Run every query once (after one warm-up query) and measure each half."""
    if queries:
        rank(queries[0].text)
    ranked: dict[str, dict[str, list[str]]] = {h: {} for h in HALVES}
    latency: dict[str, dict[str, float]] = {h: {} for h in HALVES}
    for q in queries:
        t0 = time.perf_counter()
        ids = rank(q.text)
        latency[q.half][q.id] = (time.perf_counter() - t0) * 1000
        ranked[q.half][q.id] = ids
    return {h: metrics(ranked[h], latency[h], qrels) for h in HALVES if ranked[h]}


# -- the project ---------------------------------------------------------------------------------------------


def ours(index_dir: Path, weights=None) -> Ranker:  # type: ignore[no-untyped-def]
    from search import Searcher

    searcher = Searcher(index_dir, weights=weights)

    def rank(q: str) -> list[str]:
        # every copy of a story listed: a set judges one item per query, and a copy ranked above it would hide it
        return [h.id for h in searcher.search(q, page=1, per_page=K, collapse=False).hits]

    return rank


def ours_ranking_only(index_dir: Path, weights=None) -> Ranker:  # type: ignore[no-untyped-def]
    """The ranking of ``Searcher.search`` without building the page (snippets, facets, the spelling check):
    ``Searcher.ranked_ids``, for tuning runs; ``search()`` itself (:func:`ours`) where it is gone (issue 27)."""
    from search import Searcher

    searcher = Searcher(index_dir, weights=weights)
    if not hasattr(searcher, "ranked_ids"):
        return ours(index_dir, weights)

    def rank(q: str) -> list[str]:
        return searcher.ranked_ids(q, K)

    return rank


def measure_ours(
    index_dir: Path, queries, qrels, variant: dict | None = None, fast: bool = False
) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    variant = variant or {}
    make = ours_ranking_only if fast else ours
    with applied(variant):
        return run(make(index_dir, variant.get("weights")), queries, qrels)


# -- output --------------------------------------------------------------------------------------------------


def table(rows: dict[str, dict[str, dict]]) -> str:
    head = "| engine | half | MRR@10 | Recall@10 | nDCG@10 | no result | p50 ms | p95 ms |"
    lines = [head, "|---|---|---:|---:|---:|---:|---:|---:|"]
    for name, halves in rows.items():
        for h in HALVES:
            m = halves.get(h)
            if m is None:
                continue
            lines.append(
                f"| {name} | {h} ({m['queries']}) | {m['mrr@10']:.4f} | {m['recall@10']:.4f} | "
                f"{m['ndcg@10']:.4f} | {m['empty'] * 100:.1f}% | {m['p50_ms']:.1f} | {m['p95_ms']:.1f} |"
            )
    return "\n".join(lines)


def verdict(rows: dict[str, dict[str, dict]]) -> str:
    from relevance_anchors import BM25S

    m = rows[OURS]["reporting"]["mrr@10"]
    if BM25S not in rows:
        return f"reporting half: MRR@10 {m:.4f} (no bm25s in this run: target not checked)"
    b = rows[BM25S]["reporting"]["mrr@10"]
    ok = m >= b + TARGET_MARGIN - 1e-9
    return (
        f"target on the reporting half: MRR@10 {m:.4f} >= bm25s {b:.4f} + {TARGET_MARGIN}: "
        f"{'met' if ok else 'NOT met'} ({m - b:+.4f})"
    )


OURS = "zhsearch (Searcher.search, defaults)"


def tune(which: data.EvalSet, index_dir: Path, queries, qrels, only: str) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    tuning = [q for q in queries if q.half == "tuning"]
    out = {}
    for name, variant in variants():
        if only and not any(v == name or ("=" not in v and v in name) for v in only.split(",")):
            continue
        m = measure_ours(index_dir, tuning, qrels, variant, fast=True)["tuning"]
        out[name] = m
        print(
            f"{which.name:9} {name:44} MRR@10 {m['mrr@10']:.4f}  R@10 {m['recall@10']:.4f}  "
            f"nDCG@10 {m['ndcg@10']:.4f}  empty {m['empty'] * 100:.1f}%  p50 {m['p50_ms']:.1f} ms",
            flush=True,
        )
    return out


def measure_set(which, index_dir: Path, queries, qrels, args: argparse.Namespace, log) -> tuple[str, dict]:  # type: ignore[no-untyped-def]
    """One set measured for ours and the anchors: its section of relevance_run.md and of relevance.json."""
    rows: dict[str, dict[str, dict]] = {}
    log(f"{which.name}: zhsearch, {len(queries):,} queries ...")
    rows[OURS] = measure_ours(index_dir, queries, qrels)
    if not args.no_anchors:
        import relevance_anchors

        anchors = relevance_anchors.rankers(which, log)
        if args.bm25s_only:
            anchors = [(relevance_anchors.BM25S, relevance_anchors.Bm25s(which, log).ranker())]
        for name, rank in anchors:
            log(f"{which.name}: {name}, {len(queries):,} queries ...")
            try:
                rows[name] = run(rank, queries, qrels)
            except Exception as exc:  # an anchor's failure must not lose the run
                log(f"{name} failed: {exc!r}")
    split = {h: sum(1 for q in queries if q.half == h) for h in HALVES}
    text = table(rows)
    print(f"## {which.name}: {which.description}\n\n{text}\n\n{verdict(rows)}\n", flush=True)
    section = (
        f"## {which.name}\n\n{which.description}; {len(queries):,} queries ({split['tuning']:,} tuning, "
        f"{split['reporting']:,} reporting).\n\n{text}\n\n{verdict(rows)}\n"
    )
    entry = {
        "description": which.description,
        "queries": len(queries),
        "halves": split,
        "split": "crc32(query id) even: tuning, odd: reporting",
        "engines": rows,
    }
    return section, entry


def save_tuning(tuned: dict[str, dict]) -> None:
    """The tuning runs' figures merged into relevance_tuning.json (by set, then variant)."""
    path = RESULTS / "relevance_tuning.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    if known and not all(isinstance(v, dict) and "mrr@10" not in v for v in known.values()):
        known = {"cmrc": known}  # the file of one set (before the headlines): its results are CMRC's
    for name, out in tuned.items():
        known.setdefault(name, {}).update(out)
    path.write_text(json.dumps(known, indent=2, ensure_ascii=False) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tune", action="store_true", help="Measure the ranking variants on the tuning half."
    )
    parser.add_argument("--no-anchors", action="store_true", help="Measure the project only.")
    parser.add_argument(
        "--bm25s-only", action="store_true", help="Of the anchors, measure bm25s only (quick checks)."
    )
    parser.add_argument(
        "--variants",
        default="",
        help="With --tune: only these variants (a,b: a name with = exactly, else those containing it).",
    )
    parser.add_argument(
        "--sets", default=",".join(SETS), help=f"Comma-separated sets (default: {','.join(SETS)})."
    )
    parser.add_argument("--limit", type=int, default=0, help="Use only the first N queries (quick checks).")
    args = parser.parse_args(argv)
    if not data.available():
        print(f"relevance: skipped, the evaluation data is not there ({data.SHARED} is absent)")
        return 0
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    chosen = [SETS[name] for name in args.sets.split(",") if name]
    RESULTS.mkdir(parents=True, exist_ok=True)
    report: dict = {
        "machine": platform.platform(),
        "generated": time.strftime("%Y-%m-%d %H:%M:%S"),
        "sets": {},
    }
    tuned: dict[str, dict] = {}
    texts = []
    for which in chosen:
        queries = which.queries()
        if args.limit:
            queries = queries[: args.limit]
        qrels = which.qrels()
        index_dir = data.project_index(log, which)
        if args.tune:
            tuned[which.name] = tune(which, index_dir, queries, qrels, args.variants)
            continue
        text, report["sets"][which.name] = measure_set(which, index_dir, queries, qrels, args, log)
        texts.append(text)
    if args.tune:
        save_tuning(tuned)
        return 0
    if not args.limit and set(report["sets"]) == set(SETS):
        (RESULTS / "relevance.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        (RESULTS / "relevance_run.md").write_text(
            f"# Relevance run (generated by `make relevance`)\n\n{report['generated']}\n\n" + "\n".join(texts)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
