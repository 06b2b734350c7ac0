"""Latency figures of the in-process query runs: percentiles overall, per query kind, and of the quoted phrases
(every phrase kind together), from the per-query latencies and kinds that ``bench.json`` keeps."""

from __future__ import annotations

import math
import statistics
from typing import Any

from bench.queries import PHRASE_KINDS

PERCENTILES = (50, 95, 99)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of unsorted values (NaN when there are none)."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))
    return s[k]


def spread(values: list[float]) -> dict[str, Any]:
    """``n`` and ``p50_ms``, ``p95_ms``, ``p99_ms`` of ``values`` (ms)."""
    return {"n": len(values), **{f"p{p}_ms": percentile(values, p) for p in PERCENTILES}}


def summarize(latencies: list[float], kinds: list[str]) -> dict[str, Any]:
    """The latency part of one engine's query figures: percentiles, mean and max over all timed queries,
    ``by_kind`` (kinds sorted by name), ``phrases`` (every kind of :data:`PHRASE_KINDS` together) and
    ``phrases_p95_ms`` (the same p95, for the table's row). ``kinds[i]`` is the kind of ``latencies[i]``."""
    if len(kinds) != len(latencies):
        raise ValueError(f"{len(kinds)} kinds for {len(latencies)} latencies")
    per_kind: dict[str, list[float]] = {}
    for kind, ms in zip(kinds, latencies, strict=True):
        per_kind.setdefault(kind, []).append(ms)
    phrase_ms = [ms for kind, ms in zip(kinds, latencies, strict=True) if kind in PHRASE_KINDS]
    phrases = {**spread(phrase_ms), "kinds": [k for k in PHRASE_KINDS if k in per_kind]}
    return {
        "queries": len(latencies),
        **{f"p{p}_ms": percentile(latencies, p) for p in PERCENTILES},
        "mean_ms": statistics.fmean(latencies) if latencies else float("nan"),
        "max_ms": max(latencies) if latencies else float("nan"),
        "by_kind": {k: spread(v) for k, v in sorted(per_kind.items())},
        "phrases": phrases,
        "phrases_p95_ms": phrases["p95_ms"],
        "kinds": list(kinds),
        "latencies_ms": list(latencies),
    }


def refresh(q: dict[str, Any]) -> None:
    """Recompute the percentiles of one engine's query figures from its raw latencies (``--render``). A
    ``bench.json`` of an older harness has no per-query kinds: its ``by_kind`` stays as recorded, and its
    quoted-phrase figures are those of its one phrase kind, if it had exactly one."""
    lat = q.get("latencies_ms") or []
    kinds = q.get("kinds")
    if kinds is not None and len(kinds) == len(lat):
        q.update({k: v for k, v in summarize(lat, kinds).items() if k != "queries"})
        return
    q.update({f"p{p}_ms": percentile(lat, p) for p in PERCENTILES})
    present = [k for k in PHRASE_KINDS if k in (q.get("by_kind") or {})]
    if "phrases" not in q:
        only = dict(q["by_kind"][present[0]]) if len(present) == 1 else {}
        q["phrases"] = {**only, "kinds": present}
        q["phrases_p95_ms"] = only.get("p95_ms")


def _ms(v: Any) -> str:
    return "–" if not isinstance(v, int | float) or v != v else f"{v:.2f} ms"


def kind_table(q: dict[str, Any]) -> list[str]:
    """The markdown lines of the per-kind latency table of one engine, with the quoted phrases together and
    all queries as the last two rows."""
    lines = ["| kind | n | p50 | p95 | p99 |", "|---|---|---|---|---|"]
    for kind, k in q["by_kind"].items():
        lines.append(
            f"| {kind} | {k['n']} | {_ms(k['p50_ms'])} | {_ms(k['p95_ms'])} | {_ms(k.get('p99_ms'))} |"
        )
    ph = q.get("phrases") or {}
    if ph.get("kinds"):
        lines.append(
            f"| **quoted phrases** ({' + '.join(ph['kinds'])}) | {ph.get('n', '–')} | {_ms(ph.get('p50_ms'))} "
            f"| {_ms(ph.get('p95_ms'))} | {_ms(ph.get('p99_ms'))} |"
        )
    lines.append(
        f"| **all** | {q['queries']} | {_ms(q['p50_ms'])} | {_ms(q['p95_ms'])} | {_ms(q['p99_ms'])} |"
    )
    return lines
