"""HTTP load from a separate process: ``python -m bench.http_load --port P --paths FILE``.

Uses ``wrk`` (Debian package ``wrk``) when it is installed, with a Lua script that walks the list of request
paths (each connection starts at a different place in it); otherwise a Python client: one thread per connection,
keep-alive ``http.client`` connections. Either way: a fixed number of concurrent connections for a fixed time,
to a loopback address only, and one JSON object on stdout (requests/s, latency percentiles in ms, errors).

The Python client also counts the ``X-Cache: hit|miss`` headers of the answers (``x_cache``); wrk's script does
not read answers (that would cost the load generator time on the shared cores): ``bench.bench`` counts the
result cache hits in the server's access log instead, whichever client ran.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

_LUA = r"""
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local counter = 0
local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end
function init(args)
  counter = (tid or 0) * 7919
end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "connect": %%d, "read": %%d, ' ..
    '"write": %%d, "status": %%d, "timeout": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d, "mean_us": %%f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
"""


def _check_loopback(host: str) -> None:
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        raise SystemExit(f"http_load: refusing to load {host!r}: loopback addresses only")


def run_wrk(host: str, port: int, paths_file: Path, clients: int, seconds: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(_LUA % {"paths": str(paths_file.resolve())})
        script = fh.name
    threads = max(1, min(2, clients))
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{clients}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        script,
        f"http://{host}:{port}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    Path(script).unlink(missing_ok=True)
    m = re.search(r"^WRKJSON (.*)$", proc.stdout, re.M)
    if proc.returncode != 0 or not m:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stdout[-500:]} {proc.stderr[-500:]}")
    w = json.loads(m.group(1))
    duration = w["duration_us"] / 1e6
    errors = w["connect"] + w["read"] + w["write"] + w["status"] + w["timeout"]
    return {
        "client": "wrk",
        "clients": clients,
        "seconds": duration,
        "requests": w["requests"],
        "requests_per_s": w["requests"] / duration if duration else 0.0,
        "p50_ms": w["p50_us"] / 1000,
        "p90_ms": w["p90_us"] / 1000,
        "p99_ms": w["p99_us"] / 1000,
        "max_ms": w["max_us"] / 1000,
        "mean_ms": w["mean_us"] / 1000,
        "errors": errors,
        "errors_by_kind": {k: w[k] for k in ("connect", "read", "write", "status", "timeout")},
    }


def run_python(host: str, port: int, paths: list[str], clients: int, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    errors = {"connect": 0, "read": 0, "status": 0}
    x_cache: dict[str, int] = {}

    def worker(offset: int) -> None:
        conn: http.client.HTTPConnection | None = None
        i = offset
        mine: list[float] = []
        errs = {"connect": 0, "read": 0, "status": 0}
        cached: dict[str, int] = {}
        while time.monotonic() < deadline:
            path = paths[i % len(paths)]
            i += 1
            t = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=10)
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    errs["status"] += 1
                state = resp.getheader("X-Cache")
                if state:
                    cached[state] = cached.get(state, 0) + 1
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except ConnectionRefusedError:
                errs["connect"] += 1
                conn = None
                continue
            except (OSError, http.client.HTTPException):
                errs["read"] += 1
                if conn is not None:
                    conn.close()
                conn = None
                continue
            mine.append((time.perf_counter() - t) * 1000)
        if conn is not None:
            conn.close()
        with lock:
            latencies.extend(mine)
            for k, v in errs.items():
                errors[k] += v
            for k, v in cached.items():
                x_cache[k] = x_cache.get(k, 0) + v

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k * 7919,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration = time.monotonic() - t0
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else 0.0

    n = len(latencies) + errors["status"]
    return {
        "client": "python threads (http.client)",
        "clients": clients,
        "seconds": duration,
        "requests": n,
        "requests_per_s": n / duration if duration else 0.0,
        "p50_ms": pct(50),
        "p90_ms": pct(90),
        "p99_ms": pct(99),
        "max_ms": latencies[-1] if latencies else 0.0,
        "mean_ms": sum(latencies) / len(latencies) if latencies else 0.0,
        "errors": sum(errors.values()),
        "errors_by_kind": errors,
        "x_cache": x_cache,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.http_load")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--paths", type=Path, required=True, help="file of request paths, one a line")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    args = ap.parse_args(argv)
    _check_loopback(args.host)
    paths = [p for p in args.paths.read_text(encoding="utf-8").splitlines() if p]
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    if use_wrk:
        out = run_wrk(args.host, args.port, args.paths, args.clients, args.seconds)
    else:
        out = run_python(args.host, args.port, paths, args.clients, args.seconds)
    out["distinct_paths"] = len(set(paths))
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
