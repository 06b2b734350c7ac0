"""The Whoosh schema of the article index."""

from __future__ import annotations

from collections.abc import Iterable

from whoosh.analysis import Tokenizer
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer.analysis import ChineseAnalyzer, DictEntry, UnitAnalyzer

#: Word fields searched by default; the gram fields mirror them for exact phrases.
WORD_FIELDS = ("title", "body")
GRAM_FIELDS = {"title": "title_ng", "body": "body_ng"}


class DatetimeColumn(DATETIME):
    """A datetime stored and kept in a sortable column, not indexed: the engine filters and sorts dates on the
    column (:mod:`search.columns`), and its terms (several per value) were an eighth of the term dictionary."""

    indexed = False


class IdColumn(ID):
    """An exact value kept in a sortable column only (the content hash: read from the column, never searched)."""

    indexed = False


def make_schema(userdict: Iterable[DictEntry] = ()) -> Schema:
    """The index schema, with the analyzers built for ``userdict``.

    * ``title``/``body``: jieba words, frequencies only (BM25F needs no positions there);
    * ``title_ng``/``body_ng``: the exact-phrase gram streams, with positions;
    * ``source``/``category``: exact values, sortable so they can be counted as facets;
    * ``published``: naive UTC datetime, in a column (not indexed); ``year`` for the year facet;
    * ``hash`` (a column, not indexed), ``path``, ``sig`` (the source file's size and mtime) and ``tdkey`` (title + date) serve the
      incremental reindex and the replacement of partial stubs.
    """
    words = ChineseAnalyzer(userdict)
    grams = UnitAnalyzer(userdict)
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=TEXT(analyzer=words, phrase=False, stored=True),
        body=TEXT(analyzer=words, phrase=False, stored=True),
        title_ng=TEXT(analyzer=grams, phrase=True),
        body_ng=TEXT(analyzer=grams, phrase=True),
        url=ID(stored=True),
        source=ID(stored=True, sortable=True),
        category=ID(stored=True, sortable=True),
        author=ID(stored=True),
        published=DatetimeColumn(stored=True, sortable=True),
        year=NUMERIC(int, bits=16, sortable=True),
        tags=KEYWORD(stored=True, commas=True, scorable=True),
        partial=BOOLEAN(stored=True),
        hash=IdColumn(sortable=True),
        path=ID(stored=True, sortable=True),
        line=STORED,
        sig=ID(sortable=True),
        tdkey=ID,
    )


def schema_fingerprint(schema: Schema) -> str | None:
    """The analyzer fingerprint an index was built with (None for an index this project did not build)."""
    if "title" not in schema.names():
        return None
    analyzer: Tokenizer = schema["title"].analyzer
    return getattr(analyzer, "fingerprint", None)
