"""What the timeline's month facet and the query stats cost a search, on the bench's query set.

    .venv/bin/python -m bench.newsroom_overhead INDEX_DIR [--corpus FILE] [--queries N] [--rounds R] [--out FILE]

1. The month facet (search/collect.py): each search in process (``Searcher``, result cache off) with the
   month's ``bincount`` and value list timed on the side, so its share of the search is measured in the same
   moment as the search (a loaded machine moves both alike).
2. The query stats (search/querystats.py): ``/api/search`` and the results page (with its timeline) answered
   by the Flask test client, result cache off, with ``ZHSEARCH_STATS_DAYS=90`` and ``0`` in alternating rounds.
   The counts go to ``INDEX_DIR/QUERYSTATS.sqlite3`` as in production (removed afterwards if the run made it).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

from bench.corpus import DEFAULT_CORPUS, iter_records
from bench.profile_queries import percentile
from bench.queries import make_queries


def month_facet_cost(index: Path, queries: list, rounds: int) -> list[str]:  # type: ignore[type-arg]
    """Search times, and the time of the month facet's bincount and value list within them."""
    import search.collect as collect
    from search import Searcher

    original = collect._facets
    month_ms: list[float] = []

    def timed(cols, docs):  # type: ignore[no-untyped-def]
        out = original(cols, docs)
        t0 = time.perf_counter()  # the month's part again, on the same matches
        counts = np.bincount(cols.month[docs], minlength=len(cols.month_values))
        [(cols.month_values[c], int(counts[c])) for c in np.flatnonzero(counts) if c]
        month_ms[-1] += (time.perf_counter() - t0) * 1000
        return out

    collect._facets = timed
    searcher = Searcher(index, cache_size=0)
    search_ms: list[float] = []
    try:
        for bq in queries[:20]:
            month_ms.append(0.0)
            searcher.search(bq.q, **bq.search_kwargs())
        month_ms.clear()
        for _ in range(rounds):
            for bq in queries:
                month_ms.append(0.0)
                t0 = time.perf_counter()
                searcher.search(bq.q, **bq.search_kwargs())
                search_ms.append((time.perf_counter() - t0) * 1000 - month_ms[-1])
    finally:
        collect._facets = original
    share = [m / s for m, s in zip(month_ms, search_ms, strict=True) if s > 0]
    return [
        f"index {index}: {searcher.doc_count:,} articles, {len(queries)} queries x {rounds} rounds",
        "",
        f"month facet: search p50 {percentile(search_ms, 50):.2f} ms (mean {statistics.fmean(search_ms):.2f}); "
        f"its month bincount + list p50 {percentile(month_ms, 50) * 1000:.0f} us, "
        f"p95 {percentile(month_ms, 95) * 1000:.0f} us; share of each search p50 "
        f"{percentile(share, 50):.2%}, p95 {percentile(share, 95):.2%}; "
        f"total {sum(month_ms) / sum(search_ms):.2%} of all search time",
    ]


def record_cost(texts: list[str], repeat: int = 20) -> str:
    """The time of ``QueryStats.record`` itself (what a search pays; the writing is a background thread's)."""
    import tempfile

    from search.querystats import QueryStats

    with tempfile.TemporaryDirectory() as tmp:
        stats = QueryStats(Path(tmp) / "s.sqlite3", 90, flush_seconds=0)
        t0 = time.perf_counter()
        for _ in range(repeat):
            for text in texts:
                stats.record(text, 1)
        each = (time.perf_counter() - t0) / (repeat * len(texts)) * 1e6
        t0 = time.perf_counter()
        stats.flush()
        flush_ms = (time.perf_counter() - t0) * 1000
    return (
        f"QueryStats.record: {each:.1f} us a search ({repeat * len(texts):,} calls); the background write of "
        f"{len(set(texts)):,} distinct queries took {flush_ms:.1f} ms"
    )


def timeline_cost(app, urls: list[str]) -> str:  # type: ignore[no-untyped-def]
    """The time of drawing the results page's timeline (geometry and SVG) from each query's month facet."""
    from flask import render_template

    from web.params import parse_search
    from web.timeline import timeline

    client = app.test_client()
    facets = [client.get("/api/search?" + url).get_json() for url in urls]
    months = [f["facets"]["month"] for f in facets if "facets" in f]
    spent: list[float] = []
    for url, month in zip(urls, months, strict=False):
        with app.test_request_context("/?" + url):
            from flask import request

            from web.pages import facet_selected, month_links

            params = parse_search(request.args, require_q=False)
            t0 = time.perf_counter()
            chart = timeline(
                month,
                link=month_links(params),
                selected=lambda m, p=params: facet_selected(p, "month", m),
            )
            if chart is not None:
                render_template("timeline.html", timeline=chart)
            spent.append((time.perf_counter() - t0) * 1000)
    widest = max(len(m) for m in months)
    return (
        f"timeline (geometry + SVG) on the results page: p50 {percentile(spent, 50):.2f} ms, "
        f"p95 {percentile(spent, 95):.2f} ms, up to {widest} months with matches"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("index", type=Path, help="index directory (zhsearch reindex --index)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the JSONL(.gz) the index holds")
    ap.add_argument("--queries", type=int, default=300, help="timed queries per round (default 300)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of each setting, alternating (default 3)")
    ap.add_argument("--out", type=Path, default=None, help="write the report here too")
    args = ap.parse_args()

    from search.querystats import stats_path
    from web import create_app

    created = not stats_path(args.index).exists()
    queries = make_queries(list(iter_records(args.corpus)), args.queries + 20)
    lines = month_facet_cost(args.index, queries[20:], args.rounds)
    urls = [urlencode(bq.url_params()) for bq in queries]
    apps = {
        days: create_app(
            {"INDEX_DIR": str(args.index), "RESULT_CACHE": "0", "STATS_DAYS": days, "TESTING": True}
        )
        for days in ("90", "0")
    }
    times: dict[tuple[str, str], list[float]] = {}
    for app in apps.values():  # warm up: open the index, load its columns
        client = app.test_client()
        for url in urls[:20]:
            client.get("/api/search?" + url)
    for _ in range(args.rounds):
        for days, app in apps.items():
            client = app.test_client()
            for path in ("/api/search?", "/?"):
                bucket = times.setdefault((path, days), [])
                for url in urls[20:]:
                    t0 = time.perf_counter()
                    response = client.get(path + url)
                    bucket.append((time.perf_counter() - t0) * 1000)
                    assert response.status_code in (200, 400), (url, response.status_code)
    for app in apps.values():
        with app.app_context():
            app.extensions["zhsearch.querystats"].close()
    lines += ["", timeline_cost(apps["0"], urls[20:])]
    lines += ["", record_cost([bq.q for bq in queries])]
    lines += [
        "",
        f"query stats: {len(urls) - 20} queries x {args.rounds} rounds per setting, result cache off, "
        "Flask test client in process",
        "",
        f"{'request':<14} {'STATS_DAYS':>10} {'p50 ms':>8} {'p95 ms':>8} {'mean':>8}",
    ]
    for (path, days), values in times.items():
        name = "/api/search" if path.startswith("/api") else "results page"
        lines.append(
            f"{name:<14} {days:>10} {percentile(values, 50):8.2f} {percentile(values, 95):8.2f} "
            f"{statistics.fmean(values):8.2f}"
        )
    report = "\n".join(lines)
    print(report)
    if args.out:
        args.out.write_text(report + "\n", encoding="utf-8")
    if created:
        for suffix in ("", "-wal", "-shm"):
            Path(str(stats_path(args.index)) + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
