"""``ZhCodec`` stores exactly what Whoosh's W3 codec stores, in the compact block format."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Characters, Frequency, Positions
from whoosh.query import Phrase, Term
from whoosh.reading import CorruptIndexError
from whoosh.system import pack_uint

from indexer.codec import MAGIC, DecodedBlock, ZhCodec, ZhLeafMatcher, encode_block
from indexer.schema import make_schema

#: Tokens of Whoosh's standard analyzer (two letters or more); the first ones are much more common.
VOCAB = [f"w{i}" for i in range(24)]
FREQ = [40, 20, 10, 10] + [1] * 20


def _schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        body=TEXT(stored=True),  # positions, Whoosh's own analyzer
        words=TEXT(phrase=False),  # frequencies
        tags=KEYWORD(commas=True, scorable=True),
        boosted=TEXT(phrase=True, field_boost=2.5),  # positions whose counts are not the weights
        chars=TEXT(phrase=False, vector=None),
        n=NUMERIC(int, stored=True),
        note=STORED,
    )


def _docs(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        body = " ".join(rng.choices(VOCAB, FREQ, k=rng.randint(0, 60)))
        docs.append(
            {
                "id": f"d{i}",
                "body": body,
                "words": " ".join(
                    rng.choice(["alpha", "beta", "gamma", "delta"]) for _ in range(rng.randint(1, 9))
                ),
                "tags": ",".join(rng.sample(["x", "y", "z"], rng.randint(0, 3))),
                "boosted": " ".join(body.split()[:8]),
                "chars": body,
                "n": i * 70001,  # numeric terms and ids far apart
                "note": {"i": i},
            }
        )
    return docs


def _build(path: Path, codec: object, docs: list[dict], *, commits: int = 1) -> whoosh_index.Index:
    path.mkdir()
    ix = whoosh_index.create_in(str(path), _schema())
    per = -(-len(docs) // commits)
    for start in range(0, len(docs), per):
        with ix.writer(codec=codec) as w:
            for doc in docs[start : start + per]:
                w.add_document(**doc)
    return ix


def _dump(ix: whoosh_index.Index) -> dict:
    out = {}
    with ix.reader() as r:
        for fieldname, text in r.all_terms():
            m = r.postings(fieldname, text)
            items = []
            while m.is_active():
                value = m.value()
                positions = m.value_as("positions") if m.supports("positions") else None
                items.append((m.id(), m.weight(), value, positions))
                m.next()
            ti = r.term_info(fieldname, text)
            stats = (ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length(), ti.max_weight())
            stats += (ti.min_id(), ti.max_id())
            out[(fieldname, text)] = (items, stats)
        out["stored"] = [r.stored_fields(d) for d in range(r.doc_count_all())]
    return out


@pytest.mark.parametrize("commits", [1, 3])
def test_same_postings_as_w3_through_whooshs_writer(tmp_path: Path, commits: int) -> None:
    docs = _docs(400)
    w3 = _build(tmp_path / "w3", W3Codec(), docs, commits=commits)
    blocklimit = 100  # small blocks, so that the common words' lists span several of them
    zh = _build(tmp_path / "zh", ZhCodec(blocklimit=blocklimit), docs, commits=commits)
    a, b = _dump(w3), _dump(zh)
    assert a.keys() == b.keys()
    assert a == b
    # the body of the common characters spans many blocks
    with zh.reader() as r:
        assert r.doc_frequency("body", "w0") > 3 * blocklimit
        if commits == 1:
            m = r.postings("body", "w0")
            assert isinstance(m, ZhLeafMatcher)
            assert len(m.block_table()[0]) > 3


def test_queries_and_scores_equal_w3(tmp_path: Path) -> None:
    docs = _docs(300, seed=3)
    w3 = _build(tmp_path / "w3", W3Codec(), docs)
    zh = _build(tmp_path / "zh", ZhCodec(), docs)
    queries = [
        Term("body", "w0"),
        Phrase("body", ["w0", "w1", "w2"]),
        Phrase("boosted", ["w1", "w0"]),
        Term("words", "beta"),
    ]
    for q in queries:
        with w3.searcher() as s1, zh.searcher() as s2:
            r1 = [(h["id"], round(h.score, 6)) for h in s1.search(q, limit=None)]
            r2 = [(h["id"], round(h.score, 6)) for h in s2.search(q, limit=None)]
        assert r1 == r2 and r1, q


def test_merge_keeps_everything_and_writes_zh_segments(tmp_path: Path) -> None:
    docs = _docs(200, seed=5)
    ix = _build(tmp_path / "zh", ZhCodec(), docs, commits=4)
    before = _dump(ix)
    with ix.writer(codec=ZhCodec()) as w:
        w.delete_by_term("id", "d3")
        w.optimize = True  # merge every segment into one
    ix = whoosh_index.open_dir(str(tmp_path / "zh"))
    segments = ix._segments()
    assert len(segments) == 1 and isinstance(segments[0].codec(), ZhCodec)
    with ix.searcher() as s:
        assert s.doc_count() == 199
        assert {h["id"] for h in s.search(Term("body", "w1"), limit=None)} == {
            d["id"] for d in docs if "w1" in d["body"].split() and d["id"] != "d3"
        }
    assert len(before["stored"]) == 200


@pytest.mark.parametrize(
    ("fmt", "ids", "weights", "values", "positions"),
    [
        (Frequency(), [5], [1.0], [b"\x00\x00\x00\x01"], None),
        (Frequency(), [0, 1, 300, 70000, 2**32 + 5], [3.0, 1.0, 1.0, 2.0, 9.0], None, None),
        (Frequency(field_boost=1.5), [1, 2], [1.5, 3.0], [b"\x00\x00\x00\x01", b"\x00\x00\x00\x02"], None),
        (Positions(), [2, 9], [2.0, 1.0], None, [[0, 7], [65536]]),
        (Positions(field_boost=2.0), [2, 9], [4.0, 2.0], None, [[3, 7], [1000000]]),
        (Characters(), [4], [1.0], [Characters().encode([(0, 1, 2)])], None),
    ],
)
def test_blocks_round_trip(fmt, ids, weights, values, positions) -> None:  # type: ignore[no-untyped-def]
    data = encode_block(fmt, ids, weights, values, positions)
    block = DecodedBlock(data, len(ids), fmt, ids[0])
    assert block.ids == list(ids)
    assert block.weights == [float(w) for w in weights]
    if positions is not None:
        assert block.has_positions and block.positions() == positions
        assert block.values() == tuple(fmt.encode(p) for p in positions)
    elif values is not None:
        assert block.values() == tuple(values)
    else:  # a frequency format: the value is the weight, not stored
        assert block.values() == tuple(pack_uint(int(w)) for w in weights)


def test_damaged_postings_are_reported(tmp_path: Path) -> None:
    ix = _build(tmp_path / "zh", ZhCodec(), _docs(50))
    with ix.reader() as r:
        m = r.postings("body", "w0")
        assert isinstance(m, ZhLeafMatcher)
        postfile, start = m._postfile, m._startoffset
        assert postfile.get(start, 4) == MAGIC
        with pytest.raises(CorruptIndexError, match="reindex --full"):
            ZhLeafMatcher(postfile, start + 1, 10, m.format)


def test_block_table_lists_every_block(tmp_path: Path) -> None:
    ix = _build(tmp_path / "zh", ZhCodec(blocklimit=128), _docs(600, seed=11))
    with ix.reader() as r:
        m = r.postings("body", "w1")
        maxids, offsets = m.block_table()
        seen = []
        while m.is_active():
            seen.append(m.block_max_id())
            m._next_block()
        assert maxids == seen and len(maxids) > 2 and len(offsets) == len(maxids)


def test_project_schema_formats_are_stored_compactly(tmp_path: Path) -> None:
    """The unit fields' positions need no pickles: the block data of a common character is typed arrays."""
    schema = make_schema()
    assert type(schema["body_ng"].format) is Positions and type(schema["body"].format) is Frequency
    ix = whoosh_index.create_in(str(tmp_path), schema)
    with ix.writer(codec=ZhCodec()) as w:
        for i in range(3):
            text = "中国中国，中国" * (i + 1)
            w.add_document(id=f"a{i}", title="标题", body=text, body_ng=text)
    with ix.reader() as r:
        m = r.postings("body_ng", "中")
        assert m.value_as("positions") == [0, 2, 5]
        m._read_data()
        assert m._block.has_positions
        assert m._block._data[:1] != b"\x80"  # not a pickle
        m.next()
        assert m.value_as("positions") == [0, 2, 5, 7, 9, 12]


