"""Scale runs: zhsearch alone on the slice repeated K times (``--scales 1,4``), beside the main run.

The main run indexes the slice at the first scale of ``--scales`` (``--scale K`` alone: at K, and nothing
else) with every engine. Each further scale is a build (``zhsearch reindex --full``) and an in-process query
run of ours only, on its own copy of the slice (``bench.corpus.write_slice``), with the same queries as the main
run; the table then shows its build rate, its p50/p95/p99 and its p50 and p95 divided by the main run's.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from bench.corpus import Slice, write_slice
from bench.runs import build_all, log, query_all

#: The issue's target: p50 at 4 times the articles at most this many times the p50 at the base scale.
SCALE4_P50_TARGET = 2.5


def parse_scales(scale: int | None, scales: str | None) -> list[int]:
    """The scales of a run, the main one first, from ``--scale`` and ``--scales`` (exclusive; default [1])."""
    if scale is not None and scales is not None:
        raise ValueError(
            "--scale and --scales exclude each other (--scales 1,4: the main run at 1, ours at 4)"
        )
    if scales is None:
        out = [1 if scale is None else scale]
    else:
        try:
            out = [int(s) for s in scales.split(",") if s.strip()]
        except ValueError:
            raise ValueError(f"--scales takes comma-separated whole numbers, not {scales!r}") from None
    if not out or any(s < 1 for s in out) or len(set(out)) != len(out):
        raise ValueError(f"scales must be distinct whole numbers ≥ 1, not {out}")
    return out


def scale_runs(
    base: Slice, scales: list[int], work: Path, qfile: Path, warmup: int, jobs: int, *, keep: bool
) -> dict[str, Any]:
    """Build and query ours at each of ``scales`` (the original records of ``base`` that many times), each in
    ``work/scale-K``; keyed by ``str(K)`` for ``bench.json``. The index is removed afterwards unless ``keep``."""
    out: dict[str, Any] = {}
    for s in scales:
        w = work / f"scale-{s}"
        sl = write_slice(base.records, w, s)
        log(f"scale ×{s}: {sl.count:,} articles, {sl.text_mb:.1f} MB of title+body text (ours only)")
        build = build_all(sl, w, ["ours"], jobs)["ours"]
        query = query_all(w, ["ours"], qfile, warmup)["ours"]
        out[str(s)] = {
            "scale": s,
            "articles": sl.count,
            "text_mb": sl.text_mb,
            "build": build,
            "query": query,
        }
        if not keep:
            shutil.rmtree(w, ignore_errors=True)
    return out


def scale_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's rows of the scale runs of result ``r`` (none without any): for each further scale K, its
    build rate, its p50/p95/p99, and its p50 and p95 ÷ those of the main run (the target applies to K = 4 × the
    main run's scale)."""
    extra = r.get("scales") or {}
    main_q = (r.get("query") or {}).get("ours") or {}
    m = (r.get("meta") or {}).get("scale", 1)
    rows: list[dict[str, Any]] = []

    def single(metric: str, ours: Any, unit: str, target: str = "", met: bool | None = None) -> None:
        rows.append({"metric": metric, "unit": unit, "ours": ours, "target": target, "met": met})

    for key in sorted(extra, key=int):
        run = extra[key]
        s, q, b = run["scale"], run["query"], run["build"]
        single(
            f"build articles/s, ×{s} ({run['articles']:,} articles, ours only)", b.get("articles_per_s"), ""
        )
        single(
            f"query p50 / p95 / p99 (in-process), ×{s}",
            " / ".join(f"{q[f'p{p}_ms']:.2f}" for p in (50, 95, 99)),
            " ms",
        )
        for p in (50, 95):
            ratio = _ratio(q.get(f"p{p}_ms"), main_q.get(f"p{p}_ms"))
            target, met = "", None
            if p == 50 and s == 4 * m:
                target = f"≤ {SCALE4_P50_TARGET:g}×"
                met = None if ratio is None else ratio <= SCALE4_P50_TARGET
            single(f"query p{p} ×{s} ÷ p{p} ×{m} (in-process)", ratio, "×", target, met)
    return rows


def _ratio(a: Any, b: Any) -> float | None:
    if not isinstance(a, int | float) or not isinstance(b, int | float) or not b or a != a or b != b:
        return None
    return a / b


def scale_sentence(r: dict[str, Any]) -> str:
    """The note under the table on the scale runs ("" without any)."""
    extra = r.get("scales") or {}
    if not extra:
        return ""
    m = r["meta"].get("scale", 1)
    shown = ", ".join(
        f"×{run['scale']} ({run['articles']:,} articles)"
        for _, run in sorted(extra.items(), key=lambda kv: int(kv[0]))
    )
    return (
        f"Scale runs: zhsearch alone at {shown}, the slice repeated with new ids, built and queried after the "
        f"main run's queries with the same {r['meta']['queries']} timed queries (derived from the slice); the "
        f"ratios are to the main run at ×{m}. Build figures include interpreter start; compare them within this "
        "run only."
    )
