"""The search engine over the search test corpus: semantics, phrases, scripts, fallback, facets, paging, sorting."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from itertools import product

import pytest
from conftest import SEARCH_CORPUS
from web_fixtures import SEARCH_KEYS

from indexer.normalize import fold
from search import (
    InvalidParameterError,
    PageOutOfRangeError,
    QueryTooLongError,
    Searcher,
    SearchError,
)

CORPUS = [json.loads(line) for line in SEARCH_CORPUS.read_text(encoding="utf-8").splitlines()]
SCAM = {"n01", "n02", "n03", "n04", "n14", "n15", "n21"}  # articles with the word 诈骗


def ids(searcher: Searcher, query: str, **kwargs: object) -> set[str]:
    """Every match (the copies of a story too: these tests pin what matches, tests/test_collapse.py the rest)."""
    kwargs.setdefault("collapse", False)
    result = searcher.search(query, per_page=50, **kwargs)  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return {h.id for h in result.hits}


def ranked(searcher: Searcher, query: str, **kwargs: object) -> list[str]:
    kwargs.setdefault("collapse", False)
    return [h.id for h in searcher.search(query, per_page=50, **kwargs).hits]  # type: ignore[arg-type]


# (query, expected ids) -- every case checked by hand against tests/fixtures/search/news.jsonl
SEMANTICS = [
    ("诈骗", SCAM),
    ("电信诈骗", {"n01", "n04", "n14", "n15", "n21"}),
    ("电信 诈骗", {"n01", "n04", "n14", "n15", "n21"}),
    ("電信詐騙", {"n01", "n04", "n14", "n15", "n21"}),  # traditional query, simplified articles
    ("电信网络诈骗", {"n01", "n04", "n14"}),  # simplified query, a traditional article (n04)
    ("电信 OR 诈骗", SCAM),
    ("电信 | 女排", {"n01", "n04", "n09", "n14", "n15", "n21"}),
    ("诈骗 -缅北", SCAM - {"n02"}),
    ('诈骗 -"诈骗窝点"', SCAM - {"n01", "n03"}),
    ("(缅北 OR 女排) -诈骗", {"n09", "n17"}),
    ("诈骗 -(缅北 OR 中国)", SCAM - {"n02", "n14", "n21"}),
    ("诈骗 NOT 缅北", SCAM - {"n02"}),
    ("title:诈骗", {"n01", "n02", "n04", "n15"}),
    ("title:(电信 OR 天气)", {"n04", "n14", "n15", "n21", "tie-a", "tie-b"}),
    ("-title:诈骗 诈骗", {"n03", "n14", "n21"}),
    ("source:新华社", {"n01", "n03", "n08", "n17", "n18", "n21"}),
    ("source:新华", {"n01", "n03", "n08", "n17", "n18", "n21"}),  # no exact value: values containing it
    ("source:新华社 诈骗", {"n01", "n03", "n21"}),
    ("source:(央视网 OR 人民日报) 诈骗", {"n02", "n14", "n15"}),
    ("诈骗 -source:新华社", {"n02", "n04", "n14", "n15"}),
    ("category:国际", {"n17"}),
    ("category:国内 date:2025", {"n01", "n02"}),
    ("date:2023", {"n07", "n17", "n19"}),
    ("date:2024-01-01", {"n18"}),  # 00:30 China time, still 2023 in UTC
    ("date:2023-12-31", {"n19"}),  # 23:50 China time
    ("date:2025-03-06", {"n01", "n02"}),  # n02 at 23:30 China time
    ("date:..2018", {"n06"}),
    ("诈骗 date:2025", {"n01", "n02", "n21"}),
    ("诈骗 -date:2025", {"n03", "n04", "n14", "n15"}),
    ("date:2024-01..2024-02 OR 女排", {"n09", "n14", "n15", "n18"}),
    ("马克思", {"n06"}),
    ("马克·吐温", {"n07"}),
    ("公安部", {"n01"}),
    ("公安", {"n01", "n02", "n16"}),
    ("AI", {"n12"}),
    ("ａｉ", {"n12"}),
    ("said", {"n12"}),
    ("sai", set()),
    ("iphone 16", {"n20"}),
    ("天气", {"tie-a", "tie-b"}),
    # nothing positive: no hits, never everything
    ("", set()),
    ("   ", set()),
    ("的", set()),
    ("的 了 和", set()),
    ("！！！？？？……", set()),
    ("😀😀😀", set()),
    ("-诈骗", set()),
    ("-诈骗 -缅北", set()),
    ("-source:新华社", set()),
    ("source:不存在的来源", set()),
    ("source:不存在的来源 诈骗", set()),
    ("source:不存在的来源 OR 缅北", {"n02", "n17"}),
    ("缅北 OR -诈骗", {"n02", "n17"}),  # an alternative that is only an exclusion is dropped
    # malformed input, read literally
    ('"诈骗窝点', {"n01", "n03"}),
    ("(电信 诈骗", {"n01", "n04", "n14", "n15", "n21"}),
    ("缅北 OR", {"n02", "n17"}),
    ("title: 缅北", {"n02", "n17"}),  # "title" is a word no article has... and dropped? see below
    ("date:2024-13 天气", {"tie-a", "tie-b"}),  # the words date, 2024, 13 match nothing: relaxed to 天气
]


@pytest.mark.parametrize(("query", "expected"), SEMANTICS, ids=[q or "<empty>" for q, _ in SEMANTICS])
def test_semantics(news_searcher: Searcher, query: str, expected: set[str]) -> None:
    assert ids(news_searcher, query) == expected
    if query in ("title: 缅北", "date:2024-13 天气"):
        # "title", "date", "2024-13" are ordinary words here; no article has them all: the fallback answers
        assert news_searcher.search(query).relaxed


WORDS = ["诈骗", "缅北", "电信", "中国", "公安", "女排", '"诈骗窝点"', "title:电信", "date:2024"]


@pytest.mark.parametrize(("a", "b"), list(product(WORDS, WORDS)))
def test_boolean_algebra(news_searcher: Searcher, a: str, b: str) -> None:
    sa, sb = ids(news_searcher, a), ids(news_searcher, b)
    for query, expected in ((f"{a} OR {b}", sa | sb), (f"{a} -{b}", sa - sb), (f"{a} {b}", sa & sb)):
        result = news_searcher.search(query, per_page=50, collapse=False)
        if result.relaxed:  # the fallback answers only when the strict query has no hit
            assert not expected, query
        else:
            assert {h.id for h in result.hits} == expected, query


PHRASES = [
    "诈骗窝点",
    "电信诈骗",
    "电信网络诈骗",
    "網絡詐騙",
    "中国电信",
    "诈骗",
    "窝点",
    "骗窝",
    "欺诈",
    "女排",
    "天气预报",
    "公安机关",
    "国内生产总值",
    "中国女排3比1",
    "5.3%",
    "iphone",
    "新年",
    "的",
]


def substring_scan(phrase: str) -> set[str]:
    """Articles whose folded title or body contains the folded phrase (whitespace ignored, as in the index)."""
    want = re.sub(r"\s+", "", fold(phrase))
    return {
        a["id"]
        for a in CORPUS
        if any(want in re.sub(r"\s+", "", fold(a.get(f, ""))) for f in ("title", "body"))
    }


@pytest.mark.parametrize("phrase", PHRASES)
def test_phrase_hits_equal_substring_scan(news_searcher: Searcher, phrase: str) -> None:
    expected = substring_scan(phrase)
    for quote in ('"{}"', "“{}”", "「{}」"):
        assert ids(news_searcher, quote.format(phrase)) == expected, quote.format(phrase)


def test_phrase_inside_other_words() -> None:
    # 欺诈骗窝点 is cut 欺诈/骗/窝点 by jieba, yet the phrase 诈骗窝点 is in it
    assert "n03" in substring_scan("诈骗窝点")
    assert "n03" in substring_scan("骗窝")


def test_phrase_in_title_only(news_searcher: Searcher) -> None:
    assert ids(news_searcher, 'title:"诈骗窝点"') == {"n01"}
    assert ids(news_searcher, 'title:"电信诈骗"') == {"n15"}


def test_phrase_with_punctuation_inside_is_the_text_as_typed(news_searcher: Searcher) -> None:
    assert ids(news_searcher, '"诈骗" "窝点"')  # both parts, apart
    assert substring_scan("诈骗，窝点") == set()
    assert news_searcher.search('"诈骗，窝点"').relaxed  # no article holds it: the fallback's words answer


def test_traditional_and_simplified_both_ways(news_searcher: Searcher) -> None:
    assert ids(news_searcher, '"电信网络诈骗"') == {"n01", "n04"}
    assert ids(news_searcher, '"電信網絡詐騙"') == {"n01", "n04"}
    hit = next(h for h in news_searcher.search("电信网络诈骗").hits if h.id == "n04")
    assert hit.title_html == "警方破獲<mark>電信網絡詐騙</mark>集團"


# -- ranking --------------------------------------------------------------------------------------------------


def test_words_together_rank_above_scattered(news_searcher: Searcher) -> None:
    order = ranked(news_searcher, "电信诈骗")
    assert order[0] == "n15"  # 电信诈骗 in title and body
    assert order.index("n15") < order.index("n14")  # n14: 中国电信 ... 网络诈骗


def test_title_matches_rank_above_body_matches(news_searcher: Searcher) -> None:
    order = ranked(news_searcher, "电信")
    assert order[-1] == "n01"  # the only one with 电信 in the body alone


def test_scores_pinned(news_searcher: Searcher) -> None:
    # pinned so that a ranking change shows; update deliberately
    hits = news_searcher.search("电信诈骗").hits
    assert [(h.id, round(h.score, 2)) for h in hits] == [
        ("n15", 14.21),  # 7.10 for the words, x2: 电信诈骗 stands together in title and body
        ("n04", 6.5),
        ("n01", 6.08),
        ("n14", 5.52),
        ("n21", 5.3),
    ]


# -- relaxed fallback -----------------------------------------------------------------------------------------


def test_relaxed_fallback_for_questions(news_searcher: Searcher) -> None:
    result = news_searcher.search("哪个国家的女排被中国队战胜了？")
    assert result.relaxed
    assert result.hits[0].id == "n09"
    result = news_searcher.search("冒充客服诈骗的窝点在哪里")
    assert result.relaxed and result.hits[0].id == "n15"


def test_relaxed_ranks_by_number_of_words(news_searcher: Searcher) -> None:
    result = news_searcher.search("女排 巴西 诈骗 缅北 窝点")
    assert result.relaxed
    order = [h.id for h in result.hits]
    # n02 has 诈骗 and 缅北; n01 诈骗 and 窝点; n09 女排 and 巴西: all above the one-word articles
    assert set(order[:4]) >= {"n01", "n02", "n09"}
    assert order.index("n02") < order.index("n21") and order.index("n09") < order.index("n14")


def test_relaxed_loosens_phrases_and_keeps_filters(news_searcher: Searcher) -> None:
    result = news_searcher.search('"中国女排战胜"')
    assert result.relaxed and [h.id for h in result.hits][0] == "n09"
    assert news_searcher.search("女排 巴西 日本 source:新华社").total == 0
    result = news_searcher.search("诈骗 足球 -缅北")
    assert result.relaxed and "n02" not in {h.id for h in result.hits}
    assert not news_searcher.search("诈骗 缅北").relaxed
    assert not news_searcher.search("足球").relaxed  # one word: nothing to relax


# -- facets ---------------------------------------------------------------------------------------------------


def test_facets_count_all_matches(news_searcher: Searcher) -> None:
    result = news_searcher.search("诈骗", per_page=2)
    assert result.total == 7 and len(result.hits) == 2
    assert result.facets == {
        "source": [("新华社", 3), ("央视网", 2), ("人民日报", 1), ("香港电台", 1)],
        "category": [("国内", 4), ("财经", 2), ("港澳", 1)],
        "year": [(2025, 3), (2024, 4)],
        "month": [("2024-02", 2), ("2024-08", 1), ("2024-11", 1), ("2025-01", 1), ("2025-03", 2)],
    }


def test_facets_after_filters_and_local_year(news_searcher: Searcher) -> None:
    result = news_searcher.search("诈骗", sources=["新华社"])
    assert result.total == 3
    assert result.facets["source"] == [("新华社", 3)]
    assert news_searcher.search("铁路").facets["year"] == [(2024, 1)]  # 2024-01-01 00:30 China time
    assert news_searcher.search("人工智能").facets["year"] == []  # no date
    assert news_searcher.search("的").facets == {"source": [], "category": [], "year": [], "month": []}


@pytest.mark.parametrize(
    ("query", "months"),
    [
        ("铁路", [("2024-01", 1)]),  # 2023-12-31 16:30 UTC: January in China time
        ("跨年夜", [("2023-12", 1)]),  # 2023-12-31 23:50 China time
        ("人工智能", []),  # no date: in no month
        ("诈骗 source:新华社", [("2024-11", 1), ("2025-01", 1), ("2025-03", 1)]),
    ],
)
def test_month_facet_counts_china_time_months_oldest_first(
    news_searcher: Searcher, query: str, months: list[tuple[str, int]]
) -> None:
    assert news_searcher.search(query).facets["month"] == months


# -- filters --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"date_to": date(2025, 3, 6)}, SCAM),  # n02 is 23:30 China time on the 6th
        ({"date_from": date(2025, 3, 7)}, set()),
        ({"date_from": "2025-03-06"}, {"n01", "n02"}),
        ({"date_from": date(2024, 2, 1), "date_to": date(2024, 2, 1)}, {"n14", "n15"}),
        ({"date_to": datetime(2024, 2, 1, 12, 0)}, {"n14", "n15"}),
        ({"sources": ["央视网"]}, {"n14", "n15"}),
        ({"sources": "央视网"}, {"n14", "n15"}),
        ({"sources": ["央视网", "香港电台"]}, {"n04", "n14", "n15"}),
        ({"sources": ["央视"]}, set()),  # API filters take exact values (from the facets)
        ({"categories": ["财经"]}, {"n14", "n21"}),
        ({"categories": ["财经"], "sources": ["新华社"]}, {"n21"}),
    ],
)
def test_filters(news_searcher: Searcher, kwargs: dict[str, object], expected: set[str]) -> None:
    assert ids(news_searcher, "诈骗", **kwargs) == expected


def test_date_filters_exclude_undated(news_searcher: Searcher) -> None:
    assert ids(news_searcher, "人工智能") == {"n12"}
    assert ids(news_searcher, "人工智能", date_from="2000-01-01") == set()
    assert ids(news_searcher, "人工智能", date_to="2100-01-01") == set()


# -- pagination and sorting -----------------------------------------------------------------------------------


def test_pages(news_searcher: Searcher) -> None:
    everything = ranked(news_searcher, "诈骗")
    pages = [news_searcher.search("诈骗", page=p, per_page=3) for p in (1, 2, 3, 4)]
    assert [len(p.hits) for p in pages] == [3, 3, 1, 0]
    assert [h.id for p in pages for h in p.hits] == everything
    assert all(p.total == 7 and p.pages == 3 for p in pages)


@pytest.mark.parametrize(
    ("page", "per_page"),
    [(0, 10), (-1, 10), (1, 0), (1, 51), (101, 10), (21, 50), (1001, 1), ("2", 10), (1.5, 10), (True, 10)],
)
def test_page_out_of_range(news_searcher: Searcher, page: object, per_page: object) -> None:
    with pytest.raises(PageOutOfRangeError):
        news_searcher.search("诈骗", page=page, per_page=per_page)  # type: ignore[arg-type]


@pytest.mark.parametrize(("page", "per_page"), [(100, 10), (20, 50), (1000, 1), (1, 50), (1, 1)])
def test_last_servable_pages(news_searcher: Searcher, page: int, per_page: int) -> None:
    result = news_searcher.search("诈骗", page=page, per_page=per_page)
    assert result.page == page and result.per_page == per_page


@pytest.mark.parametrize(
    ("query", "sort", "expected"),
    [
        ("诈骗", "newest", ["n02", "n01", "n21", "n03", "n04", "n14", "n15"]),
        ("诈骗", "oldest", ["n14", "n15", "n04", "n03", "n21", "n01", "n02"]),
        ("天气", "relevance", ["tie-a", "tie-b"]),  # equal scores: by id
        ("天气", "newest", ["tie-a", "tie-b"]),
        ("天气", "oldest", ["tie-a", "tie-b"]),
        ("人工智能 OR 天气", "newest", ["tie-a", "tie-b", "n12"]),  # undated last
        ("人工智能 OR 天气", "oldest", ["tie-a", "tie-b", "n12"]),
        ("source:中央气象台", "relevance", ["tie-a", "tie-b"]),
    ],
)
def test_sort_order_and_ties(news_searcher: Searcher, query: str, sort: str, expected: list[str]) -> None:
    assert ranked(news_searcher, query, sort=sort) == expected


def test_sorted_by_date_still_scored(news_searcher: Searcher) -> None:
    by_date = {h.id: h.score for h in news_searcher.search("诈骗", sort="newest").hits}
    by_score = {h.id: h.score for h in news_searcher.search("诈骗").hits}
    assert by_date == pytest.approx(by_score)


# -- errors ---------------------------------------------------------------------------------------------------


def test_query_length_limit(news_searcher: Searcher) -> None:
    assert news_searcher.search("诈" * 256).total == 0  # 诈 alone is no indexed word
    assert ids(news_searcher, "诈骗" * 128) == SCAM  # 256 characters: still a query
    assert ids(news_searcher, " " * 10 + "诈骗" * 128 + " " * 10) == SCAM  # surrounding spaces do not count
    with pytest.raises(QueryTooLongError, match="257 characters"):
        news_searcher.search("诈" * 257)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sort": "popular"},
        {"date_from": "2024-13-01"},
        {"date_to": "yesterday"},
        {"date_from": date(2025, 1, 2), "date_to": date(2025, 1, 1)},
    ],
)
def test_invalid_parameters(news_searcher: Searcher, kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidParameterError):
        news_searcher.search("诈骗", **kwargs)  # type: ignore[arg-type]


def test_errors_share_a_base_class_and_a_status() -> None:
    from indexer.store import NoIndexError as StoreNoIndexError
    from search import IndexUnavailableError, NoIndexError, QueryError

    for cls in (QueryTooLongError, PageOutOfRangeError, InvalidParameterError):
        assert issubclass(cls, QueryError) and issubclass(cls, SearchError) and cls.status == 400
    assert issubclass(NoIndexError, IndexUnavailableError) and NoIndexError.status == 503
    assert issubclass(NoIndexError, StoreNoIndexError)  # callers catching the store's error still work


# -- results, documents, related ------------------------------------------------------------------------------


def test_hit_fields_and_json(news_searcher: Searcher) -> None:
    result = news_searcher.search("攻击")
    hit = result.hits[0]
    assert hit.id == "n05"
    assert hit.title == "网站遭遇<script>攻击 & 数据泄露"
    assert hit.title_html == "网站遭遇&lt;script&gt;<mark>攻击</mark> &amp; 数据泄露"
    assert "<script>" not in hit.snippet_html
    assert hit.url == "https://example.com/n05?a=1&b=2"
    assert (hit.source, hit.category, hit.published) == ("科技日报", "科技", "2024-05-10T09:00:00+08:00")
    data = json.loads(json.dumps(result.to_api_dict(), ensure_ascii=False))
    assert data["query"] == "攻击" and data["total"] == 1 and data["relaxed"] is False
    assert data["results"][0]["title_html"] == hit.title_html
    assert data["facets"] == {
        "source": [{"value": "科技日报", "count": 1}],
        "category": [{"value": "科技", "count": 1}],
        "year": [{"value": 2024, "count": 1}],
        "month": [{"value": "2024-05", "count": 1}],
    }
    assert list(data) == SEARCH_KEYS
    assert result.took_ms > 0


def test_get(news_searcher: Searcher) -> None:
    doc = news_searcher.get("n18")
    assert doc is not None
    assert doc.published == "2024-01-01T00:30:00+08:00"
    assert doc.title == "新年第一天全国铁路发送旅客超千万"
    assert doc.to_dict()["source"] == "新华社"
    assert news_searcher.get("n12").published is None  # type: ignore[union-attr]
    assert news_searcher.get("nope") is None


def test_related(news_searcher: Searcher) -> None:
    related = news_searcher.related("n15", n=3)
    assert 1 <= len(related) <= 3
    assert "n15" not in {h.id for h in related}
    assert related[0].id in SCAM
    assert news_searcher.related("nope") == []
    assert news_searcher.related("n15", n=0) == []


@pytest.mark.parametrize(
    "query",
    [q for q, _ in SEMANTICS if q.strip()]
    + [f'"{p}"' for p in PHRASES]
    + ["哪个国家的女排被中国队战胜了？", "今日天气预报是哪个机构发布的？"],
)
def test_engine_equals_whoosh_matchers(news_searcher: Searcher, query: str) -> None:
    """Every match and its score, by the array engine and by Whoosh's matchers stepped one posting at a time."""
    from whoosh_reference import whoosh_matches

    compiled = news_searcher.compile(query)
    for node in (compiled.strict, compiled.relaxed):
        if node is None:
            continue
        with news_searcher._current().context() as ctx:
            ours = node.evaluate(ctx, None)
            whoosh = whoosh_matches(ctx.searcher, node)
        assert ours.docs.tolist() == sorted(whoosh)
        assert dict(zip(ours.docs.tolist(), ours.scores.tolist(), strict=True)) == pytest.approx(
            whoosh, rel=1e-9, abs=1e-12
        )


