"""The anchors of ``bench/relevance.py``, on the same documents as the project's index (one set at a time).

* **stock**: the recipe of jieba's README -- Whoosh with ``jieba.analyse.ChineseAnalyzer`` on ``title`` and
  ``body``, a ``MultifieldParser`` over both and Whoosh's default BM25F; with ``OrGroup`` (any word) and with
  the parser's default ``AndGroup`` (all words).
* **bm25s**: ``bm25s`` (the Lucene BM25 formula, k1=1.5, b=0.75) over jieba search-mode tokens of title + body.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from relevance_data import CACHE, CMRC_SET, EvalSet

Ranker = Callable[[str], list[str]]
BM25S = "bm25s (Lucene BM25), jieba search tokens"
_WORDISH = re.compile(r"[^\W_]")


def _quiet_jieba():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _stock_index(which: EvalSet, log: Callable[[str], None]) -> Path:
    import jieba
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema

    key = hashlib.blake2b(f"jieba {jieba.__version__}|{which.key()}".encode(), digest_size=6).hexdigest()
    prefix = "stock" if which is CMRC_SET else f"stock-{which.name}"
    index_dir = CACHE / f"{prefix}-{key}"
    if (index_dir / ".complete").exists():
        return index_dir
    index_dir.mkdir(parents=True, exist_ok=True)
    analyzer = ChineseAnalyzer()
    schema = Schema(
        id=ID(stored=True, unique=True), title=TEXT(analyzer=analyzer), body=TEXT(analyzer=analyzer)
    )
    ix = index.create_in(str(index_dir), schema)
    log(f"building the stock-recipe index in {index_dir} (a few minutes) ...")
    t0 = time.monotonic()
    writer = ix.writer(limitmb=256)
    for doc in which.documents():
        writer.add_document(**doc)
    writer.commit()
    log(f"  done in {time.monotonic() - t0:.0f} s")
    (index_dir / ".complete").write_text("ok\n")
    return index_dir


class StockWhoosh:
    """The stock recipe, ``any_word`` True: OR of the words, False: the parser's default AND."""

    def __init__(self, which: EvalSet, log: Callable[[str], None] = print) -> None:
        _quiet_jieba()
        from whoosh import index

        self.ix = index.open_dir(str(_stock_index(which, log)))
        self.searcher = self.ix.searcher()

    def ranker(self, any_word: bool) -> Ranker:
        from whoosh.qparser import AndGroup, MultifieldParser, OrGroup

        parser = MultifieldParser(["title", "body"], self.ix.schema, group=OrGroup if any_word else AndGroup)
        searcher = self.searcher

        def rank(q: str) -> list[str]:
            hits = searcher.search(parser.parse(q), limit=10)
            return [h["id"] for h in hits]

        return rank

    def close(self) -> None:
        self.searcher.close()


class Bm25s:
    """bm25s (Lucene BM25) over jieba search-mode tokens of ``title + body``."""

    def __init__(self, which: EvalSet, log: Callable[[str], None] = print) -> None:
        import bm25s

        jieba = _quiet_jieba()
        self._cut = jieba.cut_for_search
        t0 = time.monotonic()
        self.ids: list[str] = []
        corpus: list[list[str]] = []
        for doc in which.documents():
            self.ids.append(doc["id"])
            corpus.append(self.tokens(doc["title"] + "\n" + doc["body"]))
        self.model = bm25s.BM25()
        self.model.index(corpus, show_progress=False)
        log(f"bm25s: {len(corpus):,} documents tokenised and indexed in {time.monotonic() - t0:.0f} s")

    def tokens(self, text: str) -> list[str]:
        """jieba search-mode tokens without whitespace and punctuation (as a Lucene analyzer drops them)."""
        return [t for t in self._cut(text) if _WORDISH.search(t)]

    def ranker(self) -> Ranker:
        import numpy as np

        def rank(q: str) -> list[str]:
            tokens = self.tokens(q)
            if not tokens:
                return []
            scores = self.model.get_scores(tokens)
            top = np.argpartition(-scores, 10)[:10]
            top = top[np.argsort(-scores[top], kind="stable")]
            return [self.ids[i] for i in top if scores[i] > 0]

        return rank


def rankers(which: EvalSet, log: Callable[[str], None] = print) -> Iterable[tuple[str, Ranker]]:
    stock = StockWhoosh(which, log)
    yield "stock whoosh+jieba, any word (OR)", stock.ranker(any_word=True)
    yield "stock whoosh+jieba, all words (AND)", stock.ranker(any_word=False)
    stock.close()
    yield BM25S, Bm25s(which, log).ranker()
