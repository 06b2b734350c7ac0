"""How well zhsearch reads what a reader meant: typo and pinyin queries generated from the corpus.

    .venv/bin/python -m bench.typos [--corpus FILE] [--limit N] [--index DIR] [--n 500] [--out-dir bench/results]

The index holds the first ``--limit`` items of the corpus (built with ``zhsearch reindex`` unless ``--index``
names a built one). From its own spelling tables (:mod:`indexer.derived.spelling`) and a fixed seed:

* **homophone**: a frequent word (2-4 characters, drawn by its frequency) with one character swapped for another
  character of the index with the same toneless pinyin, where the result is neither a word of the segmenter's
  dictionary nor of the index (an input-method slip: 诈骗 -> 炸骗);
* **pinyin**: a frequent word spelled in full toneless pinyin (``zhapian``);
* **initials**: a frequent word of 3+ characters spelled by its initials (``gab``);
* **titles**: article titles as typed (correct queries: any suggestion is a false alarm).

Each query goes through ``Searcher.search``; a case is correct when the suggestion is the word it came from.
Latency: the bench query set (:func:`bench.queries.make_queries`) with spelling on and off, alternating, in the
same process. Writes ``typos.md`` and ``typos.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.corpus import DEFAULT_CORPUS, REPO, make_slice
from bench.profile_queries import percentile
from bench.queries import make_queries

TARGETS = {"homophone": 0.90, "pinyin": 0.95, "initials": 0.70}
MAX_FALSE_ALARMS = 0.01
#: Frequent words are drawn from this many of the most frequent (by document frequency).
TOP_WORDS = 20000


def generate(data: Any, known: Any, n: int, seed: int = 13) -> dict[str, list[tuple[str, str]]]:
    """``{kind: [(query, intended word), ...]}`` for the three typo kinds, ``n`` each."""
    rng = random.Random(seed)
    words = [(w, df, r) for w, df, r in zip(data.words, data.df, data.readings, strict=True) if len(w) <= 4]
    words = words[:TOP_WORDS]
    weights = [df for _, df, _ in words]
    by_reading: dict[str, list[str]] = defaultdict(list)
    common = {c for w, _, _ in words for c in w}
    for char, readings in sorted(data.chars.items()):
        if char in common:
            for r in readings:
                by_reading[r].append(char)
    index_words = set(data.words)
    out: dict[str, list[tuple[str, str]]] = {"homophone": [], "pinyin": [], "initials": []}
    seen: set[str] = set()
    tries = 0
    while min(len(v) for v in out.values()) < n and tries < 200 * n:
        tries += 1
        word, _, reading = rng.choices(words, weights)[0]
        if len(out["homophone"]) < n:
            k = rng.randrange(len(word))
            others = [c for c in by_reading.get(reading[k], ()) if c != word[k]]
            if others:
                typo = word[:k] + rng.choice(others) + word[k + 1 :]
                if typo not in index_words and not known(typo) and typo not in seen:
                    seen.add(typo)
                    out["homophone"].append((typo, word))
        spelled = "".join(reading)
        if len(out["pinyin"]) < n and spelled not in seen:
            seen.add(spelled)
            out["pinyin"].append((spelled, word))
        initials = "".join(s[0] for s in reading)
        if len(word) >= 3 and len(out["initials"]) < n and initials not in seen:
            seen.add(initials)
            out["initials"].append((initials, word))
    return out


def _build(corpus: Path, limit: int, work: Path) -> Path:
    sl = make_slice(corpus, work, limit)
    index = work / "index"
    cmd = [sys.executable, "-m", "zhsearch", "reindex", "--full", "--index", str(index), str(sl.path)]
    subprocess.run(cmd, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    return index


def run(args: argparse.Namespace) -> dict[str, Any]:
    from bench.corpus import iter_records
    from indexer.derived.spelling import read_spelling
    from indexer.store import live_version
    from search import Searcher

    with tempfile.TemporaryDirectory(prefix="zhsearch-typos-") as tmp:
        index = args.index or _build(args.corpus, args.limit, Path(tmp))
        gen, commit = live_version(index)  # type: ignore[misc]
        data = read_spelling(index / gen, commit)
        if data is None:
            raise SystemExit(f"{index}: no spelling tables (reindex it with this version)")
        searcher = Searcher(index, cache_size=0)
        with searcher.reader():
            pass
        snap = searcher.live.current()
        cases = generate(data, snap.analyzer.segmenter.has_word, args.n)
        records = []
        for i, rec in enumerate(iter_records(args.corpus)):
            if i >= args.limit:
                break
            records.append(rec)
        rng = random.Random(7)
        titles = [
            t for t in (str(r.get("title") or "").strip() for r in rng.sample(records, 3 * args.n)) if t
        ]
        titles = [t for t in dict.fromkeys(titles) if "联播快讯" not in t][: args.n]

        report: dict[str, Any] = {"articles": searcher.doc_count, "kinds": {}, "examples": {}}
        for kind, pairs in cases.items():
            right = 0
            wrong: list[tuple[str, str, str | None]] = []
            for typed, meant in pairs:
                r = searcher.search(typed, per_page=10)
                got = r.suggestion.query if r.suggestion else None
                if got == meant:
                    right += 1
                elif len(wrong) < 12:
                    wrong.append((typed, meant, got))
            report["kinds"][kind] = {
                "n": len(pairs),
                "correct": right,
                "accuracy": right / max(1, len(pairs)),
            }
            report["examples"][kind] = wrong
        alarms = []
        for t in titles:
            r = searcher.search(t, per_page=10)
            if r.suggestion is not None:
                alarms.append((t, r.suggestion.query, r.suggestion.reason))
        report["titles"] = {
            "n": len(titles),
            "false_alarms": len(alarms),
            "rate": len(alarms) / max(1, len(titles)),
        }
        report["examples"]["titles"] = alarms[:12]

        queries = make_queries(records, args.latency_queries + 50)
        for bq in queries[:50]:
            searcher.search(bq.q, **bq.search_kwargs())
        times: dict[bool, list[float]] = {True: [], False: []}
        for bq in queries[50:]:
            for on in (True, False) if len(times[True]) % 2 else (False, True):
                t0 = time.perf_counter()
                searcher.search(bq.q, spellcheck=on, **bq.search_kwargs())
                times[on].append((time.perf_counter() - t0) * 1000)
        report["latency"] = {
            ("on" if on else "off"): {
                "p50": percentile(v, 50),
                "p95": percentile(v, 95),
                "mean": statistics.fmean(v),
                "n": len(v),
            }
            for on, v in times.items()
        }
    return report


def to_markdown(report: dict[str, Any], command: str) -> str:
    lines = [
        "# Typo and pinyin queries",
        "",
        f"`{command}` on {report['articles']:,} xwlb articles.",
        "",
        "| kind | queries | correct | accuracy | target |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, k in report["kinds"].items():
        lines.append(f"| {kind} | {k['n']} | {k['correct']} | {k['accuracy']:.1%} | ≥ {TARGETS[kind]:.0%} |")
    t = report["titles"]
    lines += [
        "",
        f"False alarms on {t['n']} correctly typed titles: **{t['false_alarms']} ({t['rate']:.1%})**, "
        f"target ≤ {MAX_FALSE_ALARMS:.0%}.",
        "",
        "| spelling | queries | p50 ms | p95 ms | mean ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, v in report["latency"].items():
        lines.append(f"| {name} | {v['n']} | {v['p50']:.2f} | {v['p95']:.2f} | {v['mean']:.2f} |")
    on, off = report["latency"]["on"], report["latency"]["off"]
    lines += ["", f"p50 with spelling on / off: **{on['p50'] / off['p50']:.3f}** (target ≤ 1.10).", ""]
    lines += ["## Misses (typed, meant, suggested)", ""]
    for kind, rows in report["examples"].items():
        lines.append(f"- {kind}: " + ("; ".join(" → ".join(str(x) for x in row) for row in rows) or "none"))
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="xwlb JSONL(.gz)")
    ap.add_argument("--limit", type=int, default=20000, help="articles indexed (default 20000)")
    ap.add_argument("--index", type=Path, default=None, help="a built index of the first --limit articles")
    ap.add_argument("--n", type=int, default=500, help="queries of each kind (default 500)")
    ap.add_argument("--latency-queries", type=int, default=600, help="bench queries timed (default 600)")
    ap.add_argument("--out-dir", type=Path, default=REPO / "bench" / "results", help="where typos.md goes")
    args = ap.parse_args()
    if not args.corpus.exists():
        print(f"typos: skipped, {args.corpus} is absent")
        return
    report = run(args)
    command = "make typos" if args.index is None and args.limit == 20000 else " ".join(sys.argv)
    md = to_markdown(report, command)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "typos.md").write_text(md, encoding="utf-8")
    (args.out_dir / "typos.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(md)


if __name__ == "__main__":
    main()