def _news(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    filler = "经济发展改革开放创新科技农业粮食丰收乡村振兴城市交通生态环境保护的了和是在有"
    docs = []
    for i in range(n):
        body = "".join(rng.choice(filler) for _ in range(rng.randint(20, 120)))
        if i % 5 == 0:
            body += "，中国式现代化道路越走越宽。"
        elif i % 5 == 1:
            body += "。中国的现代化，方式多样。"
        docs.append(
            {
                "id": f"n{seed}-{i}",
                "title": f"标题{i}",
                "body": body,
                "published": f"2024-01-{1 + i % 28:02d}",
            }
        )
    return docs


def test_an_index_of_the_previous_format_stays_searchable_also_mixed(tmp_path: Path) -> None:
    """Indexes written by the previous release (Whoosh's W3 postings) are read as they are, and segments of
    both formats answer one query together (an incremental reindex adds ZhCodec segments to such an index)."""
    from conftest import build_index, write_jsonl

    from indexer.articles import Article
    from indexer.store import publish_generation
    from indexer.writer import article_document
    from search import Searcher

    old_docs, new_docs = _news(300, 1), _news(200, 2)
    queries = ['"中国式现代化"', '"现代化"', "中国 现代化", "经济", '"越走越宽" -标题3']

    def add(ix: whoosh_index.Index, docs: list[dict], codec: object) -> None:
        with ix.writer(codec=codec) as w:
            for d in docs:
                published = date.fromisoformat(d["published"])
                article = Article(d["id"], d["title"], d["body"], published=published, path="/x", line=1)
                w.add_document(**article_document(article, "1:2"))

    def results(searcher: Searcher) -> dict[str, list[str]]:
        return {q: [h.id for h in searcher.search(q, per_page=50).hits] for q in queries}

    index_dir = tmp_path / "old"
    building = index_dir / "gen-000001.building"
    building.mkdir(parents=True)
    ix = whoosh_index.create_in(str(building), make_schema())
    add(ix, old_docs, W3Codec())
    publish_generation(index_dir, building, 1)
    fresh = build_index([write_jsonl(tmp_path / "a" / "old.jsonl", old_docs)], tmp_path / "fresh")
    old = Searcher(index_dir, cache_size=0)
    assert results(old) == results(Searcher(fresh, cache_size=0))
    assert len(results(old)['"中国式现代化"']) == 50  # 60 articles hold it

    live = whoosh_index.open_dir(str(index_dir / "gen-000001"))
    add(live, new_docs, ZhCodec())
    codecs = {
        type(seg.codec()).__name__ for seg in whoosh_index.open_dir(str(index_dir / "gen-000001"))._segments()
    }
    assert codecs == {"W3Codec", "ZhCodec"}
    both = build_index([write_jsonl(tmp_path / "b" / "all.jsonl", old_docs + new_docs)], tmp_path / "both")
    mixed = Searcher(index_dir, cache_size=0)
    mixed.refresh()
    got, want = results(mixed), results(Searcher(both, cache_size=0))
    assert {q: set(ids) for q, ids in got.items()} == {q: set(ids) for q, ids in want.items()}
    assert mixed.search('"中国式现代化"').total == 100
