"""PNG plots of a benchmark result: latency distributions per engine, and throughput bars."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.anchors import ENGINES, LABELS

COLORS = {"ours": "#d62728", "stock": "#7f7f7f", "fts5": "#1f77b4", "tantivy": "#2ca02c"}


def plot_all(result: dict[str, Any], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    return [_latency(result, out / "latency.png"), _throughput(result, out / "throughput.png")]


def _title_suffix(result: dict[str, Any]) -> str:
    m = result["meta"]
    return f"{m['articles']:,} articles, load {m['loadavg_start']} → {m['loadavg_end']}"


def _latency(result: dict[str, Any], path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig, (cdf, box) = plt.subplots(1, 2, figsize=(12, 5), gridspec_kw={"width_ratios": [3, 2]})
    engines = [e for e in ENGINES if e in result["query"]]
    for e in engines:
        lat = sorted(result["query"][e]["latencies_ms"])
        if not lat:
            continue
        ys = [(i + 1) / len(lat) for i in range(len(lat))]
        q = result["query"][e]
        cdf.plot(
            lat,
            ys,
            color=COLORS[e],
            label=f"{LABELS[e]}: p50 {q['p50_ms']:.2f} / p95 {q['p95_ms']:.2f} / p99 {q['p99_ms']:.1f} ms",
        )
    cdf.set_xscale("log")
    cdf.set_xlabel("latency per query, ms (log scale)")
    cdf.set_ylabel("fraction of queries")
    for y in (0.5, 0.95, 0.99):
        cdf.axhline(y, color="#cccccc", lw=0.8, zorder=0)
    cdf.grid(True, which="major", axis="x", color="#eeeeee")
    cdf.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=8)
    cdf.set_title("In-process query latency, top 10 with snippets (CDF)")
    data = [result["query"][e]["latencies_ms"] for e in engines]
    bp = box.boxplot(data, whis=(5, 99), showfliers=False, patch_artist=True)
    for patch, e in zip(bp["boxes"], engines, strict=True):
        patch.set_facecolor(COLORS[e])
        patch.set_alpha(0.5)
    box.set_xticks(range(1, len(engines) + 1), [e for e in engines])
    box.set_yscale("log")
    box.set_ylabel("ms (log scale)")
    box.set_title("box: p25–p75, whiskers p5–p99")
    fig.suptitle(_title_suffix(result), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def _throughput(result: dict[str, Any], path: Path) -> Path:
    import matplotlib.pyplot as plt

    http = result.get("http")
    fig, axes = plt.subplots(1, 2 if http else 1, figsize=(12 if http else 6, 5), squeeze=False)
    ax = axes[0][0]
    engines = [e for e in ENGINES if e in result["build"]]
    values = [result["build"][e]["articles_per_s"] for e in engines]
    bars = ax.bar([e for e in engines], values, color=[COLORS[e] for e in engines])
    for bar, v in zip(bars, values, strict=True):
        ax.annotate(f"{v:,.0f}", (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom", fontsize=9)
    ax.set_yscale("log")
    ax.set_ylim(bottom=max(1.0, min(values) / 10), top=max(values) * 3)
    ax.set_ylabel("articles/s (log scale)")
    ax.set_title("Full index build throughput")
    if http:
        ax2 = axes[0][1]
        names = ["/api/search", "/healthz"]
        vals = [http["search"]["requests_per_s"], http["healthz"]["requests_per_s"]]
        bars = ax2.bar(names, vals, color=[COLORS["ours"], "#bbbbbb"])
        for bar, v, k in zip(bars, vals, ("search", "healthz"), strict=True):
            h = http[k]
            ax2.annotate(
                f"{v:,.0f} req/s\np50 {h['p50_ms']:.1f} ms, p99 {h['p99_ms']:.1f} ms\nerrors {h['errors']}",
                (bar.get_x() + bar.get_width() / 2, v),
                ha="center",
                va="bottom",
                fontsize=9,
            )
        ax2.set_ylim(0, max(vals) * 1.3)
        ax2.set_ylabel("requests/s")
        ax2.set_title(f"HTTP, zhsearch serve --workers 2, {http['search']['clients']} connections")
    fig.suptitle(_title_suffix(result), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path
