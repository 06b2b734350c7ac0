"""The latest-news feed (``/feed.atom`` without ``q``), the entry's author, and a feed whose ``from`` is after
``to``: a feed without entries, as its OpenAPI document allows (web/feeds.py, web/openapi_feeds.py; issue 26)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import feedparser
import pytest
from flask.testing import FlaskClient
from web_fixtures import TEST_CONFIG, build_index

from web import create_app

#: 24 dated articles, a day apart, alternating sources and categories; every third names its author; and one
#: undated article, which no feed lists.
ARTICLES: list[dict[str, Any]] = [
    {
        "id": f"n{day:02d}",
        "title": f"第{day}号新闻简报",
        "body": f"简报第{day}期。\n\n各地新闻汇总。",
        "source": "新华社" if day % 2 else "人民日报",
        "category": "时政" if day % 4 < 2 else "社会",
        "author": f"记者{day}号" if day % 3 == 0 else "",
        "published": f"2025-03-{day:02d} 09:00",
    }
    for day in range(1, 25)
] + [{"id": "undated", "title": "无日期的新闻", "body": "各地新闻。", "source": "新华社"}]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    index = build_index(tmp_path_factory.mktemp("feeds"), ARTICLES)
    return create_app({**TEST_CONFIG, "INDEX_DIR": str(index)}).test_client()


def _feed(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def _ids(parsed: Any) -> list[str]:
    return [e.link.rsplit("/", 1)[1] for e in parsed.entries]


def _days(*days: int) -> list[str]:
    return [f"n{d:02d}" for d in days]


@pytest.mark.parametrize(
    ("url", "title", "ids"),
    [
        ("/feed.atom", "最新报道 - zhsearch 新闻搜索", _days(*range(24, 4, -1))),
        ("/feed.atom?q=", "最新报道 - zhsearch 新闻搜索", _days(*range(24, 4, -1))),
        ("/feed.atom?q=%20%E3%80%80", "最新报道 - zhsearch 新闻搜索", _days(*range(24, 4, -1))),
        ("/feed.atom?source=新华社", "新华社的最新报道 - zhsearch 新闻搜索", _days(*range(23, 0, -2))),
        (
            "/feed.atom?category=社会",
            "社会的最新报道 - zhsearch 新闻搜索",
            _days(23, 22, 19, 18, 15, 14, 11, 10, 7, 6, 3, 2),
        ),
        (
            "/feed.atom?source=人民日报&category=时政",
            "人民日报、时政的最新报道 - zhsearch 新闻搜索",
            _days(24, 20, 16, 12, 8, 4),
        ),
        ("/feed.atom?from=2025-03-20&to=2025-03-22", "最新报道 - zhsearch 新闻搜索", _days(22, 21, 20)),
        ("/feed.atom?source=中央社", "中央社的最新报道 - zhsearch 新闻搜索", []),
        ("/feed.atom?q=简报&source=新华社", "简报 - zhsearch 新闻搜索", _days(*range(23, 0, -2))),
    ],
)
def test_feed_without_a_query_is_the_latest_news(
    client: FlaskClient, url: str, title: str, ids: list[str]
) -> None:
    parsed = _feed(client, url)
    assert parsed.feed.title == title
    assert _ids(parsed) == ids


def test_latest_feed_entries_and_links(client: FlaskClient) -> None:
    parsed = _feed(client, "/feed.atom?source=新华社")
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {
        "self": "http://localhost/feed.atom?source=%E6%96%B0%E5%8D%8E%E7%A4%BE",
        "alternate": "http://localhost/?sort=newest&source=%E6%96%B0%E5%8D%8E%E7%A4%BE",
    }
    assert parsed.feed.subtitle == "新华社的最新报道（最新 20 篇）"
    assert parsed.feed.updated == "2025-03-23T09:00:00+08:00"
    first = parsed.entries[0]
    assert (first.title, first.published, first.summary, [t.term for t in first.tags]) == (
        "第23号新闻简报",
        "2025-03-23T09:00:00+08:00",
        "简报第23期。各地新闻汇总。",
        ["社会"],
    )


@pytest.mark.parametrize("url", ["/feed.atom", "/feed.atom?q=简报"])
def test_the_entry_author_is_the_article_s_else_its_source(client: FlaskClient, url: str) -> None:
    entries = _feed(client, url).entries
    got = [(e.link.rsplit("/", 1)[1], e.author, e.source.title) for e in entries[:6]]
    assert got == [
        ("n24", "记者24号", "人民日报"),
        ("n23", "新华社", "新华社"),
        ("n22", "人民日报", "人民日报"),
        ("n21", "记者21号", "新华社"),
        ("n20", "人民日报", "人民日报"),
        ("n19", "新华社", "新华社"),
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/feed.atom?from=2025-03-22&to=2025-03-20",
        "/feed.atom?q=简报&from=2025-04&to=2025-03",
        "/feed.atom?q=简报&source=新华社&from=2025-03-22&to=2025-03-22",  # one day, no 新华社 article
    ],
)
def test_a_feed_from_after_to_is_an_empty_feed_as_its_schema_allows(client: FlaskClient, url: str) -> None:
    """Each date is valid, so the document calls the request valid (OpenAPI 3.0 cannot relate two parameters):
    the feed answers it, without entries, instead of the 400 schemathesis found. ``/api/search`` keeps its
    documented 400 ``bad_date_range`` (the test of the document applies that rule before calling)."""
    parsed = _feed(client, url)
    assert parsed.entries == [] and parsed.feed.title.endswith(" - zhsearch 新闻搜索")
    api = client.get("/api/search?q=简报&from=2025-03-22&to=2025-03-20")
    assert api.status_code == 400 and api.get_json()["error"]["code"] == "bad_date_range"
    doc = client.get("/api/openapi.json").get_json()
    feed = doc["paths"]["/feed.atom"]["get"]
    assert "`from` after `to` is a range without a day: a feed without entries" in feed["description"]
    assert "bad_date_range" not in feed["responses"]["400"]["description"]
    described = doc["paths"]["/api/search"]["get"]["responses"]["400"]["description"]
    assert "`bad_date_range`: `from` is after `to`" in described


def test_the_feed_s_query_is_optional_in_the_openapi_document(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    params = {p["name"]: p for p in doc["paths"]["/feed.atom"]["get"]["parameters"]}
    assert params["q"]["required"] is False
    assert params["q"]["schema"] == {"type": "string", "maxLength": 256}
    search_q = next(p for p in doc["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "q")
    assert search_q["required"] is True and search_q["schema"]["minLength"] == 1
    assert sorted(params) == ["category", "from", "q", "source", "to"]


def test_no_index_path_unchanged(tmp_path: Path) -> None:
    app = create_app({**TEST_CONFIG, "INDEX_DIR": str(tmp_path / "none")})
    response = app.test_client().get("/feed.atom")
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "no_index"
