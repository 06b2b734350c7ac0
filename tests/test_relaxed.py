"""The partial tier of a long query (:mod:`search.relaxed`): a long word matched by its sub-words, a title made
of the query's words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import search.relaxed as relaxed
from indexer.analysis import ChineseTokenizer
from search import Searcher
from search.nodes import walk
from search.plan import QueryBuilder
from search.query import parse

Records = list[dict[str, Any]]
FILLER = "会议还研究了其他事项，与会人员就有关工作进行了讨论。"


def fillers(n: int) -> Records:
    return [{"id": f"other{i}", "title": "", "body": FILLER + f"第{i}项。"} for i in range(n)]


def test_sub_words_are_the_search_mode_words_inside_a_long_word() -> None:
    builder = QueryBuilder(ChineseTokenizer())
    assert builder.sub_words("举办活动") == ["举办", "活动"]
    assert builder.sub_words("台湾地区") == ["台湾", "地区"]
    assert builder.sub_words("代理人") == ["代理"]
    assert builder.sub_words("北京") == []  # two characters: nothing inside


def test_only_a_long_querys_partial_tier_holds_sub_words() -> None:
    builder = QueryBuilder(ChineseTokenizer())

    def terms(query: str) -> set[str]:
        compiled = builder.compile(parse(query))
        return {getattr(n, "text", "") for n in walk(compiled.relaxed)} - {""}

    # a headline: 举办活动 is matched by 举办 and 活动 too
    assert {"举办", "活动", "举办活动"} <= terms("海关总署举办活动欢度春节迎新年")
    # a short keyword query's fallback: its words only
    assert terms("举办活动 海关总署") == {"举办活动", "海关总署"}


def test_a_long_word_held_only_as_its_sub_words_counts(
    make_index: Callable[[Records], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [
        # holds 海关, 举办, 活动, 欢度, 新年 apart: none of the headline's words as written
        {"id": "pieces", "title": "", "body": "海关举行联欢活动，关员们举办文艺演出，欢度新年。"},
        # each holds one of its words whole (so the index knows them), nothing else of it
        *(
            {"id": w, "title": "", "body": f"{w}。{FILLER}"}
            for w in ["海关总署", "举办活动", "欢度春节", "迎新年"]
        ),
        *fillers(8),
    ]
    query = "海关总署举办活动欢度春节迎新年"
    result = Searcher(make_index(records)).search(query, collapse=False)
    assert result.relaxed
    assert [h.id for h in result.hits][:1] == ["pieces"]
    monkeypatch.setattr(relaxed, "SUB_WORD_SCALE", 0.0)
    hits = Searcher(make_index(records, name="off")).search(query, collapse=False).hits
    assert "pieces" not in [h.id for h in hits] and len(hits) == 4


def test_a_title_made_of_the_querys_words_ranks_first(
    make_index: Callable[[Records], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "{}为鳗鲡目糯鳗亚目通鳃鳗科的一个种，分布于各大洋，体长可达五十厘米。"
    records = [
        {"id": "longer", "title": "异齿前肛鳗", "body": body.format("异齿前肛鳗")},
        # a longer passage: by BM25F alone it scores below the other
        {
            "id": "exact",
            "title": "前肛鳗",
            "body": body.format("前肛鳗") + "本鱼无鳞，具有胸鳍。上颌较下颌长。",
        },
        *fillers(8),
    ]
    query = "前肛鳗属于什么科？"
    compiled = QueryBuilder(ChineseTokenizer()).compile(parse(query))
    cover = [n for n in walk(compiled.relaxed) if isinstance(n, relaxed.TitleCovered)]
    assert [n.cover_words for n in cover] == [(("前", 1), ("肛鳗", 2), ("属于", 2), ("科", 1))]
    hits = Searcher(make_index(records)).search(query, collapse=False).hits
    assert [h.id for h in hits] == ["exact", "longer"]
    # without the factor the shorter passage comes first
    monkeypatch.setattr(relaxed, "TITLE_COVER", 0.0)
    hits = Searcher(make_index(records, name="off")).search(query, collapse=False).hits
    assert [h.id for h in hits] == ["longer", "exact"]
