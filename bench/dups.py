"""Near-duplicate detection (indexer/derived/dups.py) measured on copies generated from the xwlb corpus.

    .venv/bin/python -m bench.dups [--corpus FILE] [--limit 20000] [--stories 300] [--out-dir bench/results]

From the first ``--limit`` items, ``--stories`` originals (bodies of 300+ characters, not the 联播快讯 digests) get
two or three copies each, as portals republish a story: sentences lightly edited, one dropped, two swapped, a
different source line at the top or bottom. Everything (items, copies, the digests, which share their
boilerplate but are distinct news) is grouped as ``reindex`` groups it. Reported:

* recall: the share of (original, copy) and (copy, copy) pairs that share a group;
* precision: the share of grouped pairs that are such pairs or truly near-identical in the corpus itself
  (exact shingle Jaccard >= the threshold: the corpus repeats some items);
* the digests (国内/国际联播快讯) grouped with another digest they are not a copy of.

Writes ``dups.md`` and ``dups.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.corpus import DEFAULT_CORPUS, REPO, iter_records
from indexer.derived.dups import DEFAULT_THRESHOLD, SHINGLE, groups, signatures
from indexer.normalize import fold

_SENTENCES = re.compile(r"[^。！？]+[。！？]?")
_KEEP = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
SOURCES = ["来源：新华网", "来源：人民网", "（来源：央视网）", "本文来源：中国新闻网", "责任编辑：王明"]
FILLER = "的了在和与是"


def _copy(body: str, rng: random.Random) -> str:
    """A republished copy: some sentences edited, one dropped, two swapped, a source line added."""
    sents = _SENTENCES.findall(body)
    if len(sents) > 4:
        del sents[rng.randrange(1, len(sents))]
    if len(sents) > 3:
        i = rng.randrange(len(sents) - 1)
        sents[i], sents[i + 1] = sents[i + 1], sents[i]
    for _ in range(max(1, len(sents) // 6)):
        i = rng.randrange(len(sents))
        s = sents[i]
        if len(s) > 10:
            k = rng.randrange(len(s) - 2)
            sents[i] = s[:k] + rng.choice(FILLER) + s[k + 1 :]
    line = rng.choice(SOURCES)
    return (line + "\n" + "".join(sents)) if rng.random() < 0.5 else ("".join(sents) + "\n" + line)


def _shingles(text: str) -> set[str]:
    t = _KEEP.sub("", fold(text))
    return {t[i : i + SHINGLE] for i in range(len(t) - SHINGLE + 1)}


def _jaccard(a: str, b: str) -> float:
    x, y = _shingles(a), _shingles(b)
    return len(x & y) / len(x | y) if x | y else 0.0


def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(11)
    records = []
    for rec in iter_records(args.corpus):
        if len(records) >= args.limit:
            break
        records.append(rec)
    bodies = [str(r.get("body") or "") for r in records]
    titles = [str(r.get("title") or "") for r in records]
    digest = [("联播快讯" in t) for t in titles]
    eligible = [i for i, b in enumerate(bodies) if len(b) >= 300 and not digest[i]]
    originals = rng.sample(eligible, args.stories)
    story = {i: i for i in originals}  # row -> the original it copies
    for i in originals:
        for _ in range(rng.choice((2, 3))):
            story[len(bodies)] = i
            bodies.append(_copy(bodies[i], rng))
            digest.append(False)
    t0 = time.perf_counter()
    sigs = signatures(bodies)
    t1 = time.perf_counter()
    true_pairs = {(a, b) for a in story for b in story if a < b and story[a] == story[b]}
    digest_rows = [i for i, d in enumerate(digest) if d]
    report: dict[str, Any] = {
        "articles": len(bodies),
        "stories": args.stories,
        "copies": len(story) - args.stories,
        "true_pairs": len(true_pairs),
        "digests": len(digest_rows),
        "signature_s": t1 - t0,
        "articles_per_s": len(bodies) / (t1 - t0),
        "thresholds": {},
    }
    for threshold in args.thresholds:
        t2 = time.perf_counter()
        label = groups(sigs, threshold)
        t3 = time.perf_counter()
        members: dict[int, list[int]] = defaultdict(list)
        for row, g in enumerate(label):
            members[int(g)].append(row)
        grouped = {(a, b) for rows in members.values() if len(rows) > 1 for a in rows for b in rows if a < b}
        hit = len(true_pairs & grouped)
        natural = [(a, b) for a, b in grouped - true_pairs if _jaccard(bodies[a], bodies[b]) >= threshold]
        report["thresholds"][str(threshold)] = {
            "recall": hit / len(true_pairs),
            "precision": (hit + len(natural)) / max(1, len(grouped)),
            "grouped_pairs": len(grouped),
            "natural_pairs": len(natural),
            "wrong_pairs": len(grouped - true_pairs) - len(natural),
            "digests_grouped": sum(1 for i in digest_rows if len(members[int(label[i])]) > 1),
            "grouping_s": t3 - t2,
        }
    return report


def latency(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """p50/p95 of the bench queries with collapse on and off, alternating, in this process."""
    from bench.profile_queries import percentile
    from bench.queries import make_queries
    from search import Searcher

    records = [r for _, r in zip(range(args.limit), iter_records(args.corpus), strict=False)]
    queries = make_queries(records, args.queries + 50)
    searcher = Searcher(args.index, cache_size=0)
    for bq in queries[:50]:
        searcher.search(bq.q, **bq.search_kwargs())
    times: dict[bool, list[float]] = {True: [], False: []}
    for i, bq in enumerate(queries[50:]):
        for on in (True, False) if i % 2 else (False, True):
            t0 = time.perf_counter()
            searcher.search(bq.q, collapse=on, **bq.search_kwargs())
            times[on].append((time.perf_counter() - t0) * 1000)
    return {
        ("on" if on else "off"): {"p50": percentile(v, 50), "p95": percentile(v, 95), "n": len(v)}
        for on, v in times.items()
    }


def to_markdown(r: dict[str, Any], command: str) -> str:
    ts = r["thresholds"]
    lines = [
        "# Near-duplicate stories",
        "",
        f"`{command}`: {r['articles']:,} articles ({r['stories']} stories with {r['copies']} generated copies, "
        f"{r['true_pairs']:,} copy pairs; the rest xwlb items, {r['digests']:,} of them 联播快讯 digests). "
        f"Signatures: {r['signature_s']:.2f} s ({r['articles_per_s']:,.0f} articles/s).",
        "",
        "| threshold | " + " | ".join(ts) + " |",
        "|---|" + "---:|" * len(ts),
    ]
    rows = [
        ("recall (copy pairs grouped)", lambda t: f"{t['recall']:.1%}"),
        ("precision (grouped pairs that are copies)", lambda t: f"{t['precision']:.1%}"),
        ("grouped pairs", lambda t: f"{t['grouped_pairs']:,}"),
        (
            "of them corpus items truly near-identical (exact Jaccard ≥ threshold)",
            lambda t: str(t["natural_pairs"]),
        ),
        ("pairs grouped wrongly", lambda t: str(t["wrong_pairs"])),
        ("联播快讯 digests grouped with another article", lambda t: str(t["digests_grouped"])),
        ("grouping (LSH + components)", lambda t: f"{t['grouping_s']:.2f} s"),
    ]
    for name, cell in rows:
        lines.append(f"| {name} | " + " | ".join(cell(t) for t in ts.values()) + " |")
    if "latency" in r:
        on, off = r["latency"]["on"], r["latency"]["off"]
        lines += [
            "",
            "| collapse | queries | p50 ms | p95 ms |",
            "|---|---:|---:|---:|",
            f"| on | {on['n']} | {on['p50']:.2f} | {on['p95']:.2f} |",
            f"| off | {off['n']} | {off['p50']:.2f} | {off['p95']:.2f} |",
            "",
            f"p50 with collapse on / off: **{on['p50'] / off['p50']:.3f}** (the same process, alternating).",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="xwlb JSONL(.gz)")
    ap.add_argument("--limit", type=int, default=20000, help="corpus items (default 20000)")
    ap.add_argument("--stories", type=int, default=300, help="originals that get copies (default 300)")
    ap.add_argument(
        "--thresholds",
        type=lambda v: [float(x) for x in v.split(",")],
        default=[DEFAULT_THRESHOLD, 0.7],
        help="estimated Jaccard thresholds compared (default 0.8,0.7; 0.8 is reindex's default)",
    )
    ap.add_argument("--out-dir", type=Path, default=REPO / "bench" / "results", help="where dups.md goes")
    ap.add_argument(
        "--index",
        type=Path,
        default=None,
        help="also time the bench queries on this index (built from --corpus), collapse on and off alternating",
    )
    ap.add_argument("--queries", type=int, default=400, help="timed queries with --index (default 400)")
    args = ap.parse_args()
    if not args.corpus.exists():
        print(f"dups: skipped, {args.corpus} is absent")
        return
    report = run(args)
    if args.index is not None:
        report["latency"] = latency(args)
    md = to_markdown(report, " ".join(["python -m bench.dups", *sys.argv[1:]]))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "dups.md").write_text(md, encoding="utf-8")
    (args.out_dir / "dups.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
