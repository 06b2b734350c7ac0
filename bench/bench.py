"""The benchmark of issue 5: zhsearch beside the anchors, measured in the same run, with ratios.

``make bench`` (or ``python -m bench.bench [--limit N] ...``) measures

1. full index build (articles/s, MB/s of title+body text, peak RSS of the build's process tree, index size on
   disk ÷ raw text size) -- zhsearch as ``zhsearch reindex --full --jobs 2``, each anchor in its own process;
2. a no-op incremental ``zhsearch reindex`` of the same corpus (seconds, fraction of the full build);
3. in-process query latency p50/p95/p99 over distinct corpus-derived queries, top 10 with snippets, warm, also
   per query kind and over the quoted phrases;
4. HTTP throughput and latency of ``zhsearch serve --workers 2`` under a separate load process, ``/api/search``
   and ``/healthz`` (the stack's ceiling);
5. cold start: process start to first answered query;
6. with ``--updates``, incremental runs on the slice kept in one JSONL file (``bench.updates``).

``--scale K`` indexes the slice K times (copies under new ids) with every engine; ``--scales 1,4`` runs the
main run at 1 and ours alone (build, in-process queries) at 4 (``bench.scale``). It writes
``bench/results/bench.json``, ``bench/results/bench.md`` and PNG plots. Machines are shared and
noisy: load averages are recorded, and every figure is compared with the anchors of the same run only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.anchors import missing
from bench.corpus import DEFAULT_CORPUS, REPO, make_slice
from bench.http_bench import http_bench
from bench.latency import refresh
from bench.queries import kinds_count, make_queries
from bench.report import hit_rate, markdown, targets
from bench.runs import build_all, cold_all, loadavg, log, noop_reindex, query_all
from bench.scale import parse_scales, scale_runs

RESULTS = REPO / "bench" / "results"


# -- main --------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSONL(.gz) articles (xwlb)")
    ap.add_argument("--limit", type=int, default=None, help="index only the first N articles")
    ap.add_argument(
        "--scale",
        type=int,
        default=None,
        metavar="K",
        help="every engine indexes the slice (after --limit) K times, each copy under a new id; the queries "
        "stay those of the slice (default 1)",
    )
    ap.add_argument(
        "--scales",
        default=None,
        metavar="K1,K2,...",
        help="the main run at K1 (as --scale K1), then ours alone (build, in-process queries) at each further "
        "scale, with its p50 ÷ the main run's in the table (e.g. 1,4)",
    )
    ap.add_argument("--queries", type=int, default=600, help="distinct timed queries (default 600)")
    ap.add_argument("--warmup", type=int, default=50, help="further distinct warm-up queries (default 50)")
    ap.add_argument("--jobs", type=int, default=2, help="zhsearch reindex --jobs (default 2)")
    ap.add_argument("--http-seconds", type=float, default=30.0, help="per endpoint (0: no HTTP test)")
    ap.add_argument("--http-clients", type=int, default=16)
    ap.add_argument(
        "--http-uncached",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also load /api/search on a second server with ZHSEARCH_RESULT_CACHE=0, the uncached path "
        "(default: on)",
    )
    ap.add_argument("--cold-repeats", type=int, default=3)
    ap.add_argument(
        "--updates",
        action="store_true",
        help="also time incremental runs on the slice kept in one JSONL file (bench.updates: no-op, renamed, "
        "1,000 appended, a day's changes); results in updates.md",
    )
    ap.add_argument(
        "--updates-small-runs", type=int, default=0, help="with --updates: runs appending 10 articles each"
    )
    ap.add_argument("--engines", default="ours,stock,fts5,tantivy", help="comma-separated subset")
    ap.add_argument("--out", type=Path, default=RESULTS, help="results directory (default bench/results)")
    ap.add_argument("--workdir", type=Path, default=None, help="indexes go here (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument(
        "--render", type=Path, default=None, help="only re-make bench.md and plots from a bench.json"
    )
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        return rerender(args)
    try:
        scale, *extra_scales = parse_scales(args.scale, args.scales)
    except ValueError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    if not args.corpus.exists():
        print(
            f"bench: skipped: corpus {args.corpus} not found (it lives in ../shared/corpora/xwlb/, "
            "which a fresh clone does not have; pass --corpus FILE.jsonl)",
            file=sys.stderr,
        )
        return 0
    engines, skipped = available_engines(args.engines)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="zhsearch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        result = run_all(args, work, engines, [scale, *extra_scales])
        result["skipped"] = skipped
        result["targets"] = targets(result)
        write_results(result, args.out, plots=not args.no_plots)  # plots skipped without matplotlib
        return 0
    finally:
        if args.keep or args.workdir:
            log(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def rerender(args: argparse.Namespace) -> int:
    """``--render``: the tables and plots again from a run's JSON (percentiles from the raw latencies)."""
    result = json.loads(args.render.read_text(encoding="utf-8"))
    for q in result["query"].values():
        refresh(q)
    for run in (result.get("scales") or {}).values():
        refresh(run["query"])
    result["targets"] = targets(result)
    write_results(result, args.out, plots=not args.no_plots)
    return 0


