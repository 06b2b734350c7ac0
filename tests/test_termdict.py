"""``ZhCompactCodec`` (the compact term dictionary and the stored-field blocks) answers every reader question as
``ZhCodec`` (W3's hash-table dictionary and ``_stored`` column) answers it: on the shipped sample, after
deletions and Whoosh's merge, after ``indexer.segments.merge.merge_segments``, and on table-driven dictionaries."""

from __future__ import annotations

import random
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.fields import TEXT
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.index import TOC
from whoosh.reading import CorruptIndexError, TermNotFound
from whoosh.system import pack_uint

import indexer.segments.merge
from indexer import codec as codec_module
from indexer.articles import Article
from indexer.codec import BLOCK_LIMIT, ZhCodec, ZhCompactCodec
from indexer.format.mmapstore import MappedStorage
from indexer.format.termdict import DEFAULT_BLOCK_LIMIT, TERMDICT_EXT, TermDictWriter
from indexer.format.termdict_read import TermDict
from indexer.format.termsreader import CompactTermsReader
from indexer.format.write import ZhPostingsWriter
from indexer.ingest.loaders import load_file
from indexer.schema import make_schema
from indexer.segments.documents import article_document

SAMPLE = Path(__file__).parent.parent / "index_data" / "articles"
INDEX = "MAIN"


def _sample_docs() -> list[dict[str, Any]]:
    articles = [a for path in sorted(SAMPLE.iterdir()) for a in load_file(path) if isinstance(a, Article)]
    return [article_document(a, "1:2") for a in articles]


