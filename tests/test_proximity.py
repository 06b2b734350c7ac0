"""The proximity boost of a ranking's best articles, folded all at once on arrays, equals its definition: each
article's title and body folded alone (``fold_with_offsets``) and every run's pattern searched in them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.analysis import units
from indexer.normalize import fold_with_offsets
from search import scoring
from search.highlights import phrase_pattern
from search.nodes.near import FIELDS, Runs, proximity_boosts
from search.pagetext import PageText
from search.snippets import Highlighter

SAMPLE = Path(__file__).resolve().parent.parent / "index_data" / "articles" / "cmrc2018-wikipedia.jsonl"


def reference(fields: dict[str, str], runs: Runs, weight: float) -> float:
    """The definition: one article, folded alone."""
    folded = {name: fold_with_offsets(fields.get(name) or "")[0] for name in FIELDS}
    found, count = 0.0, 0
    for patterns, field in runs:
        names = (field,) if field in FIELDS else FIELDS
        for pattern in patterns:
            count += 1
            found += sum(1 for name in names if pattern.search(folded[name]))
    return scoring.proximity_factor(found, count, weight)


def runs_of(*texts: str, field: str | None = None) -> Runs:
    return [([phrase_pattern(units(t)) for t in texts], field)]


@pytest.fixture(scope="module")
def articles() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f][:300]


@pytest.mark.parametrize(
    "runs",
    [
        runs_of("电视剧"),
        runs_of("中国", "历史"),
        runs_of("美国", field="title"),
        runs_of("大学", field="body") + runs_of("公司"),
        runs_of("PlayStation Portable"),
    ],
)
def test_the_boosts_of_sample_articles_equal_the_definition(
    articles: list[dict[str, str]], runs: Runs
) -> None:
    for start in range(0, len(articles), 64):  # pools of 64, as collect() takes them
        pool = articles[start : start + 64]
        assert proximity_boosts(pool, runs, 0.5) == [reference(a, runs, 0.5) for a in pool]
    assert any(b > 1 for b in proximity_boosts(articles, runs, 0.5))  # the runs are found somewhere


def test_titles_marked_together_as_each_alone(articles: list[dict[str, str]]) -> None:
    from search.highlights import HighlightTerm

    titles = [a["title"] for a in articles] + [
        "電視劇《天龍八部》",
        "重5㎏的…包裹 电视剧",
        "😀 中国电视剧",
        "",
    ]
    for words in (["电视剧"], ["中国", "历史"], ["美国", "world"], []):
        highlighter = Highlighter([HighlightTerm(w, group) for group, w in enumerate(words)])
        assert highlighter.marks(titles) == [highlighter.mark(t) for t in titles]
    assert "<mark>電視劇</mark>" in Highlighter([HighlightTerm("电视剧", 0)]).marks(titles)[-4]
    phrase = Highlighter([HighlightTerm("电视剧", 0, phrase_pattern(units("电视剧")))])  # a quoted phrase
    assert phrase.marks(titles) == [phrase.mark(t) for t in titles]


def test_texts_the_tables_cannot_fold_alone_are_folded_one_by_one() -> None:
    texts = ["電視劇《天龍八部》", "重5㎏的…包裹", "emoji 😀 电视剧", "", "ＡＢＣ电视剧"]
    assert PageText.fold_each(texts) == [fold_with_offsets(t) for t in texts]
    pool = [{"title": t, "body": texts[-1 - k]} for k, t in enumerate(texts)]
    runs = runs_of("电视剧", "abc")
    assert proximity_boosts(pool, runs, 0.5) == [reference(a, runs, 0.5) for a in pool]
    assert proximity_boosts(pool, [], 0.5) == [1.0] * len(pool)  # no run: no boost
