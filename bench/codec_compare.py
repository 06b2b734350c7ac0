"""ZhCodec against ZhCompactCodec on a slice of the xwlb corpus: bytes per segment part and lookup speed.

    .venv/bin/python -m bench.codec_compare [--limit 20000] [--workdir DIR] [--lookups 10000] [--reuse]

Builds the first ``--limit`` articles once with each codec through Whoosh's writer (one segment each, in
``--workdir``; ``--reuse`` keeps indexes already there), prints their parts (:mod:`bench.segment_sizes`) and
times, in this one process and on the memory-mapped indexes (as the search engine opens them), the terms
reader's ``term_info`` for ``--lookups`` random existing terms and as many absent ones, and
``stored_fields`` for ``--lookups`` random documents: the best of ``--rounds`` alternating rounds.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.corpus import DEFAULT_CORPUS, iter_records, text_of
from bench.segment_sizes import PARTS, segment_sizes


def _docs(corpus: Path, limit: int) -> tuple[list[dict[str, Any]], int]:
    from indexer.articles import Article
    from indexer.ingest.loaders.jsonfmt import record_to_article
    from indexer.segments.documents import article_document

    docs, text = [], 0
    for line, record in enumerate(iter_records(corpus), start=1):
        if len(docs) >= limit:
            break
        article = record_to_article(record, str(corpus), line)
        if isinstance(article, Article):
            docs.append(article_document(article, "1:2"))
            text += len(text_of(record).encode("utf-8"))
    return docs, text


def _build(path: Path, codec: Any, docs: list[dict[str, Any]]) -> float:
    from whoosh import index as whoosh_index

    from indexer.schema import make_schema

    path.mkdir(parents=True)
    start = time.perf_counter()
    ix = whoosh_index.create_in(str(path), make_schema())
    with ix.writer(codec=codec, limitmb=512) as w:
        for doc in docs:
            w.add_document(**doc)
    return time.perf_counter() - start


def _best(rounds: int, runs: dict[str, Callable[[], None]]) -> dict[str, float]:
    """Each run's best time (seconds) over ``rounds`` rounds, the runs alternating within a round."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def _lookups(readers: dict[str, Any], terms: Sequence[tuple[str, bytes]], rounds: int) -> dict[str, float]:
    from whoosh.reading import TermNotFound

    def run(tr: Any) -> Callable[[], None]:
        def go() -> None:
            info = tr.term_info
            for field, btext in terms:
                try:
                    info(field, btext)
                except TermNotFound:
                    pass

        return go

    return _best(rounds, {name: run(tr) for name, tr in readers.items()})


def compare(
    workdir: Path, corpus: Path, limit: int, lookups: int, rounds: int, reuse: bool
) -> dict[str, Any]:
    from indexer.codec import ZhCodec, ZhCompactCodec
    from indexer.format.mmapstore import MappedStorage

    codecs = {"ZhCodec": ZhCodec, "ZhCompactCodec": ZhCompactCodec}
    result: dict[str, Any] = {"limit": limit, "builds": {}, "sizes": {}}
    docs, text = _docs(corpus, limit)
    result["text_bytes"] = text
    for name, codec in codecs.items():
        path = workdir / name
        if not (reuse and path.exists()):
            result["builds"][name] = _build(path, codec(), docs)
        result["sizes"][name] = segment_sizes(path, count_terms=True)
    indexes = {name: MappedStorage(str(workdir / name), readonly=True).open_index() for name in codecs}
    readers = {name: ix.reader() for name, ix in indexes.items()}
    terms_readers = {}
    for name, reader in readers.items():
        seg = reader.segment()
        terms_readers[name] = seg.codec().terms_reader(reader.storage(), seg)
    rng = random.Random(17)
    every = list(readers["ZhCodec"].all_terms())
    present = rng.sample(every, lookups)
    absent = [(f, t + bytes([rng.randrange(1, 255)])) for f, t in rng.sample(every, lookups)]
    absent = [(f, t) for f, t in absent if (f, t) not in readers["ZhCodec"]]
    result["term_info_present"] = _lookups(terms_readers, present, rounds)
    result["term_info_absent"] = _lookups(terms_readers, absent, rounds)
    docnums = [rng.randrange(readers["ZhCodec"].doc_count_all()) for _ in range(lookups)]

    def stored(reader: Any) -> Callable[[], None]:
        return lambda: [reader.stored_fields(d) for d in docnums] and None

    result["stored_fields"] = _best(rounds, {name: stored(r) for name, r in readers.items()})
    result["lookups"] = {"present": len(present), "absent": len(absent), "stored": len(docnums)}
    for reader in readers.values():
        reader.close()
    return result


def _report(result: dict[str, Any]) -> str:
    lines = [f"{result['limit']:,} articles, {result['text_bytes']:,} bytes of title + body text"]
    for name, rows in result["sizes"].items():
        total = {k: sum(r[k] for r in rows) for k in (*PARTS, "total", "terms")}
        parts = ", ".join(f"{k} {total[k]:,}" for k in (*PARTS, "total"))
        lines.append(
            f"{name}: {parts}; {total['terms']:,} terms, {total['termdict'] / total['terms']:.1f} B/term"
        )
        lines.append(f"  stored / text {total['stored'] / result['text_bytes']:.3f}")
    for key in ("term_info_present", "term_info_absent", "stored_fields"):
        t = result[key]
        n = result["lookups"]["stored" if key == "stored_fields" else key.rsplit("_", 1)[1]]
        us = {name: 1e6 * s / n for name, s in t.items()}
        lines.append(
            f"{key}: ZhCodec {us['ZhCodec']:.2f} us, ZhCompactCodec {us['ZhCompactCodec']:.2f} us"
            f" (x{us['ZhCompactCodec'] / us['ZhCodec']:.2f})"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="the articles (.jsonl or .jsonl.gz)"
    )
    parser.add_argument("--limit", type=int, default=20_000, help="articles from the start of the corpus")
    parser.add_argument(
        "--workdir", type=Path, default=Path("/tmp/codec-compare"), help="where the indexes go"
    )
    parser.add_argument("--lookups", type=int, default=10_000, help="terms and documents looked up")
    parser.add_argument("--rounds", type=int, default=3, help="alternating timing rounds (the best counts)")
    parser.add_argument("--reuse", action="store_true", help="keep the indexes already in --workdir")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    result = compare(args.workdir, args.corpus, args.limit, args.lookups, args.rounds, args.reuse)
    print(_report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
