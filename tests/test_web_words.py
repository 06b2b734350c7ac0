"""Words the API and the search box answer with (issue 26): one query length limit and message everywhere,
suggestions in the script the user types (颱 → 颱風, not 台风), snippets that join paragraphs as Chinese is read."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from web_fixtures import TEST_CONFIG, build_index

from web import create_app
from web.suggest import in_script_of, is_traditional

ARTICLES: list[dict[str, Any]] = (
    [
        {"id": f"t{i}", "title": f"第{i}号台风登陆", "body": "台风带来强降雨，台风预警升级。国际航班取消。"}
        for i in range(1, 6)
    ]
    + [
        {"id": "tw", "title": "颱風動態", "body": "颱風接近臺灣，國際機場停飛。"},
        {
            "id": "paras",
            "title": "案件进展通报",
            "body": "警方通报了案件进展。\n\n截至目前，已抓获嫌疑人12名。\n下一步将继续追查\n涉案资金去向。",
            "published": "2025-03-01",
        },
    ]
    + [  # a page of 8 snippets: cut on arrays (search.snippets.ARRAY_MIN_BODIES), not body by body
        {
            "id": f"drill{i}",
            "title": f"第{i}次防汛演练",
            "body": f"第{i}次防汛演练结束。\n\n参加演练的队员共{i}0人。\n演练持续\n两个小时。",
            "published": f"2025-04-0{i}",
        }
        for i in range(1, 9)
    ]
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    index = build_index(tmp_path_factory.mktemp("words"), ARTICLES)
    return create_app({**TEST_CONFIG, "INDEX_DIR": str(index)}).test_client()


def _too_long(n: int) -> dict[str, Any]:
    message = f"q: the query is {n} characters long; at most 256 characters are allowed"
    return {"error": {"code": "query_too_long", "message": message}}


@pytest.mark.parametrize("path", ["/api/search", "/api/suggest", "/feed.atom"])
@pytest.mark.parametrize("q", ["诈" * 257, "诈" * 300, "a" * 1001, "a" * 5000])
def test_one_limit_one_message_for_a_long_query(client: FlaskClient, path: str, q: str) -> None:
    response = client.get(f"{path}?q={q}")
    assert (response.status_code, response.mimetype) == (400, "application/json")
    assert response.get_json() == _too_long(len(q))


def test_a_query_at_the_limit_is_answered(client: FlaskClient) -> None:
    for path in ("/api/search", "/api/suggest", "/feed.atom"):
        assert client.get(f"{path}?q={'诈' * 256}").status_code == 200, path


@pytest.mark.parametrize(
    ("q", "terms"),
    [
        ("颱", ["颱風"]),
        ("颱風", ["颱風"]),
        ("台", ["台风", "台湾"]),
        ("台风", ["台风"]),
        ("國", ["國際", "國際航班"]),
        ("国", ["国际", "国际航班"]),
        ("臺", ["臺灣"]),
        ("台灣", ["台灣"]),
        ("taif", ["台风"]),
    ],
)
def test_term_suggestions_in_the_script_typed(client: FlaskClient, q: str, terms: list[str]) -> None:
    found = client.get(f"/api/suggest?q={q}").get_json()["suggestions"]
    assert [s["text"] for s in found if s["kind"] == "term"] == terms


def test_titles_are_offered_as_written(client: FlaskClient) -> None:
    found = client.get("/api/suggest?q=颱&limit=20").get_json()["suggestions"]
    # the title's folded text starts with 台: offered as written, whatever script it is in
    assert [s["text"] for s in found if s["kind"] == "title"] == ["颱風動態"]
    found = client.get("/api/suggest?q=台&limit=20").get_json()["suggestions"]
    assert [s["text"] for s in found if s["kind"] == "title"] == ["颱風動態"]


@pytest.mark.parametrize(
    ("typed", "term", "expected"),
    [
        ("颱", "台风", "颱風"),
        ("臺", "台湾", "臺灣"),
        ("國", "国际", "國際"),
        ("頭", "头发", "頭髮"),
        ("國 ", "国际", "國際"),
        ("台灣", "台湾", "台灣"),
        ("颱", "台湾", None),
    ],
)
def test_in_script_of(typed: str, term: str, expected: str | None) -> None:
    assert is_traditional(typed)
    assert in_script_of(typed, term) == expected


@pytest.mark.parametrize("text", ["台", "公安部", "gab", "abc 123"])
def test_simplified_or_common_text_is_not_traditional(text: str) -> None:
    assert not is_traditional(text)


JOINED = "警方通报了案件进展。截至目前，已抓获<mark>嫌疑人</mark>12名。下一步将继续追查涉案资金去向。"


def test_snippets_join_paragraphs_without_an_ascii_space(client: FlaskClient) -> None:
    """The page's snippets (one result: body by body; eight: cut for the whole page on arrays), the API's and
    the feeds': no space after 。 or at a line break between Chinese characters (issue 26: 。 截至)."""
    hits = client.get("/api/search?q=嫌疑人").get_json()["results"]
    assert [h["snippet_html"] for h in hits] == [JOINED.split("。", 1)[1]]
    html = client.get("/?q=进展").get_data(as_text=True)
    assert JOINED.replace("<mark>嫌疑人</mark>", "嫌疑人").replace("进展", "<mark>进展</mark>", 1) in html
    drills = client.get("/api/search?q=演练&per_page=10").get_json()["results"]
    assert sorted(h["snippet_html"] for h in drills) == [
        f"第{i}次防汛<mark>演练</mark>结束。参加<mark>演练</mark>的队员共{i}0人。<mark>演练</mark>持续两个小时。"
        for i in range(1, 9)
    ]
    page = client.get("/?q=演练").get_data(as_text=True)
    for url in ("/feed.atom?q=嫌疑人", "/feed.atom"):
        feed = client.get(url).get_data(as_text=True)
        assert "截至目前，已抓获嫌疑人12名。下一步将继续追查涉案资金去向。</summary>" in feed, url
    assert "。 " not in html + page + feed