def test_relaxed_on_a_large_index_matches_informative_words_only() -> None:
    from indexer.analysis import ChineseTokenizer
    from search.nodes import WithBonus as BonusQuery
    from search.plan import QueryBuilder
    from search.query import parse
    from search.ranking import Coordinated

    df = {None: 10_000, "嫦娥": 40, "月壤": 12, "带回": 300, "多少": 2_000, "国家": 3_000}
    builder = QueryBuilder(ChineseTokenizer())
    # a keyword query: the informative words match, the common one adds to the score
    short = builder.compile(parse("嫦娥 带回 国家"), doc_frequency=lambda w: df.get(w, 0))
    assert not short.long and isinstance(short.relaxed, BonusQuery)
    assert "国家" not in str(short.relaxed.required) and "国家" in str(short.relaxed.optional)
    assert all(w in str(short.relaxed.required) for w in ("嫦娥", "带回"))

    def split(query: str) -> tuple[str, str]:
        compiled = builder.compile(parse(query), doc_frequency=lambda w: df.get(w, 0))
        assert compiled.long and isinstance(compiled.relaxed, Coordinated)
        n = compiled.relaxed.required
        return str(compiled.relaxed.children[:n]), str(compiled.relaxed.children[n:])

    # a long query: the same split, the common words after the required ones
    required, optional = split("嫦娥 带回 多少 月壤")
    assert (
        all(w in required for w in ("嫦娥", "带回", "月壤")) and "多少" not in required and "多少" in optional
    )
    df.update({"嫦娥": 5_000, "带回": 5_000, "月壤": 6_000})  # nothing informative: the three rarest match
    required, optional = split("嫦娥 带回 多少 月壤")
    assert "月壤" not in required and "月壤" in optional
    small = builder.compile(parse("嫦娥 带回 国家"), doc_frequency=lambda w: 10 if w is None else 5)
    assert not isinstance(small.relaxed, BonusQuery)  # a small index: any word


