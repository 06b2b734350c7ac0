"""Profile the in-process query path on a built index: latency percentiles and cProfile's top lines.

    .venv/bin/python -m bench.profile_queries INDEX_DIR [--corpus FILE] [--queries N] [--out FILE]

The queries are the bench's set (:func:`bench.queries.make_queries`, same seed) drawn from the corpus the index
was built from; each is run once with the result cache off, after the warm-up queries. The profile's top lines
go to ``--out`` (the "before" and "after" profiles of an engine change live in ``bench/results/``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import time
from pathlib import Path

from bench.corpus import DEFAULT_CORPUS, iter_records
from bench.queries import make_queries


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("index", type=Path, help="index directory (zhsearch reindex --index)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the JSONL(.gz) the index holds")
    ap.add_argument("--queries", type=int, default=600, help="timed queries (default 600)")
    ap.add_argument("--warmup", type=int, default=50, help="warm-up queries (default 50)")
    ap.add_argument("--top", type=int, default=30, help="profile lines kept (default 30)")
    ap.add_argument("--out", type=Path, default=None, help="write the report here too")
    ap.add_argument("--no-profile", action="store_true", help="latencies only (the profiler slows Python)")
    args = ap.parse_args()

    from search import Searcher

    records = list(iter_records(args.corpus))
    queries = make_queries(records, args.queries + args.warmup)
    warm, timed = queries[: args.warmup], queries[args.warmup :]
    searcher = Searcher(args.index, cache_size=0)
    for bq in warm:
        searcher.search(bq.q, **bq.search_kwargs())
    latencies: dict[str, list[float]] = {}
    profiler = cProfile.Profile()
    for bq in timed:
        t0 = time.perf_counter()
        if not args.no_profile:
            profiler.enable()
        searcher.search(bq.q, **bq.search_kwargs())
        if not args.no_profile:
            profiler.disable()
        latencies.setdefault(bq.kind, []).append((time.perf_counter() - t0) * 1000)
    every = [v for vs in latencies.values() for v in vs]
    lines = [
        f"index {args.index}: {searcher.doc_count:,} articles, {len(every)} timed queries, cache off",
        "",
    ]
    lines.append(f"{'kind':<12} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean':>8}")
    for kind, vs in sorted(latencies.items()) + [("all", every)]:
        lines.append(
            f"{kind:<12} {len(vs):>4} {percentile(vs, 50):>8.2f} {percentile(vs, 95):>8.2f} "
            f"{percentile(vs, 99):>8.2f} {statistics.fmean(vs):>8.2f}"
        )
    if args.no_profile:
        print("\n".join(lines))
        return
    buf = io.StringIO()
    pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(args.top)
    buf2 = io.StringIO()
    pstats.Stats(profiler, stream=buf2).sort_stats("tottime").print_stats(args.top)
    report = "\n".join(lines) + "\n\n## cumulative\n" + buf.getvalue() + "\n## tottime\n" + buf2.getvalue()
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
