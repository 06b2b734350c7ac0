"""The fast full-build path writes exactly the index Whoosh's own writer writes for the same documents."""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.analysis import unit_positions, units
from indexer.articles import CHINA_TZ, Article
from indexer.schema import make_schema
from indexer.segments.fastbuild import ParallelSegmentBuilder
from indexer.writer import article_document

DOCS = [
    Article(
        "a1",
        "公安部：坚决摧毁境外诈骗窝点",
        "公安部召开发布会。\n對境外詐騙窩點，全面開展國際執法合作！",
        source="新华社",
        published=datetime(2025, 3, 6, 14, 15, tzinfo=CHINA_TZ),
        tags=["公安部", "电信诈骗"],
        path="/x/a.jsonl",
        line=1,
    ),
    Article(
        "a2",
        "iPhone 16 发布",
        "苹果公司发布 iPhone 16，支持5G网络。COVID-19 之后……",
        source="中新社",
        category="科技",
        published=date(2024, 9, 10),
        path="/x/a.jsonl",
        line=2,
    ),
    Article("a3", "空正文", "", url="https://example.com/3", path="/x/b.txt", line=1),
    Article(
        "a4",
        "香港零售业销货额下跌",
        "香港特区政府统计处3日发表最新的零售业销货额数字，较2023年全年下跌7.3%。" * 20,
        partial=True,
        published=date(2025, 2, 4),
        path="/x/b.txt",
        line=38,
    ),
]


def _dump(ix) -> dict:
    out: dict = {"stored": [], "postings": {}, "lengths": {}, "terms": {}, "field_length": {}}
    with ix.reader() as r:
        out["doc_count"] = r.doc_count()
        for docnum in range(r.doc_count_all()):
            out["stored"].append(r.stored_fields(docnum))
        for fieldname in r.schema.names():
            field = r.schema[fieldname]
            if not field.indexed:
                continue
            if field.scorable:
                # whoosh3 answers None or 0 for "no length" depending on the segment: both mean 0
                out["lengths"][fieldname] = [
                    r.doc_field_length(d, fieldname) or 0 for d in range(r.doc_count_all())
                ]
            for term in r.lexicon(fieldname):
                m = r.postings(fieldname, term)
                rows = []
                while m.is_active():
                    row = (m.id(), m.weight())
                    if field.format.supports("positions"):
                        row += (tuple(m.value_as("positions")),)
                    rows.append(row)
                    m.next()
                out["postings"][(fieldname, term)] = rows
                out["terms"][(fieldname, term)] = (
                    r.doc_frequency(fieldname, term),
                    r.frequency(fieldname, term),
                )
            out["field_length"][fieldname] = r.field_length(fieldname)
        for fieldname in ("id", "source", "published", "year", "path", "sig"):
            col = r.column_reader(fieldname, translate=False)
            out[f"col:{fieldname}"] = [col[d] for d in range(r.doc_count_all())]
    return out


def _many_docs(n: int) -> list[Article]:
    rng = random.Random(5)
    words = "经济 发展 改革 开放 创新 科技 农业 粮食 丰收 乡村 振兴 城市 交通 高铁 生态 环境 保护 长江 黄河 的 了".split()
    return [
        Article(
            f"m{i}",
            "".join(rng.choices(words, k=4)),
            "，".join("".join(rng.choices(words, k=rng.randint(1, 12))) for _ in range(rng.randint(0, 6))),
            source=rng.choice(["新华社", "中新社", ""]) or None,
            published=date(2020, 1 + i % 12, 1 + i % 28) if i % 7 else None,
            path="/x/m.jsonl",
            line=i + 1,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("jobs", "chunk_docs", "merge", "articles"),
    [
        (1, 100, True, "DOCS"),
        (2, 2, True, "DOCS"),  # two segments, merged
        (2, 2, False, "DOCS"),  # two segments
        (1, 1, True, "DOCS"),  # one segment per document, merged
        (2, 150, True, "many"),  # posting lists of two blocks in every chunk, merged
        (2, 150, None, "many"),  # three segments for two workers: merged
        (2, 200, None, "many"),  # one segment per worker: not merged
    ],
)
def test_fast_build_equals_whoosh_writer(
    tmp_path: Path, jobs: int, chunk_docs: int, merge: bool | None, articles: str
) -> None:
    docs = [article_document(a, "1:2") for a in (DOCS if articles == "DOCS" else _many_docs(400))]
    ref_dir, fast_dir = tmp_path / "ref", tmp_path / "fast"
    ref_dir.mkdir()
    fast_dir.mkdir()
    ref = whoosh_index.create_in(str(ref_dir), make_schema())
    with ref.writer() as w:
        for doc in docs:
            w.add_document(**doc)
    whoosh_index.create_in(str(fast_dir), make_schema()).close()
    builder = ParallelSegmentBuilder(str(fast_dir), jobs, chunk_docs=chunk_docs, merge=merge)
    for doc in docs:
        builder.add_document(**doc)
    assert builder.commit() == len(docs)
    fast = whoosh_index.open_dir(str(fast_dir))
    chunks = -(-len(docs) // chunk_docs)
    merged = merge or (merge is None and chunks > jobs)
    assert len(fast._segments()) == (1 if merged else chunks)
    if articles == "many":
        assert max(len(rows) for rows in _dump(fast)["postings"].values()) > 3 * 128
    expected, got = _dump(ref), _dump(fast)
    assert got["postings"].keys() == expected["postings"].keys()
    assert got == expected


@pytest.mark.parametrize(
    "text", ["欺诈，騙窝点", "打、、！追", "iPhone 16, COVID-19疫情😀", "", "，，a", "㎏級ＡＢＣ", "中文゠国"]
)
def test_unit_positions_agree_with_units(text: str) -> None:
    us = units(text)
    poses: dict[str, list[int]] = {}
    for u in us:
        poses.setdefault(u.text, []).append(u.pos)
    assert unit_positions(text) == (len(us), poses)


@pytest.mark.parametrize(
    "text",
    [
        "公安部召开发布会。\n對境外詐騙窩點，全面開展國際執法合作！",
        "中华人民共和国国务院新闻办公室和中国农业发展银行的发言人",
        "iPhone 16 发布，支持5G网络。COVID-19 之后……的了和",
        "，。！？……  ",
        "",
    ],
)
def test_word_texts_are_the_words_of_the_analyzer(text: str) -> None:
    """The writer's fast word path (``cut_for_search``) counts exactly the words the analyzer yields."""
    from indexer.analysis import ChineseTokenizer

    tokenizer = ChineseTokenizer(())
    assert sorted(tokenizer.word_texts(text)) == sorted(w.text for w in tokenizer.words(text))
