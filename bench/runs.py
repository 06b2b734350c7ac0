"""Processes of the benchmark: timing a subprocess (wall, CPU, peak RSS), the builds, the in-process query runs
and the cold starts, each engine in its own process (``bench.anchors`` or ``zhsearch reindex``)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.corpus import REPO, Slice
from bench.latency import summarize

VENV_BIN = Path(sys.executable).parent


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


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
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "zhsearch"]


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
    """Each engine's in-process run over the queries of ``qfile`` (the first ``warmup`` untimed) on its index
    ``work/index-ENGINE``: percentiles overall, per kind and of the quoted phrases (``bench.latency``)."""
    kinds = [q["kind"] for q in json.loads(qfile.read_text(encoding="utf-8"))[warmup:]]
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
        summary = summarize(lat, kinds)
        raw = {k: summary.pop(k) for k in ("kinds", "latencies_ms")}  # the long lists last in bench.json
        results[engine] = {
            **summary,
            "with_hits": d["with_hits"],
            "cache": d["cache"],
            "open_seconds": d["open_seconds"],
            "process_rss_mb": d["rss_mb"],
            "loadavg_after": loadavg(),
            **raw,
        }
        log(
            f"queries {engine}: p50 {summary['p50_ms']:.2f} ms, p95 {summary['p95_ms']:.2f} ms, "
            f"quoted phrases p95 {summary['phrases_p95_ms']:.2f} ms"
        )
    return results


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
