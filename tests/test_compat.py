"""Every private whoosh3 attribute that ``indexer/compat.py`` reads exists in the installed whoosh3, on real
objects of an index built the way ``zhsearch reindex`` builds it (pyproject.toml bounds whoosh3 to the
releases these tests passed on)."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path
from typing import Any

import pytest
from whoosh.codec.whoosh3 import W3FieldWriter, W3PerDocReader, W3PerDocWriter, W3Segment, W3TermsReader
from whoosh.columns import FixedBytesColumn, NumericColumn, VarBytesColumn
from whoosh.index import FileIndex
from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F

from indexer import compat

OWNERS: dict[str, Any] = {
    "FileIndex": FileIndex,
    "BM25F": BM25F(),
    "SegmentReader": SegmentReader,
    "W3TermsReader": W3TermsReader,
    "W3PerDocReader": W3PerDocReader,
    "W3PerDocWriter": W3PerDocWriter,
    "W3Segment": W3Segment,
    "W3FieldWriter": W3FieldWriter,
    "FixedBytesColumn.Reader": FixedBytesColumn.Reader,
    "NumericColumn.Reader": NumericColumn.Reader,
    "VarBytesColumn.Reader": VarBytesColumn.Reader,
}


@pytest.fixture(scope="module")
def leaf(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from conftest import build_index, write_jsonl

    from search import Searcher

    root = tmp_path_factory.mktemp("compat")
    docs = [{"id": f"d{i}", "title": f"标题{i}", "body": "中国新闻" * (i + 1)} for i in range(5)]
    searcher = Searcher(build_index([write_jsonl(root / "a.jsonl", docs)], root / "index"))
    with searcher.reader() as reader:
        yield next(iter(reader.leaf_readers()))[0]


def _instance_attributes(leaf: SegmentReader) -> dict[str, Any]:
    """Objects of the real index (and writers of the project's codec) for the attributes set per instance."""
    from whoosh.filedb.filestore import RamStorage

    from indexer.codec import ZhCodec

    column = leaf._perdoc._cached_reader(compat.length_column("body"), compat.LENGTHS_COLUMN)
    codec, storage = ZhCodec(), RamStorage()
    segment = codec.new_segment(storage, "MAIN")
    return {
        "SegmentReader": leaf,
        "W3TermsReader": leaf._terms,
        "W3PerDocReader": leaf._perdoc,
        "W3Segment": leaf.segment(),
        "FixedBytesColumn.Reader": column,
        "NumericColumn.Reader": leaf.column_reader("published", translate=False),
        "VarBytesColumn.Reader": leaf.column_reader("id", translate=False),
        "W3PerDocWriter": codec.per_document_writer(storage, segment),
        "W3FieldWriter": codec.field_writer(storage, segment),
    }


@pytest.mark.parametrize(("owner", "attribute"), compat.PRIVATE_ATTRIBUTES)
def test_each_private_attribute_exists(leaf, owner: str, attribute: str) -> None:  # type: ignore[no-untyped-def]
    real = _instance_attributes(leaf).get(owner)
    target = real if real is not None and not hasattr(OWNERS[owner], attribute) else OWNERS[owner]
    assert hasattr(target, attribute), f"{owner}.{attribute} is gone from whoosh3"


def test_the_readers_of_compat_give_the_index_values(leaf) -> None:  # type: ignore[no-untyped-def]
    lengths = compat.field_lengths(leaf, "body")
    assert lengths.tolist() == [float(leaf.doc_field_length(d, "body")) for d in range(5)]
    buf, start, end = compat.postings_buffer(leaf)
    assert 0 <= start < end <= len(buf)
    assert compat.bm25f_b(BM25F(title_B=0.3), "title") == 0.3
    assert compat.bm25f_b(BM25F(), "body") == BM25F().B


def test_whoosh3_is_bounded_to_the_tested_releases() -> None:
    pyproject = (Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    bound = re.search(r'"whoosh3>=([\d.]+),<([\d.]+)"', pyproject)
    assert bound, "whoosh3 needs an upper bound too"
    installed = tuple(int(x) for x in importlib.metadata.version("whoosh3").split(".")[:2])
    low = tuple(int(x) for x in bound.group(1).split(".")[:2])
    high = tuple(int(x) for x in bound.group(2).split(".")[:2])
    assert low <= installed < high


def test_columns_read_at_once_equal_whoosh_readers(tmp_path: Path) -> None:
    """``compat.column_values`` of every column the engine loads (ids, dates, sources, categories, years;
    one article without a date, source or category) equals Whoosh's reader, document by document."""
    from conftest import build_index, write_jsonl

    from search import Searcher

    docs = [
        {"id": "b2", "title": "标题", "body": "正文", "source": "新华社", "published": "2023-05-01"},
        {"id": "a1", "title": "无日期", "body": "正文"},
        {
            "id": "c3",
            "title": "标题",
            "body": "正文",
            "source": "人民网",
            "category": "时政",
            "date": "1999-12-31",
        },
    ]
    searcher = Searcher(build_index([write_jsonl(tmp_path / "a.jsonl", docs)], tmp_path / "index"))
    with searcher.reader() as reader:
        leaf = next(iter(reader.leaf_readers()))[0]
        for name in ("id", "published", "source", "category", "year"):
            fast = compat.column_values(leaf, name)
            assert fast is not None, name
            got = fast.tolist() if hasattr(fast, "tolist") else fast
            assert got == list(leaf.column_reader(name, translate=False)), name
        assert compat.column_values(leaf, "title") is None  # a field without a column
