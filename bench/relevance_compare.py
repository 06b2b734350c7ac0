"""Per-query comparison of the project's ranking with bm25s on one relevance set: where ours loses, and on what.

``python bench/relevance_compare.py posts [--half tuning]`` ranks every query of the half with
``Searcher.search`` (as ``make relevance`` does) and with bm25s (:mod:`relevance_anchors`), then prints MRR@10 of both by kind of
query: the number of the query's words, whether it holds a number, whether the relevant document holds every
word (the full tier of a long query) or only some, the share of the words it holds, and whether the query
is long (:mod:`search.ranking`). ``--show N`` lists the N queries where bm25s ranks the relevant document
highest above ours. The rows go to ``bench/.cache/relevance/compare-<set>-<half>.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import relevance as bench
import relevance_data as data

K = bench.K


def reciprocal(ids: list[str], rel: set[str]) -> float:
    return next((1.0 / (i + 1) for i, d in enumerate(ids[:K]) if d in rel), 0.0)


def query_facts(searcher, q: str, rel: set[str]) -> dict:  # type: ignore[no-untyped-def]
    """The query's words, whether it is long, how many articles hold every word and whether the relevant one
    does, and the share of the words the relevant article holds."""
    snap = searcher._current()
    with snap.context() as ctx:
        compiled = searcher._plan(snap, ctx, q)
        words = [w.text for w in snap.builder._words(q)]
        doc = ctx.searcher.document_number(id=next(iter(rel)))
        within = np.array([doc], dtype=np.int64)
        full = compiled.strict.evaluate(ctx, None) if compiled.strict is not None else None
        rel_full = compiled.strict is not None and len(compiled.strict.evaluate(ctx, within)) > 0
        held = sum(len(snap.builder.word_clause(w, None).evaluate(ctx, within)) > 0 for w in words)
    return {
        "words": words,
        "long": compiled.long,
        "full": 0 if full is None else len(full),
        "rel_full": bool(rel_full),
        "held": held / len(words) if words else 0.0,
    }


def buckets(row: dict) -> list[tuple[str, str]]:
    n = len(row["words"])
    return [
        ("words", "1-3" if n < 4 else "4-6" if n < 7 else "7-9" if n < 10 else "10+"),
        ("number", "with digits" if any(c.isdigit() for c in row["query"]) else "no digits"),
        ("relevant holds", "every word" if row["rel_full"] else "some words"),
        (
            "share held",
            f"{min(row['held'], 0.999) // 0.25 * 25:.0f}-{min(row['held'], 0.999) // 0.25 * 25 + 25:.0f}%",
        ),
        ("articles with every word", "0" if not row["full"] else "1" if row["full"] == 1 else "2+"),
        ("long", str(row["long"])),
    ]


def summary(rows: list[dict]) -> str:
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        for key in buckets(row):
            groups[key].append(row)
    lines = ["| kind | value | queries | ours MRR@10 | bm25s MRR@10 | Δ | ours better | bm25s better |"]
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|")
    for (kind, value), rs in sorted(groups.items()):
        o = sum(r["ours"] for r in rs) / len(rs)
        b = sum(r["bm25s"] for r in rs) / len(rs)
        better = sum(r["ours"] > r["bm25s"] for r in rs)
        worse = sum(r["ours"] < r["bm25s"] for r in rs)
        lines.append(
            f"| {kind} | {value} | {len(rs)} | {o:.4f} | {b:.4f} | {o - b:+.4f} | {better} | {worse} |"
        )
    return "\n".join(lines)


def compare(name: str, half: str, limit: int = 0) -> list[dict]:
    import relevance_anchors

    from search import Searcher

    which = bench.SETS[name]
    queries = [q for q in which.queries() if q.half == half]
    if limit:
        queries = queries[:limit]
    qrels = which.qrels()
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    index_dir = data.project_index(log, which)
    searcher, rank = Searcher(index_dir), bench.ours(index_dir)
    bm25 = relevance_anchors.Bm25s(which, log).ranker()
    rows = []
    for q in queries:
        rel = qrels[q.id]
        ours = rank(q.text)
        theirs = bm25(q.text)
        row = {"id": q.id, "query": q.text, "ours_ids": ours, "bm25s_ids": theirs, "rel": sorted(rel)}
        row.update(ours=reciprocal(ours, rel), bm25s=reciprocal(theirs, rel))
        row.update(query_facts(searcher, q.text, rel))
        rows.append(row)
    path = data.CACHE / f"compare-{name}-{half}.json"
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", choices=sorted(bench.SETS), help="The relevance set.")
    parser.add_argument("--half", default="tuning", choices=bench.HALVES, help="The half compared.")
    parser.add_argument("--limit", type=int, default=0, help="Only the first N queries of the half.")
    parser.add_argument("--show", type=int, default=0, help="List the N queries bm25s wins by most.")
    args = parser.parse_args(argv)
    if not data.available():
        print(f"relevance: skipped, the evaluation data is not there ({data.SHARED} is absent)")
        return 0
    rows = compare(args.set, args.half, args.limit)
    print(summary(rows))
    for row in sorted(rows, key=lambda r: r["ours"] - r["bm25s"])[: args.show]:
        print(f"{row['ours']:.2f} {row['bm25s']:.2f} {row['query']}  {'/'.join(row['words'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
