"""Long queries (questions, headlines, sentences): every word first, then the best partial matches
(:mod:`search.ranking`); short keyword queries keep their all-words semantics (tests/test_search.py)."""

from __future__ import annotations

import pytest

from indexer.analysis import ChineseTokenizer
from search import Searcher
from search.plan import QueryBuilder
from search.query import parse


@pytest.mark.parametrize(
    ("query", "long"),
    [
        ("电信 诈骗", False),
        ("香港 巴士 路线", False),  # three keywords
        ("女排 巴西 诈骗 缅北 窝点", True),  # four words or more
        ("警方破获跨境诈骗团伙", True),  # a headline
        ("锣鼓经是什么？", True),  # a question
        ("谁 发明", True),  # a question word and another
        ("什么", False),  # one word
        ("诈骗 OR 电信 OR 女排 OR 缅北", False),  # alternatives say what is wanted
        ('"中国女排战胜巴西队"', False),  # an exact phrase
        ("source:新华社 诈骗", False),
    ],
)
def test_which_queries_are_long(query: str, long: bool) -> None:
    builder = QueryBuilder(ChineseTokenizer())
    assert builder.compile(parse(query)).long is long


def test_long_query_fills_the_page_after_the_full_matches(news_searcher: Searcher) -> None:
    # n02 alone holds every word (警方 破获 跨境 诈骗 团伙); the others follow with some of them
    result = news_searcher.search("警方破获跨境诈骗团伙", per_page=10)
    ids = [h.id for h in result.hits]
    assert ids[0] == "n02" and not result.relaxed
    assert ids == ["n02", "n04", "n01", "n15", "n14", "n03", "n21"]
    assert result.total == len(ids)
    assert sum(count for _, count in result.facets["source"]) == result.total
    # page 2 goes on where page 1 stops, without repeating it
    pages = [news_searcher.search("警方破获跨境诈骗团伙", page=p, per_page=3) for p in (1, 2, 3)]
    assert [h.id for page in pages for h in page.hits] == ids
    assert {page.total for page in pages} == {len(ids)}


def test_short_query_with_the_same_words_keeps_all_words(news_searcher: Searcher) -> None:
    result = news_searcher.search("警方 破获", per_page=10)
    assert {h.id for h in result.hits} == {"n02", "n04"} and result.total == 2 and not result.relaxed


def test_long_query_sorted_by_date_lists_the_full_matches_only(news_searcher: Searcher) -> None:
    result = news_searcher.search("警方破获跨境诈骗团伙", sort="newest")
    assert [h.id for h in result.hits] == ["n02"] and not result.relaxed


def test_long_query_without_a_full_match_is_relaxed(news_searcher: Searcher) -> None:
    result = news_searcher.search("哪个国家的女排被中国队战胜了？")
    assert result.relaxed and result.hits[0].id == "n09"


FILLER = "会议还研究了其他事项，与会人员就有关工作进行了讨论。"


def test_a_short_dense_post_beats_a_long_article_holding_more_of_the_words(make_index) -> None:  # type: ignore[no-untyped-def]
    records = [
        {"id": "post", "title": "", "body": "强台风登陆福建沿海，多地防汛应急响应升级。"},
        {
            "id": "transcript",
            "title": "",
            "body": (FILLER * 20).join(["台风", "登陆", "福建", "转移群众", ""]),
        },
    ]
    records += [{"id": f"other{i}", "title": "", "body": FILLER + f"第{i}项。"} for i in range(8)]
    searcher = Searcher(make_index(records))
    # the headline's words: 台风 登陆 福建 转移 群众 防汛 ... -- the transcript holds more of them, far apart
    result = searcher.search("台风登陆福建 紧急转移群众 防汛应急响应升级")
    assert result.relaxed
    assert [h.id for h in result.hits] == ["post", "transcript"]


def test_long_query_shows_each_story_once_across_the_tiers(make_index) -> None:  # type: ignore[no-untyped-def]
    body = "国家防总今天启动防汛四级应急响应，派出工作组赴福建、浙江指导防御工作。" * 3
    records = [
        # two copies of one story: only the first has 台风 (in its title), so it is a full match, the other partial
        {"id": "copy-full", "title": "台风来袭", "body": body},
        {"id": "copy-partial", "title": "国家防总", "body": body},
        {"id": "other", "title": "", "body": "浙江启动防汛应急响应。"},
    ]
    records += [{"id": f"filler{i}", "title": "", "body": FILLER + f"第{i}项。"} for i in range(8)]
    searcher = Searcher(make_index(records), cache_size=0)
    query = "台风来袭 国家防总启动防汛应急响应"
    every = searcher.search(query, collapse=False)
    assert [h.id for h in every.hits] == ["copy-full", "copy-partial", "other"] and not every.relaxed
    once = searcher.search(query)
    assert [h.id for h in once.hits] == ["copy-full", "other"]
    assert [c.id for c in once.hits[0].duplicates] == ["copy-partial"]
    assert once.total == every.total == 3
