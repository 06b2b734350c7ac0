"""The benchmark of issue 5: zhsearch beside the anchors, measured in the same run, with ratios.

``make bench`` (or ``python -m bench.bench [--limit N] ...``) measures

1. full index build (articles/s, MB/s of title+body text, peak RSS of the build's process tree, index size on
   disk ÷ raw text size) -- zhsearch as ``zhsearch reindex --full --jobs 2``, each anchor in its own process;
2. a no-op incremental ``zhsearch reindex`` of the same corpus (seconds, fraction of the full build);
3. in-process query latency p50/p95/p99 over distinct corpus-derived queries, top 10 with snippets, warm;
4. HTTP throughput and latency of ``zhsearch serve --workers 2`` under a separate load process, ``/api/search``
   and ``/healthz`` (the stack's ceiling);
5. cold start: process start to first answered query,

and writes ``bench/results/bench.json``, ``bench/results/bench.md`` and PNG plots. Machines are shared and
noisy: load averages are recorded, and every figure is compared with the anchors of the same run only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.anchors import ANCHORS, LABELS, missing
from bench.corpus import DEFAULT_CORPUS, REPO, Slice, make_slice
from bench.queries import kinds_count, make_queries

RESULTS = REPO / "bench" / "results"
VENV_BIN = Path(sys.executable).parent


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of unsorted values."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))
    return s[k]


def dir_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def zhsearch_cmd() -> list[str]:
    exe = VENV_BIN / "zhsearch"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "indexer"]


# -- processes ---------------------------------------------------------------------------------------------


def timed_process(cmd: list[str], *, cwd: Path = REPO, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``cmd`` to the end: wall seconds, CPU seconds, peak RSS (sampled sum over the process tree, and the
    kernel's largest single process), stdout. Raises on a non-zero exit."""
    try:
        import psutil
    except ImportError:  # bench extra not installed: the kernel's largest-process figure only
        psutil = None

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            if psutil is None:
                return
            try:
                root = psutil.Process(proc.pid)
            except psutil.Error:
                return
            while not done.is_set():
                try:
                    procs = [root, *root.children(recursive=True)]
                    rss = 0
                    for p in procs:
                        try:
                            rss += p.memory_info().rss
                        except psutil.Error:
                            pass
                    peak[0] = max(peak[0], rss)
                except psutil.Error:
                    pass
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {stderr[-2000:]}")
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_tree_mb": peak[0] / 2**20 if psutil is not None else None,
        "max_process_rss_mb": usage.ru_maxrss / 1024,
        "stdout": stdout,
    }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- 1. and 2.: builds -------------------------------------------------------------------------------------


