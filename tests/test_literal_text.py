"""Searching for what is literally in the text, on the shipped sample (the new-user reports, reproduced):
quoted phrases with punctuation inside, numbers with a unit, AND / NOT typed as operators."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.normalize import fold
from search import Searcher

SAMPLE = Path(__file__).parent.parent / "index_data" / "articles"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Searcher, list[dict[str, str]]]:
    from conftest import build_index

    index = build_index([SAMPLE], tmp_path_factory.mktemp("sample") / "index")
    searcher = Searcher(index, cache_size=0)
    with searcher.reader() as reader:
        articles = [
            {"id": f["id"], "title": f.get("title") or "", "body": f.get("body") or ""}
            for f in reader.all_stored_fields()
        ]
    return searcher, articles


def literal_scan(articles: list[dict[str, str]], text: str) -> set[str]:
    """Articles whose folded title or body holds ``text`` (folded), not inside a longer number or word."""
    want = re.escape(fold(text))
    pattern = re.compile(rf"(?<![0-9a-z]){want}(?![0-9a-z])")
    return {a["id"] for a in articles if pattern.search(fold(a["title"] + "\n" + a["body"]))}


def all_ids(searcher: Searcher, q: str) -> set[str]:
    result = searcher.search(q, per_page=50)
    assert result.total <= 50
    return {h.id for h in result.hits}


@pytest.mark.parametrize("score", ["2:2", "2：2", "1:1", "2:3"])
def test_a_quoted_phrase_with_punctuation_is_exact(sample, score: str) -> None:  # type: ignore[no-untyped-def]
    searcher, articles = sample
    expected = literal_scan(articles, score.replace("：", ":"))
    assert expected  # the sample holds each of them
    result = searcher.search(f'"{score}"', per_page=50)
    assert not result.relaxed
    assert {h.id for h in result.hits} == expected
    assert result.total == len(expected)


def test_the_punctuated_phrase_is_marked_whole(sample) -> None:  # type: ignore[no-untyped-def]
    searcher, _ = sample
    hit = searcher.search('"2:2"').hits[0]
    assert "以<mark>2:2</mark>战和" in hit.snippet_html


def test_punctuation_gaps_must_be_the_same_punctuation(make_index) -> None:  # type: ignore[no-untyped-def]
    index = make_index(
        [
            {"id": "colon", "title": "比分", "body": "双方以2:2战平。"},
            {"id": "comma", "title": "数字", "body": "编号为2,2的房间。"},
            {"id": "apart", "title": "分开", "body": "第2场：第2节。"},
            {"id": "nested", "title": "时间", "body": "晚上22:24播出。"},
        ]
    )
    searcher = Searcher(index)
    assert all_ids(searcher, '"2:2"') == {"colon"}
    assert all_ids(searcher, '"2,2"') == {"comma"}
    assert all_ids(searcher, '"诈骗，窝点"') == set()


@pytest.mark.parametrize(
    ("query", "holder", "marked"),
    [
        ("5.3万", "u5e07e22f44237de1ec48", "<mark>5.3万</mark>余名"),
        ("3768亿", "sd18d8a778c6577470336", "<mark>3768亿</mark>港元"),
        ("317亿", "sd18d8a778c6577470336", "<mark>317亿</mark>港元"),
    ],
)
def test_a_number_with_its_unit_counts_where_its_text_is(
    sample, query: str, holder: str, marked: str
) -> None:  # type: ignore[no-untyped-def]
    searcher, articles = sample
    result = searcher.search(query)
    assert not result.relaxed
    assert result.hits[0].id == holder
    assert marked in result.hits[0].snippet_html
    assert {h.id for h in result.hits} >= literal_scan(articles, query)


def test_and_and_not_are_operators(sample) -> None:  # type: ignore[no-untyped-def]
    searcher, _ = sample
    both = all_ids(searcher, "诈骗 窝点")
    assert both and all_ids(searcher, "诈骗 AND 窝点") == both
    assert all_ids(searcher, "诈骗 NOT 窝点") == all_ids(searcher, "诈骗 -窝点")
    assert all_ids(searcher, "诈骗 NOT 窝点") == all_ids(searcher, "诈骗") - both


def test_not_alone_finds_nothing_never_everything(sample) -> None:  # type: ignore[no-untyped-def]
    searcher, _ = sample
    result = searcher.search("NOT 诈骗")
    assert result.total == 0 and result.hits == []


def test_the_sample_holds_what_the_reports_name(sample) -> None:  # type: ignore[no-untyped-def]
    _, articles = sample
    text = fold("\n".join(a["title"] + "\n" + a["body"] for a in articles))
    for needle in ("5.3万余名", "3768亿港元", "317亿港元", "以2:2战和"):
        assert needle in text


def test_the_readme_says_what_the_sample_gives(sample) -> None:  # type: ignore[no-untyped-def]
    """The README's screenshot and words are of what `make run` serves: the shipped sample."""
    searcher, articles = sample
    readme = (SAMPLE.parent.parent / "README.md").read_text(encoding="utf-8")
    total = searcher.search("诈骗").total
    assert f"诈骗 finds {total} articles" in readme
    wikipedia = sum(1 for a in articles if a["id"].startswith("cmrc-"))
    assert f"{wikipedia:,} Chinese Wikipedia passages" in readme
    assert "![The results for 香港 on the shipped sample at 1280 px" in readme  # taken by docs/screenshots.py