def test_word_cut_differently_still_matches_but_scattered_sub_words_do_not(make_index) -> None:  # type: ignore[no-untyped-def]
    index = make_index(
        [
            {
                "id": "gov",
                "title": "外交部发表声明",
                "body": "外交部发表《中华人民共和国政府关于钓鱼岛的声明》。",
            },
            {"id": "prc", "title": "国庆", "body": "中华人民共和国成立七十五周年。"},
            {"id": "npc", "title": "人大", "body": "全国人大常务委员会今天召开会议。"},
            {"id": "gwy", "title": "国务院", "body": "国务院常务会议今天召开。"},
        ]
    )
    searcher = Searcher(index)
    # jieba cuts 中华人民共和国政府 as one word, without 中华人民共和国 among its sub-words
    assert {h.id for h in searcher.search("中华人民共和国").hits} == {"gov", "prc"}
    # 常务 and 会议 both stand in "npc", but not 常务会议
    assert {h.id for h in searcher.search("常务会议").hits} == {"gwy"}


def test_articles_with_an_empty_field(make_index) -> None:  # type: ignore[no-untyped-def]
    index = make_index(
        [{"id": "t", "title": "只有标题", "body": ""}, {"id": "b", "title": "", "body": "只有正文"}]
    )
    searcher = Searcher(index)
    assert [h.id for h in searcher.search("标题").hits] == ["t"]
    assert [h.id for h in searcher.search("正文").hits] == ["b"]
    assert searcher.search("只有").total == 2


@pytest.mark.parametrize(
    ("query", "kwargs", "expected"),
    [
        ("诈骗", {"date_from": date(1, 1, 1)}, SCAM),  # a bound at the calendar's edge is no bound
        ("诈骗", {"date_to": date(9999, 12, 31)}, SCAM),
        ("诈骗", {"date_from": date(1, 1, 1), "date_to": date(9999, 12, 31)}, SCAM),
        ("诈骗 date:9999", {}, set()),
        ("诈骗 date:1000..9999", {}, SCAM),  # every 诈骗 article is dated
    ],
)
def test_dates_at_the_edges_of_the_calendar(
    news_searcher: Searcher, query: str, kwargs: dict[str, object], expected: set[str]
) -> None:
    assert ids(news_searcher, query, **kwargs) == expected