def available_engines(names: str) -> tuple[list[str], dict[str, str]]:
    """The engines asked for that can run here (ours always), and why each other one cannot."""
    wanted = [e.strip() for e in names.split(",") if e.strip()]
    if "ours" not in wanted:
        wanted.insert(0, "ours")
    skipped: dict[str, str] = {}
    engines = []
    for e in wanted:
        why = missing(e)
        if why:
            skipped[e] = why
            log(f"skipped: {why}")
        else:
            engines.append(e)
    return engines, skipped


def run_all(args: argparse.Namespace, work: Path, engines: list[str], scales: list[int]) -> dict[str, Any]:
    """Every measurement of one run, in ``work``: build, no-op reindex, queries, further scales, HTTP, cold
    start, incremental updates; with the run's facts (``meta``)."""
    started, load_start = datetime.now(UTC), loadavg()
    scale, extra_scales = scales[0], scales[1:]
    log(f"corpus {args.corpus} (limit {args.limit}) -> {work}")
    sl = make_slice(args.corpus, work, args.limit, scale)
    shown = f" ({len(sl.records):,} × scale {scale})" if scale > 1 else ""
    log(f"{sl.count:,} articles{shown}, {sl.text_mb:.1f} MB of title+body text")
    qs = make_queries(sl.records, args.queries + args.warmup)
    warm, timed = qs[: args.warmup], qs[args.warmup :]
    qdicts = [q.to_dict() for q in warm + timed]
    qfile = work / "queries.json"
    qfile.write_text(json.dumps(qdicts, ensure_ascii=False), encoding="utf-8")
    loads = {"start": load_start}
    build = build_all(sl, work, engines, args.jobs)
    loads["after_build"] = loadavg()
    noop = noop_reindex(sl, work, args.jobs, build["ours"]["seconds"])
    query = query_all(work, engines, qfile, len(warm))
    loads["after_query"] = loadavg()
    scale_results = None
    if extra_scales:
        scale_results = scale_runs(sl, extra_scales, work, qfile, len(warm), args.jobs, keep=bool(args.keep))
        loads["after_scales"] = loadavg()
    http = None
    if args.http_seconds > 0:
        http = http_bench(
            work,
            [q.to_dict() for q in timed],
            qdicts[: min(20, len(warm))],
            args.http_seconds,
            args.http_clients,
            uncached=args.http_uncached,
        )
        loads["after_http"] = loadavg()
    cold_q = next((q.to_dict() for q in timed if q.kind == "two"), timed[0].to_dict())
    cold = cold_all(work, engines, cold_q, args.cold_repeats)
    updates = None
    if args.updates:
        from bench.updates import updates as run_updates

        updates = run_updates(sl.records, work / "updates", args.jobs, args.updates_small_runs, scale)
        loads["after_updates"] = loadavg()
    loads["end"] = loadavg()
    meta = {
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus": str(args.corpus),
        "limit": args.limit,
        "articles": sl.count,
        "scale": scale,
        "base_articles": len(sl.records),
        "scales": scales,
        "text_mb": sl.text_mb,
        "queries": len(timed),
        "warmup": len(warm),
        "query_kinds": kinds_count(timed),
        "jobs": args.jobs,
        "loadavg_start": load_start,
        "loadavg_end": loads["end"],
        "loadavg": loads,
        "host": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "versions": _versions(),
        "git": _git_state(),
    }
    return {
        "meta": meta,
        "build": build,
        "noop": noop,
        "query": query,
        "scales": scale_results,
        "cache_hit_rate": hit_rate(query["ours"]["cache"]),
        "http": http,
        "cold_start": cold,
        "updates": updates,
    }


def write_results(result: dict[str, Any], out: Path, *, plots: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    md = markdown(result)
    (out / "bench.md").write_text(md, encoding="utf-8")
    if result.get("updates"):
        from bench.updates import markdown as updates_markdown

        (out / "updates.md").write_text(updates_markdown(result["updates"]), encoding="utf-8")
    if plots:
        try:
            from bench.plots import plot_all

            plot_all(result, out)
        except ImportError as exc:
            log(f"plots skipped: {exc} (pip install -e '.[bench]')")
    print(md)
    log(f"results in {out}")


def _git_state() -> dict[str, Any]:
    """The commit measured and the files changed on top of it (read-only git calls)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=10
        )
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", "indexer", "search", "web"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    return {"head": head.stdout.strip(), "changed": [line[3:] for line in status.stdout.splitlines()]}


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for name in ("whoosh3", "rjieba", "jieba", "tantivy", "opencc", "gunicorn"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    import sqlite3

    out["sqlite"] = sqlite3.sqlite_version
    out["wrk"] = "yes" if shutil.which("wrk") else "no (python client)"
    return out


if __name__ == "__main__":
    sys.exit(main())
