"""A fixed relevance check over the shipped sample: pinned top-3 ids, so that a ranking change shows in review.

The sample (``index_data/articles/``: 1,104 Chinese Wikipedia passages and a saved news page) is indexed once
for the module. When a deliberate ranking change moves these pins, update them and say why in the commit;
the measured effect of ranking changes is in ``bench/results/relevance.md`` (``make relevance``).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from search import Searcher
from search.nodes import Scaled, Term
from search.questionwords import is_question_word, known_parts, relaxed_words
from search.ranking import RARITY, Coordinated
from search.scoring import rarity_factor

SAMPLE = Path(__file__).resolve().parent.parent / "index_data" / "articles"
PORTAL = "u5e07e22f44237de1ec48"  # the saved portal page (公安部 press release)

# (query, relaxed fallback used, top-3 ids)
PINNED = [
    # keywords: all words must match
    ("战国无双", False, ["cmrc-DEV_0"]),
    ("香港 巴士", False, ["cmrc-DEV_637", "cmrc-DEV_517", "cmrc-TRIAL_631"]),
    ("足球 俱乐部", False, ["cmrc-DEV_1153", "cmrc-DEV_1131", "cmrc-DEV_1139"]),
    ("天竺鲷", False, ["cmrc-DEV_1559", "cmrc-DEV_1561", "cmrc-DEV_1564"]),
    ("鹦嘴鱼 颜色", False, ["cmrc-DEV_551"]),
    ("电信网络诈骗", False, [PORTAL]),
    ("title:香港", False, ["cmrc-DEV_187", "cmrc-DEV_302", "cmrc-DEV_544"]),
    ("香港 -巴士", False, ["cmrc-DEV_544", "cmrc-DEV_545", "cmrc-DEV_294"]),
    # an exact phrase
    ('"九龙城"', False, ["cmrc-DEV_252", "cmrc-DEV_570", "cmrc-TRIAL_425"]),
    # traditional characters, simplified articles
    ("戰國無雙", False, ["cmrc-DEV_0"]),
    ("九龍巴士", False, ["cmrc-DEV_637", "cmrc-DEV_158", "cmrc-DEV_1504"]),
    # questions: no article holds every word, the relaxed fallback ranks
    # long queries (questions) are ranked by search.ranking: the partial matches below the first changed with it,
    # and again with the rarity factor (the third, an unrelated passage holding 公司 and 开发, is another such)
    ("《战国无双3》是由哪两个公司合作开发的？", True, ["cmrc-DEV_0", "cmrc-DEV_488", "cmrc-DEV_1029"]),
    ("锣鼓经是什么？", True, ["cmrc-DEV_1"]),  # 什么 is a question word: 锣鼓经 alone
    ("银汉鱼分布在哪里？", True, ["cmrc-DEV_266", "cmrc-DEV_318", "cmrc-DEV_283"]),
    # a name the question segments as an unknown word (梦野久): matched as exact characters
    ("梦野久作出生在什么地方？", True, ["cmrc-DEV_272", "cmrc-DEV_605", "cmrc-DEV_1503"]),
    ("邵伯温的父亲名字叫什么？", True, ["cmrc-DEV_257", "cmrc-DEV_1090", "cmrc-DEV_218"]),
]


@pytest.fixture(scope="module")
def sample_searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    from indexer.analysis import read_userdict
    from indexer.writer import reindex

    index_dir = tmp_path_factory.mktemp("relevance") / "index"
    reindex([SAMPLE], index_dir, jobs=1, userdict=read_userdict(SAMPLE.parent / "userdict.txt"))
    return Searcher(index_dir)


@pytest.mark.parametrize(("query", "relaxed", "top"), PINNED, ids=[p[0] for p in PINNED])
def test_pinned_top3(sample_searcher: Searcher, query: str, relaxed: bool, top: list[str]) -> None:
    result = sample_searcher.search(query, per_page=3)
    assert [h.id for h in result.hits] == top
    assert result.relaxed is relaxed


def test_question_words() -> None:
    assert all(is_question_word(w) for w in ["什么", "哪一年", "哪些地方", "谁", "为什么", "是否", "多少"])
    assert not any(is_question_word(w) for w in ["哪吒都市报", "公司", "时间", "北京"])


def test_relaxed_words_drop_question_words_unless_nothing_else() -> None:
    assert relaxed_words(["北京", "冬奥会", "哪一年", "举办"]) == [
        ("北京", False),
        ("冬奥会", False),
        ("举办", False),
    ]
    assert relaxed_words(["为什么", "什么"]) == [("为什么", False), ("什么", False)]


def test_unknown_words_exact_and_split_into_known_pieces() -> None:
    known = {"乙二醛", "二醛", "乙二", "白岳峰", "亲王", "工业", "制得"}
    df = lambda w: 1 if w in known else 0  # noqa: E731
    assert known_parts("上乙二醛", df) == ["乙二醛"]
    assert known_parts("白岳峰现", df) == ["白岳峰"]
    assert known_parts("未知词语", df) == []
    assert known_parts("iphone15", df) == []  # not Chinese: left whole
    question = ["工业", "上乙二醛", "怎么", "制得"]
    assert relaxed_words(question, df) == [
        ("工业", False),
        ("上乙二醛", True),
        ("乙二醛", False),
        ("制得", False),
    ]
    assert relaxed_words(["iphone15", "亲王"], df) == [("iphone15", False), ("亲王", False)]


def test_rarity_factor_weighs_rare_words_of_a_partial_match_more() -> None:
    idf = lambda df, n=22_000: math.log(1 + (n - df + 0.5) / (df + 0.5))  # noqa: E731
    rare, tenth, half = (rarity_factor(idf(df), RARITY) for df in (10, 2_200, 11_000))
    assert rare == pytest.approx(0.782, abs=1e-3) and tenth == pytest.approx(0.486, abs=1e-3)
    assert half == pytest.approx(0.168, abs=1e-3)
    assert rarity_factor(idf(10), 0.0) == 1.0
    words = (Term("body", "约旦河西岸"), Term("body", "局势"))
    node = Coordinated(words, (idf(10), idf(2_200)), required=2, power=0.5)
    assert node.children == (Scaled(words[0], scale=rare), Scaled(words[1], scale=tenth))
    assert Coordinated(words, (1.0, 1.0), required=2, rarity=0.0).children == words
