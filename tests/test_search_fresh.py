"""``sort=fresh`` (search/fresh.py): relevance times ``0.5 ** (age_days / half_life)``, on the arrays with the
ranking; and ``Searcher.latest`` (search/latest.py), the newest articles without a query."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from web_fixtures import build_index
from whoosh.util.times import datetime_to_long

from search import Searcher
from search.columns import NO_DATE
from search.fresh import Freshness, parse_half_life
from zhsearch.cli import cli

NOW = datetime(2025, 7, 1, tzinfo=UTC)

#: 台风 reports whose relevance and age pull apart: the strongest match is the oldest.
ARTICLES: list[dict[str, Any]] = [
    {
        "id": "old-strong",
        "title": "台风登陆",
        "body": "台风登陆，台风带来暴雨，台风过后各地清理。",
        "source": "新华社",
        "author": "王明",
        "published": "2025-01-01 08:00",
    },
    {
        "id": "mid",
        "title": "台风预警",
        "body": "气象台发布台风预警，沿海地区做好防范。",
        "source": "人民日报",
        "published": "2025-05-01 08:00",
    },
    {
        "id": "new-weak",
        "title": "沿海城市夏季出行提示",
        "body": "夏季出行请关注天气，近期或有台风影响航班，旅客出行前查询航班动态，合理安排行程，注意安全。",
        "source": "新华社",
        "published": "2025-06-28 08:00",
    },
    {
        "id": "undated",
        "title": "台风知识",
        "body": "台风是热带气旋的一种，台风眼附近风力最强。",
        "source": "科普中国",
    },
    {"id": "other", "title": "高温天气", "body": "各地高温。", "source": "新华社", "published": "2025-06-30"},
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("fresh"), ARTICLES)


def _searcher(index_dir: Path, half_life: float) -> Searcher:
    searcher = Searcher(index_dir, cache_size=0, fresh_half_life_days=half_life)
    searcher.clock = lambda: NOW
    return searcher


def _ids(searcher: Searcher, sort: str) -> list[str]:
    return [hit.id for hit in searcher.search("台风", sort=sort, per_page=10).hits]


def test_relevance_and_newest_are_what_fresh_lies_between(index_dir: Path) -> None:
    searcher = _searcher(index_dir, 30)
    assert _ids(searcher, "relevance") == ["old-strong", "undated", "mid", "new-weak"]
    assert _ids(searcher, "newest") == ["new-weak", "mid", "old-strong", "undated"]


@pytest.mark.parametrize(
    ("half_life", "ids"),
    [
        # a very long half-life: relevance's order (the undated one keeps its place, it has the oldest's factor)
        (1e9, ["old-strong", "undated", "mid", "new-weak"]),
        # a month: two months of age halve twice, the strong old report (six months) falls to the end with the
        # undated one, which takes its factor
        (30, ["new-weak", "mid", "old-strong", "undated"]),
        # a season: the two-month-old warning leads, the weak report of this week passes the strong old one
        (90, ["mid", "new-weak", "old-strong", "undated"]),
        # half a year: the warning (score close to the old report's) passes it, the weak new one does not
        (180, ["mid", "old-strong", "undated", "new-weak"]),
    ],
)
def test_fresh_order_by_half_life(index_dir: Path, half_life: float, ids: list[str]) -> None:
    assert _ids(_searcher(index_dir, half_life), "fresh") == ids


def test_fresh_scores_are_relevance_times_the_decay(index_dir: Path) -> None:
    searcher = _searcher(index_dir, 30)
    relevance = {h.id: h.score for h in searcher.search("台风", per_page=10).hits}
    fresh = {h.id: h.score for h in searcher.search("台风", sort="fresh", per_page=10).hits}
    published = {"old-strong": "2025-01-01", "mid": "2025-05-01", "new-weak": "2025-06-28"}
    age = {k: (NOW - datetime.fromisoformat(v + "T00:00:00+00:00")).days for k, v in published.items()}
    # the articles are dated 08:00 China time: 00:00 UTC of their day
    expected = {k: relevance[k] * 0.5 ** (age[k] / 30) for k in published}
    expected["undated"] = relevance["undated"] * 0.5 ** (age["old-strong"] / 30)
    assert fresh == pytest.approx(expected, rel=1e-9)


def test_decay_factors_on_arrays() -> None:
    day = 86_400_000_000
    now = datetime_to_long(NOW.replace(tzinfo=None))
    published = np.array([now, now - 30 * day, now - 60 * day, NO_DATE, now + 5 * day], dtype=np.uint64)
    factors = Freshness(30.0, NOW).factors(published)
    assert factors.tolist() == [1.0, 0.5, 0.25, 0.25, 1.0]
    assert Freshness(30.0, NOW).factors(np.array([NO_DATE, NO_DATE], dtype=np.uint64)).tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("value", "days", "message"),
    [
        ("30", 30.0, None),
        (" 7.5 ", 7.5, None),
        ("0", None, "FRESH_HALF_LIFE_DAYS: must be a number of days above 0, got '0'"),
        ("-3", None, "FRESH_HALF_LIFE_DAYS: must be a number of days above 0, got '-3'"),
        ("nan", None, "FRESH_HALF_LIFE_DAYS: must be a number of days above 0, got 'nan'"),
        ("a month", None, "FRESH_HALF_LIFE_DAYS: expected a number of days, got 'a month'"),
    ],
)
def test_half_life_setting(value: str, days: float | None, message: str | None) -> None:
    if message is None:
        assert parse_half_life(value) == days
    else:
        with pytest.raises(ValueError) as err:
            parse_half_life(value)
        assert str(err.value) == message


@pytest.mark.parametrize(
    ("kwargs", "ids"),
    [
        ({}, ["other", "new-weak", "mid", "old-strong"]),
        ({"sources": ["新华社"]}, ["other", "new-weak", "old-strong"]),
        ({"limit": 2}, ["other", "new-weak"]),
        (
            {"date_from": datetime(2025, 5, 1).date(), "date_to": datetime(2025, 6, 29).date()},
            ["new-weak", "mid"],
        ),
        ({"categories": ["体育"]}, []),
    ],
)
def test_latest_articles_without_a_query(index_dir: Path, kwargs: dict[str, Any], ids: list[str]) -> None:
    hits = _searcher(index_dir, 30).latest(**kwargs)
    assert [h.id for h in hits] == ids


def test_latest_hits_carry_the_author_and_the_opening_of_the_body(index_dir: Path) -> None:
    (hit,) = _searcher(index_dir, 30).latest(date_to=datetime(2025, 1, 31).date())
    assert (hit.id, hit.author, hit.source, hit.snippet_html) == (
        "old-strong",
        "王明",
        "新华社",
        "台风登陆，台风带来暴雨，台风过后各地清理。",
    )


@pytest.mark.parametrize(
    ("env", "code", "out"),
    [
        ({"ZHSEARCH_FRESH_HALF_LIFE_DAYS": "1e9"}, 0, ["old-strong", "undated", "mid", "new-weak"]),
        (
            {"ZHSEARCH_FRESH_HALF_LIFE_DAYS": "0"},
            1,
            "Error: FRESH_HALF_LIFE_DAYS: must be a number of days above 0, got '0'\n",
        ),
    ],
)
def test_cli_sort_fresh(index_dir: Path, env: dict[str, str], code: int, out: list[str] | str) -> None:
    result = CliRunner().invoke(
        cli, ["search", "--index", str(index_dir), "--sort", "fresh", "--json", "台风"], env=env
    )
    assert result.exit_code == code, result.output
    if code == 0:
        assert [r["id"] for r in json.loads(result.output)["results"]] == out
    else:
        assert result.output == out
