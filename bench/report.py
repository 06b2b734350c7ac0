"""The report of a benchmark result: the rows of the table (each figure, ratios, the issue's target, met?) and
``bench.md``."""

from __future__ import annotations

import json
from typing import Any

from bench.anchors import ANCHORS, LABELS
from bench.latency import kind_table
from bench.scale import scale_rows, scale_sentence


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


def _ratio(a: Any, b: Any) -> float | None:
    return a / b if isinstance(a, float | int) and isinstance(b, float | int) and b else None


class _Rows(list[dict[str, Any]]):
    """The rows of the results table, added one figure at a time."""

    def row(
        self, metric: str, section: dict[str, Any], key: str, unit: str, target: str = "", ok: Any = None
    ) -> dict[str, Any]:
        """A figure of ours beside the anchors' (``section[engine][key]``), with the ratios."""
        ours = (section.get("ours") or {}).get(key)
        anchors = {a: (section.get(a) or {}).get(key) for a in ANCHORS}
        met = None if ours is None or ok is None else bool(ok(ours))
        self.append(
            {
                "metric": metric,
                "unit": unit,
                "ours": ours,
                **anchors,
                "ratio_stock": _ratio(ours, anchors["stock"]),
                "ratio_fts5": _ratio(ours, anchors["fts5"]),
                "target": target,
                "met": met,
            }
        )
        return self[-1]

    def single(
        self, metric: str, ours: Any, unit: str, target: str = "", ok: Any = None, **extra: Any
    ) -> None:
        """A figure of ours alone."""
        met = None if ours is None or ok is None else bool(ok(ours))
        self.append({"metric": metric, "unit": unit, "ours": ours, "target": target, "met": met, **extra})


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of the results table: each figure for ours and the anchors, ratios, the issue's target."""
    rows = _Rows()
    _build_rows(rows, r["build"], r.get("noop"))
    _query_rows(rows, r["query"])
    rows.extend(scale_rows(r))
    if r.get("http"):
        _http_rows(rows, r["http"])
    rows.row("cold start to first answer", r["cold_start"], "seconds", " s", "≤ 1 s", lambda v: v <= 1)
    return list(rows)


def _build_rows(rows: _Rows, b: dict[str, Any], noop: dict[str, Any] | None) -> None:
    speed = rows.row("build articles/s", b, "articles_per_s", "")
    speed["target"] = "≥ 10× stock"
    speed["met"] = None if speed["ratio_stock"] is None else speed["ratio_stock"] >= 10
    rows.row("build MB/s (title+body text)", b, "mb_per_s", "")
    rows.row("build peak RSS (process tree)", b, "peak_rss_tree_mb", " MB", "≤ 2048 MB", lambda v: v <= 2048)
    rows.row("build CPU seconds (user+sys)", b, "cpu_seconds", " s")
    rows.row("index size ÷ raw text", b, "index_ratio", "×", "≤ 2×", lambda v: v <= 2)
    if noop:
        rows.single("no-op reindex, seconds", noop["seconds"], " s")
        rows.single(
            "no-op reindex ÷ full build", noop["fraction_of_full"] * 100, " %", "< 5 %", lambda v: v < 5
        )


def _query_rows(rows: _Rows, q: dict[str, Any]) -> None:
    p50 = rows.row("query p50 (in-process)", q, "p50_ms", " ms", "≤ 3 ms", lambda v: v <= 3)
    sp = p50["ratio_stock"]
    rows.single("query p50 speed-up vs stock", 1 / sp if sp else None, "×", "≥ 8×", lambda v: v >= 8)
    p95 = rows.row("query p95 (in-process)", q, "p95_ms", " ms", "≤ 15 ms", lambda v: v <= 15)
    # the query-engine issue: ours at most FTS5's p50 and p95 (the ratio of the row above), p99 ≤ 25 ms
    rows.single(
        "query p50 ÷ FTS5 p50 (in-process)", p50["ratio_fts5"], "×", "≤ 1× (≤ FTS5)", lambda v: v <= 1
    )
    rows.single(
        "query p95 ÷ FTS5 p95 (in-process)", p95["ratio_fts5"], "×", "≤ 1× (≤ FTS5)", lambda v: v <= 1
    )
    rows.row("query p99 (in-process)", q, "p99_ms", " ms", "≤ 25 ms", lambda v: v <= 25)
    # every phrase kind (bench.queries.PHRASE_KINDS) together; – for a bench.json without its figure
    rows.row("quoted phrases p95 (in-process)", q, "phrases_p95_ms", " ms", "≤ 20 ms", lambda v: v <= 20)
    rows.row("queries with ≥ 1 hit", q, "with_hits", "")


def _http_rows(rows: _Rows, h: dict[str, Any]) -> None:
    hs, hh = h["search"], h["healthz"]
    single = rows.single
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
        "≥ 0.25 × /healthz",
        lambda v: v >= 0.25 * hh["requests_per_s"],
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


def _scale_part(m: dict[str, Any]) -> str:
    """``, scale ×K: …`` of the header for a main run at a scale K > 1 ("" at ×1 or for an older bench.json)."""
    k = m.get("scale", 1)
    if k == 1:
        return ""
    base = m.get("base_articles") or m["articles"] // k
    return f", scale ×{k}: the {base:,} articles of the slice {k} times, each copy under a new id and url"


def markdown(r: dict[str, Any]) -> str:
    m = r["meta"]
    lines = [
        "# zhsearch benchmark",
        "",
        f"Run {m['started']} → {m['finished']} on {m['host']['cpus']} CPUs, {m['articles']:,} articles "
        f"({m['text_mb']:.1f} MB title+body text{', limit ' + str(m['limit']) if m['limit'] else ''}"
        f"{_scale_part(m)}), {m['queries']} distinct timed queries (+{m['warmup']} warm-up"
        f"{', derived from the slice' if m.get('scale', 1) > 1 else ''}). "
        f"Load average (1/5/15 min) at start {m['loadavg_start']}, at end {m['loadavg_end']}: "
        "the machine is shared, compare figures within this run only.",
        "",
        _git_line(m),
        "",
        "Ratios are ours ÷ anchor (below 1 is faster for latencies and seconds, above 1 is faster for "
        "rates); HTTP search is compared with /healthz on the same server (the cache-off search, on its own "
        "server, with that same /healthz run). Targets are the issues', set for the full 75k corpus on 2 "
        "cores (the query-engine issue's: p50 and p95 ÷ FTS5, p99, quoted phrases p95, cache-off req/s and "
        "p99, worker RSS, cold start, p50 ×4 ÷ ×1).",
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
    note = scale_sentence(r)
    if note:
        lines += ["", note]
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
            *kind_table(q),
        ]
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
