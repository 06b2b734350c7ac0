"""Reference answers of the query engine, recorded as fixtures, and the random queries they are recorded for.

The fixtures in ``tests/fixtures/engine/`` were written by the previous engine (Whoosh matchers and Python
sets, before the array engine replaced it) with ``python tests/engine_reference.py``; ``test_engine_reference``
checks that the engine on main gives the same ranked ids, scores (to 1e-9), totals, facets and relaxed flags.
The queries are generated from each corpus with a fixed seed, so a fixture holds only ids and numbers (for
the xwlb slice, whose text may not be copied into the project, a hash of each query, not the query).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "engine"
SHARED = HERE.parent.parent / "shared"
XWLB = SHARED / "corpora" / "xwlb" / "articles.jsonl.gz"
SAMPLE = HERE.parent / "index_data" / "articles" / "cmrc2018-wikipedia.jsonl"
NEWS = HERE / "fixtures" / "search" / "news.jsonl"
#: Articles of the xwlb corpus indexed for the reference (the first ones of the file).
XWLB_SLICE = 6000
#: Hits recorded per query (the ranking beyond the proximity pool included).
DEPTH = 80


def read_jsonl(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    out = []
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        for line in fh:
            if line.strip():
                out.append(json.loads(line))
                if limit is not None and len(out) >= limit:
                    break
    return out


def _words(analyzer: Any, text: str) -> list[str]:
    """The base words of ``text`` as written there (not folded)."""
    return [text[w.start : w.end] for w in analyzer.words(text) if w.base and text[w.start : w.end].strip()]


def random_queries(records: list[dict[str, Any]], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` search calls (query and arguments) drawn from the records: title words, quoted body phrases,
    OR, exclusions, title:, whole titles (the relaxed path), traditional forms, date sorts and filters."""
    from indexer.analysis import ChineseTokenizer

    analyzer = ChineseTokenizer()
    rng = random.Random(seed)
    with_title = [r for r in records if (r.get("title") or "").strip()]
    out: list[dict[str, Any]] = []
    while len(out) < n:
        rec = rng.choice(with_title)
        title = rec["title"]
        body = rec.get("body") or rec.get("content") or ""
        tw = _words(analyzer, title)
        bw = _words(analyzer, body[:600])
        kind = rng.choice(
            ["words", "words", "run", "phrase", "phrase", "or", "not", "title", "whole", "newest", "mixed"]
        )
        q: str | None = None
        args: dict[str, Any] = {}
        if kind in ("words", "newest") and tw:
            k = rng.randint(1, min(3, len(tw)))
            i = rng.randrange(len(tw) - k + 1)
            q = " ".join(tw[i : i + k])
            if kind == "newest":
                args["sort"] = rng.choice(["newest", "oldest"])
        elif kind == "run" and len(tw) >= 2:
            i = rng.randrange(len(tw) - 1)
            q = "".join(tw[i : i + 2])
        elif kind == "phrase" and len(bw) >= 3:
            k = rng.randint(2, 3)
            i = rng.randrange(len(bw) - k + 1)
            q = '"' + "".join(bw[i : i + k]) + '"'
        elif kind == "or" and tw and bw:
            q = f"{rng.choice(tw)} OR {rng.choice(bw)}"
        elif kind == "not" and tw and bw:
            q = f"{rng.choice(tw)} -{rng.choice(bw)}"
        elif kind == "title" and tw:
            q = f"title:{rng.choice(tw)}"
        elif kind == "whole":
            q = title[:60]
        elif kind == "mixed" and tw and bw:
            q = f'{rng.choice(tw)} "{rng.choice(bw)}" -{rng.choice(bw)}'
        if q and q.strip():
            out.append({"q": q, **args})
    return out


def record(searcher: Any, calls: list[dict[str, Any]], *, hide_queries: bool) -> list[dict[str, Any]]:
    """What the engine answers to each call: ranked ids with scores, total, relaxed, facets."""
    rows = []
    for call in calls:
        args = {k: v for k, v in call.items() if k != "q"}
        ids: list[str] = []
        scores: list[float] = []
        total = relaxed = None
        facets: Any = None
        for page in (1, 2):
            # every match, as recorded before results collapsed the copies of a story
            result = searcher.search(call["q"], page=page, per_page=DEPTH // 2, collapse=False, **args)
            ids.extend(h.id for h in result.hits)
            scores.extend(h.score for h in result.hits)
            if page == 1:
                total, relaxed = result.total, result.relaxed
                facets = {k: [[v, c] for v, c in pairs] for k, pairs in result.facets.items()}
            if len(result.hits) < DEPTH // 2:
                break
        key = hashlib.sha1(call["q"].encode("utf-8")).hexdigest()[:16] if hide_queries else call["q"]
        rows.append(
            {
                "q": key,
                "args": args,
                "total": total,
                "relaxed": relaxed,
                "ids": ids,
                "scores": scores,
                "facets": facets,
            }
        )
    return rows


def corpora() -> Iterator[tuple[str, list[Path], list[dict[str, Any]], bool]]:
    """(fixture name, files to index, records to draw queries from, whether the queries are hidden)."""
    yield "news", [NEWS], read_jsonl(NEWS), False
    yield "sample", [SAMPLE.parent], read_jsonl(SAMPLE), False
    if XWLB.exists():
        yield "xwlb", [XWLB], read_jsonl(XWLB, XWLB_SLICE), True


def queries_for(name: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    n = {"news": 150, "sample": 300, "xwlb": 400}[name]
    calls = random_queries(records, n, seed=hash_seed(name))
    if name == "news":
        sys.path.insert(0, str(HERE))
        from test_search import PHRASES, SEMANTICS  # noqa: PLC0415

        calls = [{"q": q} for q, _ in SEMANTICS if q.strip()] + [{"q": f'"{p}"'} for p in PHRASES] + calls
    return calls


def hash_seed(name: str) -> int:
    return int(hashlib.sha1(name.encode()).hexdigest()[:8], 16)


def xwlb_slice_file(workdir: Path) -> Path:
    """The first :data:`XWLB_SLICE` xwlb articles as a JSONL file in ``workdir``."""
    path = workdir / "xwlb-slice.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for rec in read_jsonl(XWLB, XWLB_SLICE):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def main() -> None:
    import tempfile

    from indexer.writer import reindex
    from search import Searcher

    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, files, records, hidden in corpora():
        with tempfile.TemporaryDirectory() as tmp:
            if name == "xwlb":
                files = [xwlb_slice_file(Path(tmp))]
            reindex(files, Path(tmp) / "index", jobs=1)
            searcher = Searcher(Path(tmp) / "index", cache_size=0)
            rows = record(searcher, queries_for(name, records), hide_queries=hidden)
        out = FIXTURES / f"{name}.json"
        out.write_text(json.dumps(rows, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(f"{out}: {len(rows)} queries", file=sys.stderr)


if __name__ == "__main__":
    main()
