"""``sort=fresh`` on the web: the API, the results page's 最新相关, the setting ``ZHSEARCH_FRESH_HALF_LIFE_DAYS``
and where it is documented (OpenAPI, /help, README)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from web_fixtures import TEST_CONFIG, build_index

from web import create_app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")

#: The strongest match is the oldest; the newest barely mentions 台风.
ARTICLES: list[dict[str, Any]] = [
    {
        "id": "old-strong",
        "title": "台风登陆",
        "body": "台风登陆，台风带来暴雨，台风过后各地清理。",
        "published": "2025-01-01 08:00",
    },
    {
        "id": "mid",
        "title": "台风预警",
        "body": "气象台发布台风预警，沿海地区做好防范。",
        "published": "2025-05-01 08:00",
    },
    {
        "id": "new-weak",
        "title": "沿海城市夏季出行提示",
        "body": "夏季出行请关注天气，近期或有台风影响航班，旅客出行前查询航班动态，合理安排行程，注意安全。",
        "published": "2025-06-28 08:00",
    },
    {"id": "undated", "title": "台风知识", "body": "台风是热带气旋的一种，台风眼附近风力最强。"},
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("webfresh"), ARTICLES)


def _app(index_dir: Path, **config: Any) -> Flask:
    return create_app({**TEST_CONFIG, "INDEX_DIR": str(index_dir), **config})


@pytest.mark.parametrize(
    ("config", "sort", "ids"),
    [
        ({}, "relevance", ["old-strong", "undated", "mid", "new-weak"]),
        ({}, "newest", ["new-weak", "mid", "old-strong", "undated"]),
        ({}, "fresh", ["new-weak", "mid", "old-strong", "undated"]),  # 30 days
        ({"FRESH_HALF_LIFE_DAYS": "90"}, "fresh", ["mid", "new-weak", "old-strong", "undated"]),
        ({"FRESH_HALF_LIFE_DAYS": "180"}, "fresh", ["mid", "old-strong", "undated", "new-weak"]),
        ({"FRESH_HALF_LIFE_DAYS": 1e9}, "fresh", ["old-strong", "undated", "mid", "new-weak"]),
    ],
)
def test_api_sort_fresh(index_dir: Path, config: dict[str, Any], sort: str, ids: list[str]) -> None:
    response = _app(index_dir, **config).test_client().get(f"/api/search?q=台风&sort={sort}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [r["id"] for r in response.get_json()["results"]] == ids


def test_the_half_life_from_the_environment(index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHSEARCH_FRESH_HALF_LIFE_DAYS", "180")
    response = _app(index_dir).test_client().get("/api/search?q=台风&sort=fresh")
    assert [r["id"] for r in response.get_json()["results"]] == ["mid", "old-strong", "undated", "new-weak"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "FRESH_HALF_LIFE_DAYS: must be a number of days above 0, got '0'"),
        ("month", "FRESH_HALF_LIFE_DAYS: expected a number of days, got 'month'"),
    ],
)
def test_a_bad_half_life_fails_at_start_up(index_dir: Path, value: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        _app(index_dir, FRESH_HALF_LIFE_DAYS=value)
    assert str(err.value) == message


def _sort_nav(html: str) -> list[str]:
    nav = re.search(r'<nav class="sort" aria-label="排序">(.*?)</nav>', html, re.S)
    assert nav is not None
    return [
        " ".join(m.split())
        for m in re.findall(r"<(?:a href=\"[^\"]*\"|strong aria-current=\"true\")>([^<]+)<", nav.group(1))
    ]


@pytest.mark.parametrize(
    ("url", "current"),
    [("/?q=台风", "相关度"), ("/?q=台风&sort=fresh", "最新相关"), ("/?q=台风&sort=newest", "最新")],
)
def test_the_results_page_offers_fresh_as_最新相关(index_dir: Path, url: str, current: str) -> None:
    html = _app(index_dir).test_client().get(url).get_data(as_text=True)
    assert _sort_nav(html) == ["相关度", "最新相关", "最新", "最早"]
    assert re.findall(r'<strong aria-current="true">([^<]+)</strong>', html) == [current]
    if current != "最新相关":
        assert 'href="/?q=%E5%8F%B0%E9%A3%8E&amp;sort=fresh">最新相关</a>' in html
    else:
        ids = re.findall(r'<h3><a href="/articles/([\w-]+)\?', html)
        assert ids == ["new-weak", "mid", "old-strong", "undated"]


def test_fresh_is_documented(index_dir: Path) -> None:
    client = _app(index_dir).test_client()
    doc = client.get("/api/openapi.json").get_json()
    sort = next(p for p in doc["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "sort")
    assert sort["schema"] == {
        "type": "string",
        "enum": ["relevance", "fresh", "newest", "oldest"],
        "default": "relevance",
    }
    assert "`0.5 ** (age_days / half_life)`" in sort["description"]
    assert "`ZHSEARCH_FRESH_HALF_LIFE_DAYS`" in sort["description"]
    help_html = client.get("/help").get_data(as_text=True)
    assert "“最新相关”" in help_html and "ZHSEARCH_FRESH_HALF_LIFE_DAYS" in help_html
    api_table = README.split("## HTTP API at a glance", 1)[1].split("\n\n", 2)[1]
    assert "sort=relevance\\|fresh\\|newest\\|oldest" in api_table
    assert "[--sort newest\\|fresh\\|oldest]" in README
    assert "| `ZHSEARCH_FRESH_HALF_LIFE_DAYS` | `30` |" in README
