"""The Chinese analyzers: exact token lists, positions, offsets, pickling, phrase search through Whoosh."""

from __future__ import annotations

import pickle

import pytest
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import Phrase

from indexer.analysis import (
    ChineseAnalyzer,
    UnitAnalyzer,
    dict_fingerprint,
    read_userdict,
    units,
)
from indexer.normalize import fold, fold_with_offsets

USERDICT = (("缅北", None, None), ("电信网络诈骗", None, None), ("四大家族", None, None))


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("中国农业发展银行", ["中国", "农业", "发展", "银行", "农业发展银行"]),
        # traditional folds to simplified
        ("國際電信網絡詐騙", ["国际", "电信", "国际电信", "网络", "诈骗"]),
        ("国际电信网络诈骗", ["国际", "电信", "国际电信", "网络", "诈骗"]),
        # full-width letters and digits: NFKC + lower case
        ("ＡＢＣ１２３", ["abc123"]),
        ("iPhone 16 发布", ["iphone", "16", "发布"]),
        ("COVID-19 疫情", ["covid", "covid-19", "疫情"]),
        ("5G网络覆盖2024年", ["5g", "网络", "覆盖", "网络覆盖", "2024", "年"]),
        # emoji and punctuation make no token
        ("今天天气很好😀🎉", ["今天", "天天", "天气", "今天天气", "很", "好"]),
        (
            "公安部：坚决摧毁境外诈骗窝点！",
            ["公安", "安部", "公安部", "坚决", "摧毁", "境外", "诈骗", "窝点"],
        ),
        ("Ｈｅｌｌｏ，世界。", ["hello", "世界"]),
        # single letters and digits are kept
        ("A股 B 7 天", ["a", "股", "b", "7", "天"]),
        ("", []),
        ("   \n\t", []),
        ("😀！？。，", []),
        # stop words are dropped
        ("的", []),
        ("这是我的书", ["我", "书"]),
        ("马克思主义", ["马克", "主义", "马克思", "马克思主义"]),
        ("乾隆 頭髮", ["乾隆", "头发"]),
    ],
)
def test_word_tokens(text: str, tokens: list[str]) -> None:
    assert [t.text for t in ChineseAnalyzer()(text)] == tokens


@pytest.mark.parametrize(
    ("text", "plain", "with_dict"),
    [
        ("电信网络诈骗", ["电信", "网络", "诈骗"], ["电信", "网络", "诈骗", "电信网", "电信网络诈骗"]),
        ("缅北果敢", ["缅北", "果敢"], ["缅北", "果敢"]),
    ],
)
def test_user_dictionary_keeps_words_whole(text: str, plain: list[str], with_dict: list[str]) -> None:
    assert [t.text for t in ChineseAnalyzer()(text)] == plain
    assert [t.text for t in ChineseAnalyzer(USERDICT)(text)] == with_dict


def test_positions_base_words_are_consecutive_and_subwords_share_their_base() -> None:
    got = [(t.text, t.pos) for t in ChineseAnalyzer()("中国农业发展银行在公安部", positions=True)]
    # 在 is a stop word: dropped, but it keeps its position (公安部 is 3, not 2)
    assert got == [
        ("中国", 0),
        ("农业", 1),
        ("发展", 1),
        ("银行", 1),
        ("农业发展银行", 1),
        ("公安", 3),
        ("安部", 3),
        ("公安部", 3),
    ]


def test_start_pos_and_start_char_are_honoured() -> None:
    got = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in ChineseAnalyzer()("公安部", positions=True, chars=True, start_pos=10, start_char=100)
    ]
    assert got == [("公安", 10, 100, 102), ("安部", 10, 101, 103), ("公安部", 10, 100, 103)]


def test_character_offsets_point_into_the_original_text() -> None:
    text = "㎏級ＡＢＣ國際新聞"  # ㎏ folds to two characters: the offsets must still point into `text`
    toks = [(t.text, t.startchar, t.endchar) for t in ChineseAnalyzer()(text, chars=True)]
    for word, start, end in toks:
        assert fold(text[start:end]).replace(" ", "") == word
    assert ("国际", 5, 7) in toks
    assert ("新闻", 7, 9) in toks
    assert ("kg", 0, 1) in toks


