"""What an update costs: incremental ``zhsearch reindex`` runs against the full build of the same file.

``python -m bench.updates [--limit N] [--scale K] [--small-runs R]`` (also ``make bench BENCH_ARGS=--updates``)
keeps the corpus in one JSONL file, as a news site's export, and times whole ``zhsearch reindex`` processes on it:

1. the full build (the reference of this run);
2. a no-op run (nothing changed);
3. the same file renamed (nothing may be written: the commit stays the same);
4. 1,000 articles appended to it;
5. a day's changes in that file: 1,000 more articles appended, 500 edited, 250 removed;
6. ``--small-runs R``: R further runs, each appending 10 articles; the segment count after each, and the
   in-process query p50 on the result beside a fresh full build of the same file (alternating rounds).

Results in ``bench/results/updates.json`` and ``updates.md`` (``--out``). The appended articles are made from
the corpus itself (the first half of one body and the second half of another, under a new id), the edits
change a sentence of the body, the removals are spread over the file.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.corpus import DEFAULT_CORPUS, REPO, iter_records, write_slice
from bench.runs import dir_size, loadavg, log, timed_process, zhsearch_cmd

RESULTS = REPO / "bench" / "results"
APPENDED, EDITED, REMOVED = 1000, 500, 250


def reindex_cmd(paths: list[Path], index_dir: Path, jobs: int, *, full: bool = False) -> list[str]:
    cmd = [*zhsearch_cmd(), "reindex", *map(str, paths), "--index", str(index_dir), "--jobs", str(jobs)]
    cmd += ["--json", "--no-progress"] + (["--full"] if full else [])
    userdict = REPO / "index_data" / "userdict.txt"
    if userdict.exists():
        cmd += ["--userdict", str(userdict)]
    return cmd


def new_articles(records: list[dict[str, Any]], count: int, tag: str) -> list[dict[str, Any]]:
    """``count`` articles that are in no file yet: halves of two bodies joined, under new ids."""
    out = []
    n = len(records)
    for i in range(count):
        a, b = records[(i * 7919) % n], records[(i * 104729 + n // 2) % n]
        body_a, body_b = str(a.get("body") or ""), str(b.get("body") or "")
        new = dict(b)
        new["id"] = f"{tag}-{i}"
        new["title"] = f"{b.get('title') or ''} {str(a.get('title') or '')[:6]}".strip()
        new["body"] = body_a[: len(body_a) // 2] + body_b[len(body_b) // 2 :]
        new.pop("url", None)
        out.append(new)
    return out


def day_of_changes(records: list[dict[str, Any]], tag: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The file after a day: ``EDITED`` bodies changed, ``REMOVED`` articles gone, ``APPENDED`` new at the end."""
    n = len(records)
    edit_every = max(1, n // EDITED)
    remove = {(k * n) // REMOVED + edit_every // 2 for k in range(REMOVED)}
    out, edited = [], 0
    for i, record in enumerate(records):
        if i in remove:
            continue
        if i % edit_every == 0 and edited < EDITED:
            record = dict(record)
            record["body"] = f"{record.get('body') or ''}（{tag}：本台记者补充报道。）"
            edited += 1
        out.append(record)
    out.extend(new_articles(records, APPENDED, tag))
    return out, {"added": APPENDED, "updated": edited, "deleted": len(remove)}


def write_records(path: Path, records: list[dict[str, Any]]) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(path)


def run_step(name: str, cmd: list[str], full_seconds: float | None) -> dict[str, Any]:
    log(f"updates: {name} ...")
    run = timed_process(cmd)
    summary = json.loads(run.pop("stdout").strip().splitlines()[-1])
    run["summary"] = {
        k: summary.get(k) for k in ("mode", "added", "updated", "deleted", "unchanged", "documents")
    }
    if full_seconds:
        run["fraction_of_full"] = run["seconds"] / full_seconds
    log(f"updates: {name}: {run['seconds']:.2f} s, {run['summary']}")
    return run


def live_commit(index_dir: Path) -> tuple[str, int, int]:
    """(generation, commit, segments) of the live index."""
    from indexer.compat import read_toc
    from indexer.store import current_generation, open_index

    ix = open_index(index_dir)
    return current_generation(index_dir).name, ix.latest_generation(), len(read_toc(ix).segments)


def query_p50(index_dirs: list[Path], queries: list[str], rounds: int = 4) -> list[float]:
    """In-process p50 (ms) of ``queries`` on each index, rounds alternating between them (cache off)."""
    import time

    from search import Searcher

    searchers = [Searcher(d, cache_size=0) for d in index_dirs]
    for s in searchers:
        for q in queries[:20]:
            s.search(q)
    times: list[list[float]] = [[] for _ in searchers]
    for _ in range(rounds):
        for k, s in enumerate(searchers):
            for q in queries:
                t0 = time.perf_counter()
                s.search(q)
                times[k].append((time.perf_counter() - t0) * 1000)
    return [statistics.median(t) for t in times]


def updates(
    records: list[dict[str, Any]], work: Path, jobs: int, small_runs: int, scale: int = 1
) -> dict[str, Any]:
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    sl = write_slice(records, corpus, scale)  # corpus/articles.jsonl
    base = [json.loads(line) for line in sl.path.read_text(encoding="utf-8").splitlines()]
    index_dir = work / "index"
    out: dict[str, Any] = {
        "articles": len(base),
        "scale": scale,
        "jobs": jobs,
        "loadavg": {"start": loadavg()},
    }
    full = run_step("full build", reindex_cmd([corpus], index_dir, jobs, full=True), None)
    out["full"] = full
    fs = full["seconds"]
    out["index_mb"] = dir_size(index_dir) / 1e6
    out["noop"] = run_step("no-op", reindex_cmd([corpus], index_dir, jobs), fs)
    before = live_commit(index_dir)
    renamed = corpus / "renamed.jsonl"
    sl.path.rename(renamed)
    out["renamed"] = run_step("file renamed", reindex_cmd([corpus], index_dir, jobs), fs)
    out["renamed"]["nothing_written"] = live_commit(index_dir) == before
    appended = base + new_articles(base, APPENDED, "append")
    write_records(renamed, appended)
    out["append"] = run_step("1,000 appended", reindex_cmd([corpus], index_dir, jobs), fs)
    changed, expected = day_of_changes(appended, "day1")
    write_records(renamed, changed)
    out["day"] = run_step("a day's changes", reindex_cmd([corpus], index_dir, jobs), fs)
    out["day"]["expected"] = expected
    out["day"]["segments"] = live_commit(index_dir)[2]
    if small_runs:
        segments = []
        current = changed
        runs = []
        for r in range(small_runs):
            current = current + new_articles(base, 10, f"run{r}")
            write_records(renamed, current)
            step = run_step(f"small run {r + 1}", reindex_cmd([corpus], index_dir, jobs), fs)
            runs.append(step["seconds"])
            segments.append(live_commit(index_dir)[2])
        fresh = work / "fresh"
        out["fresh_full"] = run_step("fresh full build", reindex_cmd([corpus], fresh, jobs, full=True), None)
        queries = [str(r.get("title") or "")[:8] for r in base[:: max(1, len(base) // 300)]][:300]
        p50 = query_p50([index_dir, fresh], [q for q in queries if q])
        out["small_runs"] = {
            "runs": small_runs,
            "seconds": runs,
            "segments": segments,
            "max_segments": max(segments),
            "p50_ms_updated": p50[0],
            "p50_ms_fresh": p50[1],
            "p50_ratio": p50[0] / p50[1],
        }
    out["loadavg"]["end"] = loadavg()
    return out


def markdown(result: dict[str, Any]) -> str:
    fs = result["full"]["seconds"]
    lines = [
        "# Incremental updates (`python -m bench.updates`)",
        "",
        f"{result['articles']:,} articles in one JSONL file (scale {result['scale']}), `--jobs {result['jobs']}`, "
        f"whole `zhsearch reindex` processes; load average {result['loadavg']['start']} → "
        f"{result['loadavg']['end']}. Index {result['index_mb']:.0f} MB.",
        "",
        "| run | seconds | of the full build | CPU s | peak RSS MB | summary |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for key, name in (
        ("full", "full build"),
        ("noop", "no-op"),
        ("renamed", "file renamed"),
        ("append", "1,000 appended"),
        ("day", "a day"),
    ):
        run = result[key]
        s = run["summary"]
        lines.append(
            f"| {name} | {run['seconds']:.2f} | {run['seconds'] / fs:.1%} | {run.get('cpu_seconds', 0):.1f} | "
            f"{run.get('peak_rss_tree_mb') or run.get('max_process_rss_mb', 0):.0f} | {s['added']} added / {s['updated']} updated / "
            f"{s['deleted']} deleted, {s['documents']:,} documents |"
        )
    lines += [
        "",
        f"File renamed: nothing written (same commit): {result['renamed']['nothing_written']}. "
        f"A day's changes expected {result['day']['expected']}; segments after it: {result['day']['segments']}.",
    ]
    small = result.get("small_runs")
    if small:
        lines += [
            "",
            f"{small['runs']} runs appending 10 articles each: median {statistics.median(small['seconds']):.2f} s "
            f"({statistics.median(small['seconds']) / fs:.1%} of the full build), segments at most "
            f"{small['max_segments']} (after each: {small['segments']}); query p50 {small['p50_ms_updated']:.2f} ms "
            f"against {small['p50_ms_fresh']:.2f} ms on a fresh full build ({small['p50_ratio']:.2f}×).",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.updates", description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSONL(.gz) articles (xwlb)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles")
    ap.add_argument("--scale", type=int, default=1, help="the corpus repeated K times (copies, new ids)")
    ap.add_argument("--small-runs", type=int, default=0, help="further runs appending 10 articles each")
    ap.add_argument("--jobs", type=int, default=2, help="zhsearch reindex --jobs (default 2)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="results directory (default bench/results)")
    ap.add_argument("--name", default="updates", help="file name of the results (default updates)")
    args = ap.parse_args(argv)
    if not args.corpus.exists():
        print(f"updates: skipped: corpus {args.corpus} not found (../shared is absent)", file=sys.stderr)
        return 0
    records = []
    for record in iter_records(args.corpus):
        if args.limit is not None and len(records) >= args.limit:
            break
        records.append(record)
    work = Path(tempfile.mkdtemp(prefix="zhsearch-updates-"))
    try:
        result = updates(records, work, args.jobs, args.small_runs, args.scale)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    (args.out / f"{args.name}.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