def _build(path: Path, codec: Any, docs: list[dict], *, commits: int = 1, compound: bool = True) -> Any:
    path.mkdir(parents=True)
    ix = whoosh_index.create_in(str(path), make_schema())
    per = -(-len(docs) // commits)
    for start in range(0, len(docs), per):
        w = ix.writer(codec=codec, compound=compound)
        for doc in docs[start : start + per]:
            w.add_document(**doc)
        w.commit(merge=False)
    return ix


def _info(ti: Any) -> tuple:
    """Every accessor of a term info, the extent with W3's length tuple unwrapped (a reader of several segments
    combines the statistics in a plain ``TermInfo``)."""
    if not hasattr(ti, "is_inlined"):
        where: Any = None
    elif ti.is_inlined():
        where = ("inlined", ti.inlined_postings())
    else:
        offset, length = ti.extent()
        where = (offset, length[0] if isinstance(length, tuple) else length)
    stats = (ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length(), ti.max_weight())
    return (*stats, ti.min_id(), ti.max_id(), where)


def _postings(reader: Any, field: str, btext: bytes) -> tuple:
    m = reader.postings(field, btext)
    ids, weights, positions = [], [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        if field.endswith("_ng"):
            positions.append(m.value_as("positions"))
        m.next()
    return ids, weights, positions


def _probes(terms: list[bytes]) -> list[bytes]:
    """Lookups before, between, at and after the terms: empty, absent and present."""
    out = [b"", b"\x00", b"\xff\xff\xff\xff", "中".encode()[:2]]
    for t in terms[:: max(1, len(terms) // 25)] + terms[-1:]:
        out += [t, t + b"\x00", t[:-1]]
    return out


def _answers(ix: Any, *, postings_every: int = 1) -> dict[str, Any]:
    """What a reader answers, for everything the tests compare (every ``postings_every``-th term's postings)."""
    out: dict[str, Any] = {}
    with ix.reader() as r:
        schema = r.schema
        out["all_terms"] = list(r.all_terms())
        out["fields"] = sorted(r.indexed_field_names())
        for field in out["fields"]:
            terms = list(r.lexicon(field))
            out[f"{field}:lexicon"] = terms
            out[f"{field}:iter_field"] = [(t, _info(ti)) for t, ti in r.iter_field(field, b"")]
            for p in _probes(terms):
                out[f"{field}:from:{p!r}"] = [(k, _info(ti)) for k, ti in islice(r.iter_from(field, p), 40)]
                out[f"{field}:terms_from:{p!r}"] = list(islice(r.terms_from(field, p), 40))
                out[f"{field}:has:{p!r}"] = (field, p) in r
                out[f"{field}:freq:{p!r}"] = (r.frequency(field, p), r.doc_frequency(field, p))
                try:
                    out[f"{field}:info:{p!r}"] = _info(r.term_info(field, p))
                except TermNotFound:
                    out[f"{field}:info:{p!r}"] = "TermNotFound"
            step = postings_every if len(terms) > 200 else 1
            for t in terms[::step]:
                out[f"{field}:postings:{t!r}"] = _postings(r, field, t)
                out[f"{field}:stats:{t!r}"] = (r.frequency(field, t), r.doc_frequency(field, t))
            if schema[field].scorable:
                out[f"{field}:lengths"] = [r.doc_field_length(d, field) for d in range(r.doc_count_all())]
                out[f"{field}:length"] = (r.field_length(field), r.max_field_length(field))
        for leaf, base in r.leaf_readers():
            for field in out["fields"]:
                cur = leaf.cursor(field)
                walked = []
                while cur.is_valid():
                    walked.append((cur.text(), _info(cur.term_info())))
                    cur.next()
                found = [cur.find(p) for p in _probes(out[f"{field}:lexicon"])]
                out[f"{base}:{field}:cursor"] = (walked, found, cur.first())
        out["stored"] = [r.stored_fields(d) for d in range(r.doc_count_all())]
        out["all_stored"] = list(r.all_stored_fields())
        out["iter_docs"] = list(r.iter_docs())
        out["deleted"] = [d for d in range(r.doc_count_all()) if r.is_deleted(d)]
        out["columns"] = {
            name: list(r.column_reader(name, translate=False))
            for name in schema.names()
            if schema[name].column_type
        }
        out["doc_count"] = (r.doc_count(), r.doc_count_all())
    return out


def _assert_same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a.keys() == b.keys()
    different = [k for k in a if a[k] != b[k]]
    assert not different, different[:5]


@pytest.fixture(scope="module")
def sample_docs() -> list[dict[str, Any]]:
    return _sample_docs()


@pytest.fixture(scope="module")
def sample_indexes(tmp_path_factory: pytest.TempPathFactory, sample_docs: list[dict]) -> tuple[Any, Any]:
    root = tmp_path_factory.mktemp("termdict-sample")
    return _build(root / "zh", ZhCodec(), sample_docs), _build(
        root / "compact", ZhCompactCodec(), sample_docs
    )


def test_the_sample_answers_as_with_w3s_dictionary(sample_indexes: tuple[Any, Any]) -> None:
    zh, compact = sample_indexes
    a, b = _answers(zh, postings_every=7), _answers(compact, postings_every=7)
    _assert_same(a, b)
    assert len(a["all_terms"]) > 50_000 and len(a["stored"]) == 1110
    # lists of several blocks (their statistics in the side table) and of one (from the block header)
    with compact.reader() as r:
        dfs = [ti.doc_frequency() for _, ti in r.iter_field("body_ng")]
        assert max(dfs) > BLOCK_LIMIT and min(dfs) == 1


def test_the_sample_postings_and_columns_files_are_unchanged(sample_indexes: tuple[Any, Any]) -> None:
    """Only the dictionary and the stored fields differ: same postings bytes, same lengths and columns."""
    parts = []
    for ix in sample_indexes:
        storage = ix.storage
        with ix.reader() as r:
            seg = r.segment()
        files = seg.open_compound_file(storage)
        parts.append({name.split(".", 1)[1]: files.open_file(name).read() for name in files.list()})
    zh, compact = parts
    assert {k for k in zh if k not in compact} == {"trm", "_stored.col"}
    assert {k for k in compact if k not in zh} == {TERMDICT_EXT[1:], "stb"}
    assert all(zh[k] == compact[k] for k in zh if k in compact)
    assert len(compact["tdc"]) * 5 < len(zh["trm"])
    assert len(compact["stb"]) < len(zh["_stored.col"])


def test_the_sample_through_mapped_storage(sample_indexes: tuple[Any, Any]) -> None:
    """Opened as the search engine opens it (memory-mapped), the arrays are views of the map."""
    zh, compact = sample_indexes
    mapped = [MappedStorage(ix.storage.folder, readonly=True).open_index() for ix in (zh, compact)]
    a, b = (_answers(ix, postings_every=50) for ix in mapped)
    _assert_same(a, b)


def test_deletions_and_whooshs_merge(tmp_path: Path, sample_docs: list[dict]) -> None:
    docs = sample_docs[:300]
    indexes = []
    for name, codec in (("zh", ZhCodec), ("compact", ZhCompactCodec)):
        ix = _build(tmp_path / name, codec(), docs, commits=3)
        w = ix.writer(codec=codec())
        for doc in docs[::17]:
            w.delete_by_term("id", doc["id"])
        w.add_document(**sample_docs[400])
        w.commit(merge=False)
        indexes.append(ix)
    _assert_same(*(_answers(ix) for ix in indexes))  # with deletions, four segments
    for ix, codec in zip(indexes, (ZhCodec, ZhCompactCodec), strict=True):
        ix.writer(codec=codec()).commit(optimize=True)
    merged = [whoosh_index.open_dir(ix.storage.folder) for ix in indexes]
    for ix, codec in zip(merged, (ZhCodec, ZhCompactCodec), strict=True):
        with ix.reader() as r:
            assert r.doc_count_all() == r.doc_count() == 300 - len(docs[::17]) + 1
            assert type(r.segment().codec()) is codec
    _assert_same(*(_answers(ix) for ix in merged))


def _block_merge(path: Path, codec: Any) -> Any:
    """Merge the index's segments with indexer.segments.merge (as the fast build does) and publish the result."""
    storage = FileStorage(str(path))
    ix = storage.open_index(INDEX)
    info = ix._read_toc()
    merged = indexer.segments.merge.merge_segments(storage, info.schema, info.segments, INDEX)
    for seg in info.segments:
        for name in seg.list_files(storage):
            storage.delete_file(name)
    merged.create_compound_file(storage)
    TOC(info.schema, [merged], info.generation + 1).write(storage, INDEX)
    return whoosh_index.open_dir(str(path))


def test_block_merge_of_compact_segments(tmp_path: Path, sample_docs: list[dict]) -> None:
    docs = sample_docs[:240]
    zh = _build(tmp_path / "zh", ZhCodec(), docs, commits=3, compound=False)
    compact = _build(tmp_path / "compact", ZhCompactCodec(), docs, commits=3, compound=False)
    before = _answers(zh)
    zh = _block_merge(tmp_path / "zh", ZhCodec())
    compact = _block_merge(tmp_path / "compact", ZhCompactCodec())
    with compact.reader() as r:
        assert type(r.segment().codec()) is ZhCompactCodec
        # a term of every segment has a list of three blocks, its statistics in the side table
        assert len(r.postings("body_ng", "的").block_table()[0]) >= 3
    a, b = _answers(zh), _answers(compact)
    _assert_same(a, b)
    kept = [k for k in a if k in ("stored", "all_terms") or ":lexicon" in k or ":postings:" in k]
    assert {k: a[k] for k in kept} == {k: before[k] for k in kept}  # the merge keeps everything


# Table-driven dictionaries: the codecs' field writers side by side, with W3's terms reader as the reference.


class _BytesField(TEXT):
    """A frequency field whose terms stay bytes in cursors (any byte string is a term)."""

    def from_bytes(self, bs: bytes) -> bytes:
        return bs

    def to_bytes(self, value: Any) -> bytes:
        return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _list(df: int, seed: int, *, weight: float | None = None) -> list[tuple[int, float, bytes, int]]:
    rng = random.Random(seed)
    ids = sorted(rng.sample(range(5000), df))
    out = []
    for d in ids:
        w = weight if weight is not None else float(rng.choice([1, 1, 2, 3, 300]))
        out.append((d, w, pack_uint(int(w)) if weight is None else b"", rng.randint(1, 900)))
    return out


_MANY = sorted({bytes(random.Random(k).choices(b"abc\xe4\xb8\xad", k=1 + k % 9)) for k in range(700)})
CASES: dict[str, dict[str, dict[bytes, list]]] = {
    "one term": {"f": {b"x": _list(1, 1)}},
    "prefixes": {"f": {t: _list(2, i) for i, t in enumerate([b"a", b"ab", b"abc", b"abd", b"b"])}},
    "multi-byte UTF-8": {
        "f": {
            t.encode(): _list(1 + i, i)
            for i, t in enumerate(["中", "中国", "中国人", "中华", "华", "é", "😀"])
        }
    },
    "smallest and largest": {
        "f": {t: _list(1, i) for i, t in enumerate([b"", b"\x00", b"\x00\x00", b"\xff"])}
    },
    "long shared prefixes": {"f": {b"p" * 300 + bytes([i]) * (i % 3 + 1): _list(1, i) for i in range(40)}},
    "many terms, lists of many blocks": {
        "f": {t: _list(1 + i % 23 * (i % 5), i) for i, t in enumerate(_MANY)}
    },
    "an empty field between two": {"a": {b"x": _list(1, 1)}, "empty": {}, "z": {b"a": _list(3, 2)}},
    "an empty posting list": {"f": {b"a": _list(2, 1), b"empty": [], b"z": _list(1, 2)}},
    "fractional weights": {"f": {b"a": _list(7, 1, weight=1.5), b"b": _list(1, 2, weight=0.25)}},
    "several fields": {name: {t: _list(2, i) for i, t in enumerate([b"m", b"n"])} for name in "cab"},
}
BLOCKLIMIT = 3


def _write(
    codec: Any, fields: dict[str, dict[bytes, list]], *, gaps: bool = False
) -> tuple[RamStorage, Any, Any]:
    storage = RamStorage()
    segment = codec.new_segment(storage, INDEX)
    fw = codec.field_writer(storage, segment)
    for name, terms in fields.items():
        fw.start_field(name, _BytesField(phrase=False))
        for btext in sorted(terms):
            fw.start_term(btext)
            for posting in terms[btext]:
                fw.add(*posting)
            fw.finish_term()
            if gaps:  # posting lists not one after the other
                (fw.postings_file() if hasattr(fw, "postings_file") else fw._postfile).write(b"gap")
        fw.finish_field()
    fw.close()
    return storage, segment, codec.terms_reader(storage, segment)


def _terms_answers(tr: Any, fields: dict[str, dict[bytes, list]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "fields": list(tr.indexed_field_names()),
        "terms": list(tr.terms()),
        "items": [(k, _info(ti)) for k, ti in tr.items()],
    }
    for name in [*fields, "absent"]:
        terms = sorted(fields.get(name, {b"q": None}))
        for p in _probes(terms) + [t + b"\xff" for t in terms]:
            key = f"{name}:{p!r}"
            out[f"{key}:from"] = list(tr.terms_from(name, p))
            out[f"{key}:items"] = [(k, _info(ti)) for k, ti in tr.items_from(name, p)]
            out[f"{key}:in"] = (name, p) in tr
            for method in ("term_info", "frequency", "doc_frequency"):
                try:
                    got = getattr(tr, method)(name, p)
                    out[f"{key}:{method}"] = _info(got) if method == "term_info" else got
                except (KeyError, TermNotFound) as exc:
                    out[f"{key}:{method}"] = type(exc).__name__
            cur = tr.cursor(name, _BytesField(phrase=False))
            out[f"{key}:cursor"] = (cur.text(), cur.find(p), cur.is_valid(), cur.next(), cur.text())
            info = cur.term_info()
            out[f"{key}:cursor_info"] = None if info is None else _info(info)
        cur = tr.cursor(name, _BytesField(phrase=False))
        walked = [cur.text()]
        while cur.next() is not None:
            walked.append(cur.text())
        out[f"{name}:walk"] = (walked, cur.first())
    return out


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("gaps", [False, True], ids=["contiguous", "gaps"])
def test_dictionary_answers_as_w3s(case: str, gaps: bool) -> None:
    fields = CASES[case]
    _, _, w3 = _write(ZhCodec(blocklimit=BLOCKLIMIT), fields, gaps=gaps)
    _, _, compact = _write(ZhCompactCodec(blocklimit=BLOCKLIMIT), fields, gaps=gaps)
    assert isinstance(compact, CompactTermsReader)
    _assert_same(_terms_answers(w3, fields), _terms_answers(compact, fields))


def test_statistics_summed_from_the_block_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A list of several blocks missing from the side table gets its statistics from all its headers."""
    fields = CASES["many terms, lists of many blocks"]
    _, _, w3 = _write(ZhCodec(blocklimit=BLOCKLIMIT), fields)
    monkeypatch.setattr(ZhPostingsWriter, "block_count", property(lambda self: 1))
    _, _, compact = _write(ZhCompactCodec(blocklimit=BLOCKLIMIT), fields)
    assert not len(next(iter(compact._dict.fields.values())).sindex)
    _assert_same(_terms_answers(w3, fields), _terms_answers(compact, fields))


@pytest.mark.parametrize("case", ["many terms, lists of many blocks", "fractional weights", "prefixes"])
def test_bulk_add_terms_answers_as_term_by_term(case: str) -> None:
    """A field given whole from arrays (the fast build's path) reads back as W3's dictionary of the same lists."""
    fields = CASES[case]
    storage, segment, w3 = _write(ZhCodec(blocklimit=BLOCKLIMIT), fields)
    writer = TermDictWriter(storage.create_file("bulk.tdc"))
    for name in fields:
        rows = [(k[1], ti) for k, ti in w3.items() if k[0] == name]
        cols: dict[str, Any] = {
            "weight": [ti.weight() for _, ti in rows],
            "df": [ti.doc_frequency() for _, ti in rows],
            "minlength": [ti.min_length() for _, ti in rows],
            "maxlength": [ti.max_length() for _, ti in rows],
            "maxweight": [ti.max_weight() for _, ti in rows],
            "minid": [ti.min_id() for _, ti in rows],
            "maxid": [ti.max_id() for _, ti in rows],
            "offset": [ti.extent()[0] for _, ti in rows],
            "length": [ti.extent()[1][0] for _, ti in rows],
        }
        writer.add_terms(
            name, [t for t, _ in rows], **{k: np.array(v) for k, v in cols.items()}, blocklimit=BLOCKLIMIT
        )
    writer.close()
    bulk = CompactTermsReader(
        ZhCompactCodec(), storage.open_file("bulk.tdc"), segment.open_file(storage, ZhCodec.POSTS_EXT)
    )
    _assert_same(_terms_answers(w3, fields), _terms_answers(bulk, fields))


def test_a_segment_of_one_document(tmp_path: Path, sample_docs: list[dict]) -> None:
    _assert_same(
        *(_answers(_build(tmp_path / c.__name__, c(), sample_docs[:1])) for c in (ZhCodec, ZhCompactCodec))
    )


@pytest.mark.parametrize(
    ("terms", "message"),
    [([b"b", b"a"], "ascending"), ([b"a", b"a"], "ascending")],
)
def test_terms_out_of_order_are_refused(terms: list[bytes], message: str) -> None:
    writer = TermDictWriter(RamStorage().create_file("x"))
    zeros = np.zeros(len(terms), dtype=np.int64)
    arrays = dict.fromkeys(("weight", "df", "minlength", "maxlength", "maxweight", "minid", "maxid"), zeros)
    with pytest.raises(ValueError, match=message):
        writer.add_terms("f", terms, **arrays, offset=zeros, length=zeros)


def test_a_field_written_twice_and_inlined_postings_are_refused() -> None:
    from whoosh.codec.whoosh3 import W3TermInfo

    writer = TermDictWriter(RamStorage().create_file("x"))
    writer.start_field("a")
    writer.start_field("b")
    with pytest.raises(ValueError, match="already written"):
        writer.start_field("a")
    inlined = W3TermInfo(1.0, 1, 1, 1, 1.0, 0, 0)
    inlined.set_inlined((0,), (1.0,), (b"",))
    with pytest.raises(ValueError, match="inlined"):
        writer.add("b", b"t", inlined)


def test_a_damaged_dictionary_is_reported() -> None:
    storage = RamStorage()
    f = storage.create_file("bad")
    f.write(b"not a term dictionary at all")
    f.close()
    with pytest.raises(CorruptIndexError, match="reindex"):
        TermDict(storage.open_file("bad"), None)


def test_the_default_block_size_is_the_codecs() -> None:
    assert DEFAULT_BLOCK_LIMIT == codec_module.BLOCK_LIMIT == ZhCompactCodec().blocklimit


def test_segment_sizes_reports_each_part(
    sample_indexes: tuple[Any, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from bench.segment_sizes import PARTS, main, segment_sizes

    zh, compact = (segment_sizes(Path(ix.storage.folder), count_terms=True) for ix in sample_indexes)
    for rows in (zh, compact):
        assert len(rows) == 1 and rows[0]["total"] == sum(rows[0][part] for part in PARTS)
    assert zh[0]["codec"] == "ZhCodec" and compact[0]["codec"] == "ZhCompactCodec"
    assert zh[0]["postings"] == compact[0]["postings"] and zh[0]["terms"] == compact[0]["terms"]
    assert compact[0]["termdict"] < 20 * compact[0]["terms"] < zh[0]["termdict"]
    assert main([sample_indexes[1].storage.folder]) == 0
    assert "bytes a term" not in capsys.readouterr().out


def _bulk_frequencies(tr: Any, name: str) -> list[tuple[bytes, int]]:
    terms, df = tr.term_dict.doc_frequencies(name)
    return list(zip(terms, df.tolist(), strict=True))


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("gaps", [False, True], ids=["contiguous", "gaps"])
def test_doc_frequencies_in_bulk_as_term_by_term(case: str, gaps: bool) -> None:
    """Every term's document frequency read in bulk (block headers gathered with numpy, the side table) is what
    W3's dictionary answers term by term."""
    fields = CASES[case]
    _, _, w3 = _write(ZhCodec(blocklimit=BLOCKLIMIT), fields, gaps=gaps)
    _, _, compact = _write(ZhCompactCodec(blocklimit=BLOCKLIMIT), fields, gaps=gaps)
    for name in fields:
        expected = [(t, w3.doc_frequency(name, t)) for f, t in w3.terms() if f == name]
        assert _bulk_frequencies(compact, name) == expected
    assert _bulk_frequencies(compact, "absent") == []


def test_doc_frequencies_of_the_sample_through_mapped_storage(sample_indexes: tuple[Any, Any]) -> None:
    _zh, compact = sample_indexes
    ix = MappedStorage(compact.storage.folder, readonly=True).open_index()
    with ix.reader() as r:
        tr = r._terms
        for name in ("title", "body", "body_ng"):
            expected = [(t, ti.doc_frequency()) for t, ti in r.iter_field(name)]
            assert _bulk_frequencies(tr, name) == expected
        assert max(n for _, n in _bulk_frequencies(tr, "body_ng")) > BLOCK_LIMIT  # lists of several blocks
