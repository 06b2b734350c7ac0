"""HTTP figures: ``zhsearch serve --workers 2`` under a separate load process (``bench.http_load``), with the
result cache on and off, and the serving workers' memory read from ``/proc``."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.corpus import REPO
from bench.report import _pct
from bench.runs import free_port, loadavg, log, zhsearch_cmd

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
    # off by default; kept off should the environment set one (it would answer 429 to the load)
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
