"""The engines the benchmark runs: zhsearch (queries; its build is ``zhsearch reindex``) and the anchors.

Anchors (bench-only dependencies, see the ``bench`` extra):

* ``stock``: the stock recipe, Whoosh + ``jieba.analyse.ChineseAnalyzer``, one process, one writer; queries
  through Whoosh's ``MultifieldParser`` (title, content; AND), snippets from ``hit.highlights``.
* ``fts5``: SQLite FTS5 (``tokenize='unicode61'``) over rjieba-segmented text (precise mode, tokens joined by
  spaces); ``ORDER BY rank`` (BM25), snippets from ``snippet()``.
* ``tantivy``: tantivy-py over the same segmented text with the ``whitespace`` tokenizer; snippets from its
  ``SnippetGenerator``.

Each step runs in its own process so that builds can be timed and their peak RSS read, and so that engines do
not share a heap: ``python -m bench.anchors build|query|cold ENGINE ...`` prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ANCHORS = ("stock", "fts5", "tantivy")
ENGINES = ("ours", *ANCHORS)
LABELS = {
    "ours": "zhsearch",
    "stock": "stock recipe (Whoosh + jieba)",
    "fts5": "SQLite FTS5 + rjieba",
    "tantivy": "tantivy + rjieba",
}
_WORD = re.compile(r"^\w+$")
_SPACE_BETWEEN = re.compile(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])")


def missing(engine: str) -> str | None:
    """Why this engine cannot run here (a missing package), or None."""
    modules = {"stock": ("jieba", "whoosh"), "fts5": ("rjieba",), "tantivy": ("tantivy", "rjieba")}
    for module in modules.get(engine, ()):
        try:
            __import__(module)
        except ImportError:
            return f"{engine}: Python package {module!r} is not installed (pip install -e '.[bench]')"
    if engine == "fts5":
        import sqlite3

        con = sqlite3.connect(":memory:")
        try:
            con.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        except sqlite3.OperationalError:
            return "fts5: this Python's SQLite has no FTS5"
        finally:
            con.close()
    return None


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _segmenter() -> Callable[[str], str]:
    import rjieba

    def seg(text: str) -> str:
        return " ".join(t for t in rjieba.cut(text) if not t.isspace())

    return seg


def _query_tokens(terms: list[str]) -> list[str]:
    import rjieba

    return [t for term in terms for t in rjieba.cut(term) if _WORD.match(t)]


def unsegment(text: str) -> str:
    """Drop the spaces that segmentation put next to Chinese characters (snippets of the anchors)."""
    return _SPACE_BETWEEN.sub("", text)


# -- builds ------------------------------------------------------------------------------------------------


def build_stock(corpus: Path, index_dir: Path) -> int:
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema

    analyzer = ChineseAnalyzer()
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True, analyzer=analyzer),
        content=TEXT(stored=True, analyzer=analyzer),
    )
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), schema)
    writer = ix.writer()
    n = 0
    for rec in _records(corpus):
        writer.add_document(id=str(rec["id"]), title=rec.get("title") or "", content=rec.get("body") or "")
        n += 1
    writer.commit()
    return n


def build_fts5(corpus: Path, index_dir: Path) -> int:
    import sqlite3

    seg = _segmenter()
    index_dir.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(index_dir / "fts5.db")
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tokenize='unicode61')")
    rows = ((str(r["id"]), seg(r.get("title") or ""), seg(r.get("body") or "")) for r in _records(corpus))
    with con:
        con.executemany("INSERT INTO docs(id, title, body) VALUES (?, ?, ?)", rows)
    n = con.execute("SELECT count(*) FROM docs").fetchone()[0]
    con.close()
    return int(n)


def _tantivy_schema():  # type: ignore[no-untyped-def]
    import tantivy

    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    b.add_text_field("title", stored=True, tokenizer_name="whitespace")
    b.add_text_field("body", stored=True, tokenizer_name="whitespace")
    return b.build()


def build_tantivy(corpus: Path, index_dir: Path) -> int:
    import tantivy

    seg = _segmenter()
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = tantivy.Index(_tantivy_schema(), path=str(index_dir))
    writer = ix.writer(heap_size=256_000_000)
    n = 0
    for rec in _records(corpus):
        writer.add_document(
            tantivy.Document(
                id=str(rec["id"]), title=seg(rec.get("title") or ""), body=seg(rec.get("body") or "")
            )
        )
        n += 1
    writer.commit()
    writer.wait_merging_threads()
    return n


BUILDERS = {"stock": build_stock, "fts5": build_fts5, "tantivy": build_tantivy}


# -- queries -----------------------------------------------------------------------------------------------

#: A query function: (query dict) -> number of hits on the page (each hit with title and snippet made).
QueryFn = Callable[[dict[str, Any]], int]


def open_ours(index_dir: Path) -> tuple[QueryFn, Callable[[], dict[str, Any]]]:
    from search import Searcher

    searcher = Searcher(index_dir)

    def run(q: dict[str, Any]) -> int:
        kw: dict[str, Any] = {"per_page": 10, "sort": q.get("sort") or "relevance"}
        if q.get("sources"):
            kw["sources"] = list(q["sources"])
        if q.get("date_from"):
            kw["date_from"] = q["date_from"]
        if q.get("date_to"):
            kw["date_to"] = q["date_to"]
        result = searcher.search(q["q"], **kw)
        return len(result.hits)

    def cache_stats() -> dict[str, Any]:
        # the counters of the Searcher's result cache (hits, misses, size, ...)
        for name in ("cache_stats", "cache_info"):
            fn = getattr(searcher, name, None)
            if callable(fn):
                return dict(fn())
        return {"hits": 0, "misses": None, "note": "no result cache in search.Searcher"}

    return run, cache_stats


def open_stock(index_dir: Path) -> tuple[QueryFn, Callable[[], dict[str, Any]]]:
    from whoosh import index
    from whoosh.qparser import MultifieldParser

    ix = index.open_dir(str(index_dir))
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "content"], ix.schema)

    def run(q: dict[str, Any]) -> int:
        text = f'"{q["terms"][0]}"' if q.get("phrase") else " ".join(q["terms"])
        results = searcher.search(parser.parse(text), limit=10)
        n = 0
        for hit in results:
            _ = (hit["title"], hit.highlights("content"))
            n += 1
        return n

    return run, lambda: {"hits": 0, "misses": None, "note": "no result cache"}


def match_expression(q: dict[str, Any]) -> str | None:
    """The query as an FTS5 / tantivy expression over rjieba tokens (both accept the same syntax here)."""
    tokens = _query_tokens(list(q["terms"]))
    if not tokens:
        return None
    if q.get("phrase"):
        return '"' + " ".join(tokens) + '"'
    return " AND ".join(f'"{t}"' for t in tokens)


def open_fts5(index_dir: Path) -> tuple[QueryFn, Callable[[], dict[str, Any]]]:
    import sqlite3

    con = sqlite3.connect(f"file:{index_dir / 'fts5.db'}?mode=ro", uri=True, check_same_thread=False)
    sql = (
        "SELECT id, highlight(docs, 1, '<em>', '</em>'), snippet(docs, 2, '<em>', '</em>', '…', 24) "
        "FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10"
    )

    def run(q: dict[str, Any]) -> int:
        match = match_expression(q)
        if match is None:
            return 0
        rows = con.execute(sql, (match,)).fetchall()
        for _id, title, snippet in rows:
            _ = (unsegment(title), unsegment(snippet))
        return len(rows)

    return run, lambda: {"hits": 0, "misses": None, "note": "no result cache"}


def open_tantivy(index_dir: Path) -> tuple[QueryFn, Callable[[], dict[str, Any]]]:
    import tantivy

    schema = _tantivy_schema()
    ix = tantivy.Index.open(str(index_dir))
    ix.reload()
    searcher = ix.searcher()

    def run(q: dict[str, Any]) -> int:
        text = match_expression(q)
        if text is None:
            return 0
        try:
            query = ix.parse_query(text, ["title", "body"])
        except ValueError:
            return 0
        hits = searcher.search(query, 10).hits
        if not hits:
            return 0
        gen = tantivy.SnippetGenerator.create(searcher, query, schema, "body")
        for _score, addr in hits:
            doc = searcher.doc(addr)
            _ = (doc["title"][0], unsegment(gen.snippet_from_doc(doc).to_html()))
        return len(hits)

    return run, lambda: {"hits": 0, "misses": None, "note": "no result cache"}


OPENERS = {"ours": open_ours, "stock": open_stock, "fts5": open_fts5, "tantivy": open_tantivy}


def run_queries(engine: str, index_dir: Path, queries: list[dict[str, Any]], warmup: int) -> dict[str, Any]:
    """Warm up on the first ``warmup`` queries, then time each of the others once (all distinct)."""
    t0 = time.perf_counter()
    run, cache_stats = OPENERS[engine](index_dir)
    open_s = time.perf_counter() - t0
    for q in queries[:warmup]:
        run(q)
    before = cache_stats()
    latencies: list[float] = []
    answered = 0
    by_kind: dict[str, list[float]] = {}
    for q in queries[warmup:]:
        t = time.perf_counter()
        n = run(q)
        ms = (time.perf_counter() - t) * 1000
        latencies.append(ms)
        by_kind.setdefault(q["kind"], []).append(ms)
        answered += n > 0
    import resource

    return {
        "engine": engine,
        "open_seconds": open_s,
        "latencies_ms": latencies,
        "by_kind_ms": by_kind,
        "with_hits": answered,
        "cache": _timed_cache(before, cache_stats()),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _timed_cache(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The cache counters at the end, with ``timed_hits``/``timed_misses``: those of the timed queries only."""
    out = dict(after)
    if isinstance(after.get("misses"), int) and isinstance(before.get("misses"), int):
        out["timed_hits"] = after["hits"] - before["hits"]
        out["timed_misses"] = after["misses"] - before["misses"]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.anchors")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("engine", choices=ANCHORS)
    b.add_argument("corpus", type=Path)
    b.add_argument("index", type=Path)
    q = sub.add_parser("query")
    q.add_argument("engine", choices=ENGINES)
    q.add_argument("index", type=Path)
    q.add_argument("queries", type=Path)
    q.add_argument("--warmup", type=int, default=50)
    c = sub.add_parser("cold", help="open the index and answer one query: a fresh process per run")
    c.add_argument("engine", choices=ENGINES)
    c.add_argument("index", type=Path)
    c.add_argument("query_json")
    args = ap.parse_args(argv)
    if args.cmd == "build":
        t = time.perf_counter()
        n = BUILDERS[args.engine](args.corpus, args.index)
        out = {"engine": args.engine, "documents": n, "seconds_inside": time.perf_counter() - t}
    elif args.cmd == "query":
        queries = json.loads(args.queries.read_text(encoding="utf-8"))
        out = run_queries(args.engine, args.index, queries, args.warmup)
    else:
        run, _ = OPENERS[args.engine](args.index)
        out = {"engine": args.engine, "hits": run(json.loads(args.query_json))}
    json.dump(out, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