def test_keep_stops_when_asked() -> None:
    assert [t.text for t in ChineseAnalyzer()("的", removestops=False)] == ["的"]


def test_tokenize_false_passes_the_value_through() -> None:
    assert [t.text for t in ChineseAnalyzer()("原样", tokenize=False)] == ["原样"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("诈骗窝点", [("诈", 0), ("骗", 1), ("窝", 2), ("点", 3)]),
        # punctuation ends a run and leaves a one-position gap
        ("打、追", [("打", 0), ("追", 2)]),
        ("打、、！追", [("打", 0), ("追", 2)]),
        # whitespace and connectors separate nothing; runs of letters and digits are one unit
        ("iPhone 16", [("iphone", 0), ("16", 1)]),
        ("COVID-19疫情", [("covid", 0), ("19", 1), ("疫", 2), ("情", 3)]),
        ("國際", [("国", 0), ("际", 1)]),
        ("😀", []),
        ("", []),
    ],
)
def test_phrase_unit_tokens(text: str, expected: list[tuple[str, int]]) -> None:
    assert [(t.text, t.pos) for t in UnitAnalyzer()(text, positions=True)] == expected


def test_units_offsets_and_runs() -> None:
    us = units("欺诈，騙窝点")
    assert [(u.text, u.pos, u.start, u.end, u.run) for u in us] == [
        ("欺", 0, 0, 1, 0),
        ("诈", 1, 1, 2, 0),
        ("骗", 3, 3, 4, 1),
        ("窝", 4, 4, 5, 1),
        ("点", 5, 5, 6, 1),
    ]


def _phrase_index(docs: dict[str, str]):
    schema = Schema(id=ID(stored=True), body_ng=TEXT(analyzer=UnitAnalyzer(), phrase=True))
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        for doc_id, text in docs.items():
            w.add_document(id=doc_id, body_ng=text)
    return ix


def test_phrase_search_over_grams_is_exact_where_segmentation_is_not() -> None:
    docs = {
        "a": "警方摧毁境外诈骗窝点多个。",
        "b": "他们以欺诈骗窝点为生。",  # jieba cuts 欺诈/骗/窝点, yet the text contains 诈骗窝点
        "c": "诈骗分子藏在窝点里。",  # both words, not contiguous
        "d": "诈骗、窝点",  # separated by punctuation
    }
    ix = _phrase_index(docs)
    terms = [t.text for t in UnitAnalyzer()("诈骗窝点")]
    with ix.searcher() as s:
        hits = sorted(h["id"] for h in s.search(Phrase("body_ng", terms), limit=None))
    assert hits == ["a", "b"]
    assert hits == sorted(k for k, v in docs.items() if "诈骗窝点" in v)


def test_analyzers_pickle_without_the_segmenter_and_keep_their_dictionary() -> None:
    a = ChineseAnalyzer(USERDICT)
    b = pickle.loads(pickle.dumps(a))
    assert b == a
    assert b.userdict == USERDICT
    assert "电信网络诈骗" in [t.text for t in b("电信网络诈骗")]
    assert len(pickle.dumps(a)) < 1000


def test_fingerprint_changes_with_the_dictionary() -> None:
    assert dict_fingerprint(()) != dict_fingerprint(USERDICT)
    assert dict_fingerprint(USERDICT) == ChineseAnalyzer(USERDICT).fingerprint


def test_read_userdict_formats(tmp_path) -> None:
    p = tmp_path / "userdict.txt"
    p.write_text("# comment\n缅北\n电信网络诈骗 50\n四大家族 20 nz\n\n", encoding="utf-8")
    assert read_userdict(p) == (("缅北", None, None), ("电信网络诈骗", 50, None), ("四大家族", 20, "nz"))
    assert read_userdict(tmp_path / "missing.txt") == ()
    p.write_text("a b c d\n", encoding="utf-8")
    with pytest.raises(ValueError, match="userdict.txt:1"):
        read_userdict(p)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("國際ＡＢＣ１２３", "国际abc123"),
        ("Hello，世界", "hello,世界"),
        ("臺灣", "台湾"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_offsets_identity_and_expansion() -> None:
    assert fold_with_offsets("国际新闻") == ("国际新闻", None)
    folded, offsets = fold_with_offsets("5㎏米")
    assert folded == "5kg米"
    assert offsets == [0, 1, 1, 2, 3]