def build_all(sl: Slice, work: Path, engines: list[str], jobs: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for engine in engines:
        index_dir = work / f"index-{engine}"
        shutil.rmtree(index_dir, ignore_errors=True)
        if engine == "ours":
            cmd = _reindex_cmd(sl, index_dir, jobs, full=True)
        else:
            cmd = [sys.executable, "-m", "bench.anchors", "build", engine, str(sl.path), str(index_dir)]
        log(f"build {engine}: {sl.count:,} articles ...")
        run = timed_process(cmd)
        summary = json.loads(run.pop("stdout").strip().splitlines()[-1])
        size = dir_size(index_dir)
        results[engine] = {
            **run,
            "documents": summary.get("documents"),
            "articles_per_s": sl.count / run["seconds"],
            "mb_per_s": sl.text_mb / run["seconds"],
            "index_mb": size / 1e6,
            "index_ratio": size / sl.text_bytes,
            "inside": summary,
            "loadavg_after": loadavg(),
        }
        log(f"build {engine}: {run['seconds']:.1f} s, {sl.count / run['seconds']:,.0f} articles/s")
    return results


def _reindex_cmd(sl: Slice, index_dir: Path, jobs: int, *, full: bool) -> list[str]:
    """``zhsearch reindex`` of the slice into ``index_dir`` (JSON summary, no progress bar)."""
    cmd = [*zhsearch_cmd(), "reindex", str(sl.path), "--index", str(index_dir), "--jobs", str(jobs)]
    cmd += ["--full", "--json", "--no-progress"] if full else ["--json", "--no-progress"]
    userdict = REPO / "index_data" / "userdict.txt"
    if userdict.exists():
        cmd += ["--userdict", str(userdict)]
    return cmd


def noop_reindex(sl: Slice, work: Path, jobs: int, full_seconds: float) -> dict[str, Any]:
    cmd = _reindex_cmd(sl, work / "index-ours", jobs, full=False)
    log("no-op incremental reindex (ours) ...")
    run = timed_process(cmd)
    summary = json.loads(run.pop("stdout").strip().splitlines()[-1])
    return {**run, "fraction_of_full": run["seconds"] / full_seconds, "inside": summary}


# -- 3.: in-process query latency ---------------------------------------------------------------------------


def query_all(work: Path, engines: list[str], qfile: Path, warmup: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for engine in engines:
        log(f"queries {engine} ...")
        cmd = [
            sys.executable,
            "-m",
            "bench.anchors",
            "query",
            engine,
            str(work / f"index-{engine}"),
            str(qfile),
            "--warmup",
            str(warmup),
        ]
        run = timed_process(cmd)
        d = json.loads(run["stdout"])
        lat = d["latencies_ms"]
        results[engine] = {
            "queries": len(lat),
            "p50_ms": percentile(lat, 50),
            "p95_ms": percentile(lat, 95),
            "p99_ms": percentile(lat, 99),
            "mean_ms": statistics.fmean(lat) if lat else float("nan"),
            "max_ms": max(lat) if lat else float("nan"),
            "with_hits": d["with_hits"],
            "cache": d["cache"],
            "open_seconds": d["open_seconds"],
            "process_rss_mb": d["rss_mb"],
            "by_kind": {
                k: {"n": len(v), "p50_ms": percentile(v, 50), "p95_ms": percentile(v, 95)}
                for k, v in sorted(d["by_kind_ms"].items())
            },
            "loadavg_after": loadavg(),
            "latencies_ms": lat,
        }
        log(f"queries {engine}: p50 {percentile(lat, 50):.2f} ms, p95 {percentile(lat, 95):.2f} ms")
    return results


# -- 4.: HTTP ----------------------------------------------------------------------------------------------


_CACHE_FIELD = re.compile(rb'"GET /api/search[^"]*" \d+ .* cache=(hit|miss) ')


def log_cache_counts(log: Path, start: int, end: int | None = None) -> dict[str, Any]:
    """Result cache hits and misses of the /api/search requests in the server's access log between two byte
    offsets (``cache=hit|miss`` on each line, see ``web.accesslog``)."""
    with open(log, "rb") as fh:
        fh.seek(start)
        data = fh.read() if end is None else fh.read(max(0, end - start))
    hits = misses = 0
    for m in _CACHE_FIELD.finditer(data):
        if m.group(1) == b"hit":
            hits += 1
        else:
            misses += 1
    total = hits + misses
    return {
        "hits": hits,
        "misses": misses,
        "hit_rate": hits / total if total else None,
        "source": "server access log (cache= of each /api/search line)",
    }


def _get(url: str, timeout: float = 5.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            resp.read()
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def _search_path(q: dict[str, Any]) -> str:
    params = [("q", q["q"]), ("per_page", "10")]
    if q.get("sort", "relevance") != "relevance":
        params.append(("sort", q["sort"]))
    params += [("source", s) for s in q.get("sources") or ()]
    if q.get("date_from"):
        params.append(("from", q["date_from"]))
    if q.get("date_to"):
        params.append(("to", q["date_to"]))
    return "/api/search?" + urllib.parse.urlencode(params)


@contextlib.contextmanager
def _server(
    work: Path, log_name: str, extra_env: dict[str, str]
) -> Iterator[tuple[subprocess.Popen, int, Path]]:
    """``zhsearch serve --workers 2`` on the built index, up and answering /healthz; stopped on exit."""
    port = free_port()
    # the per-client limit would answer 429 to the load
    env = dict(os.environ, ZHSEARCH_RATE_LIMIT="0", **extra_env)
    log_path = work / log_name
    logf = open(log_path, "wb")  # noqa: SIM115 -- closed below
    cmd = [
        *zhsearch_cmd(),
        "serve",
        "--workers",
        "2",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--index",
        str(work / "index-ours"),
    ]
    shown = " ".join(f"{k}={v}" for k, v in extra_env.items())
    log(f"HTTP: {shown + ' ' if shown else ''}zhsearch serve --workers 2 on 127.0.0.1:{port} ...")
    server = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=logf, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while _get(f"http://127.0.0.1:{port}/healthz", 2) != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"zhsearch serve did not come up; see {log_path}")
            time.sleep(0.2)
        yield server, port, log_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        logf.close()


def _load(port: int, paths_file: Path, clients: int, seconds: float) -> dict[str, Any]:
    """One run of ``bench.http_load`` (a separate process) against the server on ``port``."""
    load_cmd = [
        sys.executable,
        "-m",
        "bench.http_load",
        "--port",
        str(port),
        "--paths",
        str(paths_file),
        "--clients",
        str(clients),
        "--seconds",
        str(seconds),
    ]
    proc = subprocess.run(load_cmd, capture_output=True, text=True, timeout=seconds + 120, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(f"load process failed: {proc.stderr[-1500:]}")
    return json.loads(proc.stdout)


def _log_http(name: str, res: dict[str, Any]) -> None:
    log(
        f"HTTP {name}: {res['requests_per_s']:,.0f} req/s, p50 {res['p50_ms']:.1f} ms, "
        f"p99 {res['p99_ms']:.1f} ms, errors {res['errors']}"
        + (f", result cache hit rate {_pct(res['cache']['hit_rate'])}" if "cache" in res else "")
    )


def _search_run(port: int, log_path: Path, paths_file: Path, clients: int, seconds: float) -> dict[str, Any]:
    """The search load, with the result cache hits and misses the server logged during it."""
    log_start = log_path.stat().st_size
    res = _load(port, paths_file, clients, seconds)
    time.sleep(0.2)  # the lines of the last answers
    res["cache"] = log_cache_counts(log_path, log_start)
    return res


def http_bench(
    work: Path,
    queries: list[dict[str, Any]],
    warm: list[dict[str, Any]],
    seconds: float,
    clients: int,
    *,
    uncached: bool = True,
) -> dict[str, Any]:
    """/api/search and /healthz on a server with the result cache as configured (default: on); then, unless
    ``uncached`` is False, /api/search again on a second server with ``ZHSEARCH_RESULT_CACHE=0`` (same index,
    workers, duration and clients): the cost of computing every answer."""
    paths_file = work / "search_paths.txt"
    paths_file.write_text("\n".join(_search_path(q) for q in queries) + "\n", encoding="utf-8")
    health_file = work / "healthz_paths.txt"
    health_file.write_text("/healthz\n", encoding="utf-8")
    out: dict[str, Any] = {"load_start": loadavg()}
    with _server(work, "serve.log", {}) as (server, port, log_path):
        out["port"] = port
        for q in warm:  # both workers open the index and warm up (connections spread over the workers)
            _get(f"http://127.0.0.1:{port}" + _search_path(q))
        log(f"HTTP search: {clients} clients for {seconds:g} s ...")
        out["search"] = _search_run(port, log_path, paths_file, clients, seconds)
        _log_http("search", out["search"])
        log(f"HTTP healthz: {clients} clients for {seconds:g} s ...")
        out["healthz"] = _load(port, health_file, clients, seconds)
        _log_http("healthz", out["healthz"])
        out["worker_rss_mb"], out["master_rss_mb"], out["worker_memory"] = _server_rss(server.pid)
    out["search_vs_healthz"] = out["search"]["requests_per_s"] / max(out["healthz"]["requests_per_s"], 1e-9)
    if uncached:
        env = {"ZHSEARCH_RESULT_CACHE": "0"}
        with _server(work, "serve-uncached.log", env) as (server, port, log_path):
            for q in warm:
                _get(f"http://127.0.0.1:{port}" + _search_path(q))
            log(f"HTTP search, cache off: {clients} clients for {seconds:g} s ...")
            search = _search_run(port, log_path, paths_file, clients, seconds)
            _log_http("search, cache off", search)
            workers, master, memory = _server_rss(server.pid)
        out["uncached"] = {
            "env": env,
            "port": port,
            "search": search,
            "worker_rss_mb": workers,
            "master_rss_mb": master,
            "worker_memory": memory,
            # /healthz does not touch the result cache: it is measured once, on the first server
            "healthz_from": "the cached server's /healthz run",
            "search_vs_healthz": search["requests_per_s"] / max(out["healthz"]["requests_per_s"], 1e-9),
        }
    out["load_end"] = loadavg()
    return out


def _proc_memory(pid: int) -> dict[str, Any]:
    """One process's memory split (MB) from ``/proc/<pid>/status`` (``rss_mb`` = VmRSS = anon + file + shmem:
    ``file_mb`` counts the pages of mapped files it has touched, i.e. mostly the mmapped index, shared with the
    page cache and every other process mapping them) and, if readable, ``/proc/<pid>/smaps_rollup`` (``pss_mb``,
    ``uss_mb`` = Private_Clean + Private_Dirty); a field the kernel does not give is left out."""
    keys = {"VmRSS": "rss_mb", "RssAnon": "anon_mb", "RssFile": "file_mb", "RssShmem": "shmem_mb"}
    out: dict[str, Any] = {"pid": pid}

    def parse(path: str, names: dict[str, str]) -> dict[str, float]:
        got: dict[str, float] = {}
        try:
            text = Path(path).read_text(encoding="ascii", errors="replace")
        except OSError:
            return got
        for line in text.splitlines():
            name, _, rest = line.partition(":")
            parts = rest.split()
            if name in names and len(parts) == 2 and parts[1] == "kB":
                got[names[name]] = int(parts[0]) / 1024
        return got

    out.update((k, round(v, 1)) for k, v in parse(f"/proc/{pid}/status", keys).items())
    smaps = parse(
        f"/proc/{pid}/smaps_rollup",
        {"Pss": "pss_mb", "Private_Clean": "private_clean_mb", "Private_Dirty": "private_dirty_mb"},
    )
    out.update((k, round(v, 1)) for k, v in smaps.items())
    if "private_clean_mb" in smaps and "private_dirty_mb" in smaps:
        out["uss_mb"] = round(smaps["private_clean_mb"] + smaps["private_dirty_mb"], 1)
    return out


def _descendants(pid: int) -> list[int]:
    """The pids of ``pid``'s children, grandchildren... from ``/proc`` (no psutil needed: the bench extra is
    not installed where the test suite runs the smoke benchmark)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("PPid:"):
                parents.setdefault(int(line.split()[1]), []).append(int(entry.name))
                break
    out: list[int] = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _server_rss(pid: int) -> tuple[list[float], float | None, list[dict[str, Any]]]:
    """RSS (MB) of the gunicorn workers and of the master, and each worker's memory split (``_proc_memory``,
    read at the same moment as its RSS), from ``/proc``; ([], None, []) where there is no ``/proc``."""
    if not Path(f"/proc/{pid}/status").exists():
        return [], None, []
    memory = [m for m in map(_proc_memory, _descendants(pid)) if "rss_mb" in m]
    memory.sort(key=lambda m: m["rss_mb"])
    return [m["rss_mb"] for m in memory], _proc_memory(pid).get("rss_mb"), memory


# -- 5.: cold start ----------------------------------------------------------------------------------------


def cold_all(work: Path, engines: list[str], query: dict[str, Any], repeats: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for engine in engines:
        runs = []
        for _ in range(repeats):
            cmd = [
                sys.executable,
                "-m",
                "bench.anchors",
                "cold",
                engine,
                str(work / f"index-{engine}"),
                json.dumps(query, ensure_ascii=False),
            ]
            runs.append(timed_process(cmd)["seconds"])
        results[engine] = {"seconds": statistics.median(runs), "runs": runs}
        log(f"cold start {engine}: {statistics.median(runs):.2f} s")
    return results


# -- report ------------------------------------------------------------------------------------------------


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f} %"


def hit_rate(cache: dict[str, Any]) -> float | None:
    """The hit rate of the timed queries from a ``cache`` dict of ``bench.anchors`` (None: no cache counters)."""
    hits, misses = cache.get("timed_hits"), cache.get("timed_misses")
    if not isinstance(misses, int):
        hits, misses = cache.get("hits") or 0, cache.get("misses")
    if not isinstance(misses, int) or hits + misses == 0:
        return None
    return hits / (hits + misses)


def _fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        if v != v:
            return "–"
        if abs(v) >= 100:
            s = f"{v:,.0f}"
        elif abs(v) >= 10:
            s = f"{v:.1f}"
        else:
            s = f"{v:.2f}"
    else:
        s = f"{v:,}" if isinstance(v, int) else str(v)
    return s + unit


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of the results table: each figure for ours and the anchors, ratios, the issue's target."""
    b, q, h, c, noop = r["build"], r["query"], r.get("http"), r["cold_start"], r.get("noop")
    rows: list[dict[str, Any]] = []

    def val(section: dict[str, Any], engine: str, key: str) -> Any:
        return (section.get(engine) or {}).get(key)

    def ratio_of(a: Any, b: Any) -> float | None:
        return a / b if isinstance(a, float | int) and isinstance(b, float | int) and b else None

    def row(
        metric: str, section: dict[str, Any], key: str, unit: str, target: str = "", ok: Any = None
    ) -> None:
        ours = val(section, "ours", key)
        anchors = {a: val(section, a, key) for a in ANCHORS}
        met = None if ours is None or ok is None else bool(ok(ours))
        rows.append(
            {
                "metric": metric,
                "unit": unit,
                "ours": ours,
                **anchors,
                "ratio_stock": ratio_of(ours, anchors["stock"]),
                "ratio_fts5": ratio_of(ours, anchors["fts5"]),
                "target": target,
                "met": met,
            }
        )

    def single(metric: str, ours: Any, unit: str, target: str = "", ok: Any = None, **extra: Any) -> None:
        met = None if ours is None or ok is None else bool(ok(ours))
        rows.append({"metric": metric, "unit": unit, "ours": ours, "target": target, "met": met, **extra})

    row("build articles/s", b, "articles_per_s", "")
    speed = rows[-1]["ratio_stock"]
    rows[-1]["target"] = "≥ 10× stock"
    rows[-1]["met"] = None if speed is None else speed >= 10
    row("build MB/s (title+body text)", b, "mb_per_s", "")
    row("build peak RSS (process tree)", b, "peak_rss_tree_mb", " MB", "≤ 2048 MB", lambda v: v <= 2048)
    row("build CPU seconds (user+sys)", b, "cpu_seconds", " s")
    row("index size ÷ raw text", b, "index_ratio", "×", "≤ 2×", lambda v: v <= 2)
    if noop:
        single("no-op reindex, seconds", noop["seconds"], " s")
        single("no-op reindex ÷ full build", noop["fraction_of_full"] * 100, " %", "< 5 %", lambda v: v < 5)
    row("query p50 (in-process)", q, "p50_ms", " ms", "≤ 3 ms", lambda v: v <= 3)
    sp = rows[-1]["ratio_stock"]
    single("query p50 speed-up vs stock", 1 / sp if sp else None, "×", "≥ 8×", lambda v: v >= 8)
    row("query p95 (in-process)", q, "p95_ms", " ms", "≤ 15 ms", lambda v: v <= 15)
    row("query p99 (in-process)", q, "p99_ms", " ms", "≤ 50 ms", lambda v: v <= 50)
    row("queries with ≥ 1 hit", q, "with_hits", "")
    if h:
        hs, hh = h["search"], h["healthz"]
        single(
            "HTTP /api/search req/s",
            hs["requests_per_s"],
            "",
            "≥ 0.5 × /healthz",
            lambda v: v >= 0.5 * hh["requests_per_s"],
            ratio_healthz=h["search_vs_healthz"],
        )
        single("HTTP /healthz req/s (ceiling)", hh["requests_per_s"], "")
        single("HTTP /api/search p50", hs["p50_ms"], " ms")
        single("HTTP /api/search p99", hs["p99_ms"], " ms", "≤ 100 ms", lambda v: v <= 100)
        rate = (hs.get("cache") or {}).get("hit_rate")
        single("HTTP /api/search result cache hit rate", None if rate is None else rate * 100, " %")
        single("HTTP /healthz p50 / p99", f"{hh['p50_ms']:.1f} / {hh['p99_ms']:.1f}", " ms")
        single("HTTP errors (search + healthz)", hs["errors"] + hh["errors"], "", "0", lambda v: v == 0)
        # the same search load on a server with ZHSEARCH_RESULT_CACHE=0 (None everywhere: not measured, e.g.
        # --no-http-uncached or a bench.json of an older harness)
        u = h.get("uncached") or {}
        us = u.get("search") or {}
        single(
            "HTTP /api/search req/s, cache off",
            us.get("requests_per_s"),
            "",
            "≥ 0.5 × /healthz",
            lambda v: v >= 0.5 * hh["requests_per_s"],
            ratio_healthz=u.get("search_vs_healthz"),
        )
        single("HTTP /api/search p50, cache off", us.get("p50_ms"), " ms")
        single("HTTP /api/search p99, cache off", us.get("p99_ms"), " ms", "≤ 100 ms", lambda v: v <= 100)
        urate = (us.get("cache") or {}).get("hit_rate")
        single(
            "HTTP /api/search result cache hit rate, cache off",
            None if urate is None else urate * 100,
            " %",
            "0 %",
            lambda v: v == 0,
        )
        single("HTTP /api/search errors, cache off", us.get("errors"), "", "0", lambda v: v == 0)
        wmax = max(h["worker_rss_mb"]) if h["worker_rss_mb"] else None
        single("serving worker RSS (max)", wmax, " MB", "≤ 300 MB", lambda v: v <= 300)
        # the split of that RSS (each the max over the workers; – for a bench.json of an older harness)
        mem = _worker_memory_max(h.get("worker_memory"))
        single(
            "serving worker RSS, private (anon) / file-backed (index pages)",
            _pair(mem, "anon_mb", "file_mb"),
            " MB",
        )
        single("serving worker USS / PSS", _pair(mem, "uss_mb", "pss_mb"), " MB")
    row("cold start to first answer", c, "seconds", " s", "≤ 1.5 s", lambda v: v <= 1.5)
    return rows


def _worker_memory_max(memory: list[dict[str, Any]] | None) -> dict[str, float]:
    """Each field of ``_proc_memory`` as its max over the workers ({} when not recorded)."""
    out: dict[str, float] = {}
    for m in memory or []:
        for k, v in m.items():
            if k != "pid" and isinstance(v, int | float):
                out[k] = max(out.get(k, v), v)
    return out


def _pair(mem: dict[str, float], a: str, b: str) -> str | None:
    """``"A / B"`` (MB, one decimal) of two fields of ``mem``; None (shown as –) when neither was recorded."""
    if a not in mem and b not in mem:
        return None
    return " / ".join("–" if mem.get(k) is None else f"{mem[k]:.1f}" for k in (a, b))


def _worker_memory_sentence(h: dict[str, Any] | None) -> str:
    """The note under the table on the worker RSS split (why RSS counts the index file)."""
    if not h:
        return ""
    mem = _worker_memory_max(h.get("worker_memory"))
    if not mem:
        return (
            "Serving worker memory split (anon / file-backed, USS / PSS): not recorded by the harness of this "
            "run; its rows show –."
        )
    shmem = f" (shmem {mem['shmem_mb']:.1f} MB besides)" if mem.get("shmem_mb") else ""
    return (
        "Serving worker memory (from each worker's `/proc/<pid>/status` and `/proc/<pid>/smaps_rollup`, read "
        "with its RSS after the load; each figure the max over the workers): the file-backed pages are the "
        "parts of the mmapped index the worker has read (plus the interpreter's shared libraries), pages of "
        "the page cache shared with the other worker and counted in the RSS of every process mapping them, "
        f"while the private (anon) part{shmem} is the worker's heap, part of it inherited from the gunicorn "
        "master (`preload_app`) and still shared copy-on-write, so USS (the pages only this worker maps) is "
        "what it alone holds and PSS its share with every shared page divided among the processes mapping it."
    )


def _memory_split(memory: list[dict[str, Any]] | None) -> str:
    """`` (anon / file-backed, USS / PSS: …)`` of the max over the workers, or "" when not recorded."""
    mem = _worker_memory_max(memory)
    if not mem:
        return ""
    return (
        f" (max anon / file-backed {_pair(mem, 'anon_mb', 'file_mb')} MB, USS / PSS "
        f"{_pair(mem, 'uss_mb', 'pss_mb')} MB)"
    )


def _git_line(meta: dict[str, Any]) -> str:
    g = meta.get("git") or {}
    line = f"Code measured: commit {g.get('head', '?')[:10]}"
    if g.get("changed"):
        line += " with uncommitted changes in " + ", ".join(g["changed"])
    if g.get("note"):
        line += f" ({g['note']})"
    if meta.get("query_set_note"):
        line += f". Note: {meta['query_set_note']}"
    return line + "."


def _http_cache_sentence(cache: dict[str, Any] | None) -> str:
    if not cache:
        return "Result cache hit rate of the search run: not recorded."
    return (
        f"Result cache hit rate of the search run: {_pct(cache.get('hit_rate'))} ({cache['hits']:,} hits, "
        f"{cache['misses']:,} misses, from {cache.get('source', '?')}; each worker keeps its own cache, so a "
        "URL is computed at most once per worker and then served from the cache while the index is unchanged)."
    )


def _http_uncached_sentence(h: dict[str, Any]) -> str:
    u = h.get("uncached")
    if not u:
        return (
            "Search with the result cache off: not measured in this run (`--no-http-uncached`, or a bench.json "
            "of a harness before that run existed); its rows show –."
        )
    s = u["search"]
    cache = s.get("cache") or {}
    return (
        f"Search with the result cache off: a second `zhsearch serve --workers 2` with "
        f"{' '.join(f'{k}={v}' for k, v in u.get('env', {}).items())} on the same index, same load "
        f"({s['clients']} connections, {s['seconds']:.0f} s, the same {s['distinct_paths']} URLs), so every "
        f"answer is computed: {s['requests_per_s']:,.0f} req/s, p50 {s['p50_ms']:.1f} ms, p99 "
        f"{s['p99_ms']:.1f} ms, {s['errors']} errors, result cache hit rate {_pct(cache.get('hit_rate'))} "
        f"({_fmt(cache.get('hits'))} hits, {_fmt(cache.get('misses'))} misses in its access log); worker RSS "
        f"{u.get('worker_rss_mb')} MB{_memory_split(u.get('worker_memory'))}. "
        f"Its ratio is to {u.get('healthz_from', 'the /healthz run above')} "
        "(/healthz does not use the result cache, so it is not measured again)."
    )


def markdown(r: dict[str, Any]) -> str:
    m = r["meta"]
    lines = [
        "# zhsearch benchmark",
        "",
        f"Run {m['started']} → {m['finished']} on {m['host']['cpus']} CPUs, {m['articles']:,} articles "
        f"({m['text_mb']:.1f} MB title+body text{', limit ' + str(m['limit']) if m['limit'] else ''}), "
        f"{m['queries']} distinct timed queries (+{m['warmup']} warm-up). "
        f"Load average (1/5/15 min) at start {m['loadavg_start']}, at end {m['loadavg_end']}: "
        "the machine is shared, compare figures within this run only.",
        "",
        _git_line(m),
        "",
        "Ratios are ours ÷ anchor (below 1 is faster for latencies and seconds, above 1 is faster for "
        "rates); HTTP search is compared with /healthz on the same server (the cache-off search, on its own "
        "server, with that same /healthz run). Targets are the issue's, set for the "
        "full 75k corpus on 2 cores.",
        "",
        "| metric | ours | "
        + " | ".join(LABELS[a] for a in ANCHORS)
        + " | ours ÷ stock | ours ÷ FTS5 | target | met? |",
        "|---|---|" + "---|" * len(ANCHORS) + "---|---|---|---|",
    ]
    for row in r["targets"]:
        unit = row.get("unit", "")
        met = {True: "yes", False: "**no**", None: ""}[row["met"]]
        cells = [_fmt(row.get(a), unit) if a in row else "" for a in ANCHORS]
        r_stock = _fmt(row.get("ratio_stock"), "×") if row.get("ratio_stock") is not None else ""
        r_fts5 = _fmt(row.get("ratio_fts5"), "×") if row.get("ratio_fts5") is not None else ""
        if row.get("ratio_healthz") is not None:
            r_stock = f"{row['ratio_healthz']:.2f}× of /healthz"
        lines.append(
            f"| {row['metric']} | {_fmt(row['ours'], unit)} | "
            + " | ".join(cells)
            + f" | {r_stock} | {r_fts5} | {row['target']} | {met} |"
        )
    note = _worker_memory_sentence(r.get("http"))
    if note:
        lines += ["", note]
    skipped = r.get("skipped") or {}
    if skipped:
        lines += ["", "Skipped: " + "; ".join(skipped.values())]
    q = r["query"].get("ours")
    if q:
        lines += [
            "",
            "In-process latency of zhsearch by query kind:",
            "",
            "| kind | n | p50 | p95 |",
            "|---|---|---|---|",
        ]
        for kind, k in q["by_kind"].items():
            lines.append(f"| {kind} | {k['n']} | {k['p50_ms']:.2f} ms | {k['p95_ms']:.2f} ms |")
        cache = q["cache"]
        lines += [
            "",
            f"In-process result cache over the timed queries (all distinct): {cache.get('timed_hits', '–')} hits, "
            f"{cache.get('timed_misses', '–')} misses, hit rate {_pct(r.get('cache_hit_rate'))} "
            f"(counters at the end: {json.dumps(cache, ensure_ascii=False)}).",
        ]
    h = r.get("http")
    if h:
        lines += [
            "",
            f"HTTP: {h['search']['client']}, {h['search']['clients']} connections, "
            f"{h['search']['seconds']:.0f} s per endpoint, {h['search']['distinct_paths']} distinct search URLs "
            f"(cycled); worker RSS {h['worker_rss_mb']} MB; load during HTTP {h['load_start']} → {h['load_end']}. "
            "The load generator shares the 2 cores with the server. "
            + _http_cache_sentence(h["search"].get("cache")),
            "",
            _http_uncached_sentence(h),
        ]
    lines += ["", "Plots: `latency.png` (in-process latency CDF per engine), `throughput.png`.", ""]
    return "\n".join(lines)


# -- main --------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSONL(.gz) articles (xwlb)")
    ap.add_argument("--limit", type=int, default=None, help="index only the first N articles")
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
        result = json.loads(args.render.read_text(encoding="utf-8"))
        for q in result["query"].values():  # percentiles again from the raw latencies
            lat = q["latencies_ms"]
            q.update({f"p{p}_ms": percentile(lat, p) for p in (50, 95, 99)})
        result["targets"] = targets(result)
        write_results(result, args.out, plots=not args.no_plots)
        return 0
    if not args.corpus.exists():
        print(
            f"bench: skipped: corpus {args.corpus} not found (it lives in ../shared/corpora/xwlb/, "
            "which a fresh clone does not have; pass --corpus FILE.jsonl)",
            file=sys.stderr,
        )
        return 0
    wanted = [e.strip() for e in args.engines.split(",") if e.strip()]
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
    started = datetime.now(UTC)
    load_start = loadavg()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="zhsearch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        log(f"corpus {args.corpus} (limit {args.limit}) -> {work}")
        sl = make_slice(args.corpus, work, args.limit)
        log(f"{sl.count:,} articles, {sl.text_mb:.1f} MB of title+body text")
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
        loads["end"] = loadavg()
        result: dict[str, Any] = {
            "meta": {
                "started": started.isoformat(timespec="seconds"),
                "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                "corpus": str(args.corpus),
                "limit": args.limit,
                "articles": sl.count,
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
            },
            "skipped": skipped,
            "build": build,
            "noop": noop,
            "query": query,
            "cache_hit_rate": hit_rate(query["ours"]["cache"]),
            "http": http,
            "cold_start": cold,
        }
        result["targets"] = targets(result)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "bench.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        md = markdown(result)
        (args.out / "bench.md").write_text(md, encoding="utf-8")
        if not args.no_plots:
            from bench.plots import plot_all

            plot_all(result, args.out)
        print(md)
        log(f"results in {args.out}")
        return 0
    finally:
        if args.keep or args.workdir:
            log(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def write_results(result: dict[str, Any], out: Path, *, plots: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    md = markdown(result)
    (out / "bench.md").write_text(md, encoding="utf-8")
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
