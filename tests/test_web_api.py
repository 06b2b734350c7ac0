"""The JSON API over a real small index: shapes, filters, errors, suggestions, health, CORS, rate limit."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_fixtures import CORPUS, SEARCH_KEYS, TEST_CONFIG, build_index

from indexer.normalize import fold
from web import create_app

HIT_KEYS = [
    "id",
    "title",
    "title_html",
    "url",
    "source",
    "category",
    "published",
    "snippet_html",
    "score",
    "duplicates",
]
#: Articles holding 诈骗 in simplified or traditional characters.
FRAUD_IDS = {a["id"] for a in CORPUS if "诈骗" in fold(a["title"] + a["body"])}


def _error(client: FlaskClient, url: str, status: int, code: str | None = None, **kwargs: object) -> dict:
    response = client.open(url, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body


# -- /api/search --------------------------------------------------------------------------------------------


def test_search_shape_and_utf8(web_client: FlaskClient) -> None:
    response = web_client.get("/api/search", query_string={"q": "公安部"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    raw = response.get_data()
    assert "公安部".encode() in raw and b"\\u" not in raw  # Chinese as UTF-8, not \u escapes
    body = response.get_json()
    assert list(body) == SEARCH_KEYS
    assert body["query"] == "公安部" and body["page"] == 1 and body["per_page"] == 10
    assert body["relaxed"] is False and body["took_ms"] >= 0
    assert body["total"] == len(body["results"]) >= 3
    for hit in body["results"]:
        assert list(hit) == HIT_KEYS
        assert "<mark>" in hit["title_html"] + hit["snippet_html"]
    assert {h["id"] for h in body["results"]} >= {"mps-2025", "mps-summer", "mps-cases"}
    assert list(body["facets"]) == ["source", "category", "year", "month"]
    for facet in body["facets"].values():
        for item in facet:
            assert list(item) == ["value", "count"] and item["count"] > 0
    assert sum(i["count"] for i in body["facets"]["source"]) == body["total"]


def test_search_pagination(web_client: FlaskClient) -> None:
    first = web_client.get("/api/search?q=诈骗&per_page=5&collapse=0").get_json()
    second = web_client.get("/api/search?q=诈骗&per_page=5&page=2&collapse=0").get_json()
    assert first["total"] == second["total"] == len(FRAUD_IDS)
    assert len(first["results"]) == 5 and second["page"] == 2
    assert not {h["id"] for h in first["results"]} & {h["id"] for h in second["results"]}
    last_page = -(-first["total"] // 5)
    last = web_client.get(f"/api/search?q=诈骗&per_page=5&page={last_page}&collapse=0").get_json()
    assert len(last["results"]) == first["total"] - 5 * (last_page - 1)
    beyond = web_client.get(f"/api/search?q=诈骗&per_page=5&page={last_page + 1}&collapse=0")
    assert beyond.status_code == 200 and beyond.get_json()["results"] == []


@pytest.mark.parametrize(("sort", "reverse"), [("newest", True), ("oldest", False)])
def test_search_sort_by_date(web_client: FlaskClient, sort: str, reverse: bool) -> None:
    body = web_client.get(f"/api/search?q=诈骗&sort={sort}&per_page=50").get_json()
    dates = [h["published"][:10] for h in body["results"] if h["published"]]
    assert len(dates) >= 10 and dates == sorted(dates, reverse=reverse)


def test_search_filters_sources_categories_dates(web_client: FlaskClient) -> None:
    body = web_client.get("/api/search?q=诈骗&source=新华社&source=人民日报&per_page=50").get_json()
    assert body["total"] > 0 and {h["source"] for h in body["results"]} <= {"新华社", "人民日报"}
    assert {f["value"] for f in body["facets"]["source"]} <= {"新华社", "人民日报"}
    body = web_client.get("/api/search?q=诈骗&category=国际").get_json()
    assert {h["id"] for h in body["results"]} == {"intl-tw"}
    body = web_client.get("/api/search?q=诈骗&from=2024-01-01&to=2024-12-31&per_page=50").get_json()
    assert body["total"] > 0 and all(h["published"].startswith("2024") for h in body["results"])
    year = web_client.get("/api/search?q=诈骗&from=2024&to=2024&per_page=50").get_json()
    assert year["total"] == body["total"]


def test_search_relaxed_and_empty(web_client: FlaskClient) -> None:
    relaxed = web_client.get("/api/search?q=公安部 世界杯").get_json()
    assert relaxed["relaxed"] is True and relaxed["total"] > 0
    none = web_client.get("/api/search?q=火星殖民地").get_json()
    assert none["total"] == 0 and none["results"] == []


def test_search_traditional_query_finds_both_scripts(web_client: FlaskClient) -> None:
    body = web_client.get("/api/search?q=詐騙&per_page=50").get_json()
    ids = {h["id"] for h in body["results"]}
    assert "intl-tw" in ids and "mps-2025" in ids
    tw = next(h for h in body["results"] if h["id"] == "intl-tw")
    assert "<mark>詐騙</mark>" in tw["title_html"]


def test_search_escapes_html_in_articles(web_client: FlaskClient) -> None:
    hit = web_client.get("/api/search?q=脚本").get_json()["results"][0]
    assert hit["id"] == "escape-test"
    assert "<script>" not in hit["title_html"] and "&lt;script&gt;" in hit["title_html"]
    assert "<b>" not in hit["snippet_html"]


BAD_SEARCHES = [
    ("", "missing_query"),
    ("q=", "missing_query"),
    ("q=%20%20%E3%80%80", "missing_query"),  # spaces and an ideographic space
    ("q=%00", "missing_query"),
    ("q=a&page=0", "page_out_of_range"),
    ("q=a&page=-1", "page_out_of_range"),
    ("q=a&page=abc", "bad_parameter"),
    ("q=a&page=1.5", "bad_parameter"),
    ("q=a&page=" + "9" * 40, "bad_parameter"),
    ("q=a&page=" + "9" * 5000, "value_too_long"),
    ("q=a&page=101", "page_out_of_range"),  # beyond the 1,000th result
    ("q=a&per_page=0", "bad_parameter"),
    ("q=a&per_page=51", "bad_parameter"),
    ("q=a&sort=random", "bad_parameter"),
    ("q=a&from=2024-13-01", "bad_date"),
    ("q=a&from=2024-02-30", "bad_date"),
    ("q=a&to=yesterday", "bad_date"),
    ("q=a&from=2025-01-01&to=2024-01-01", "bad_date_range"),
    ("q=" + "诈" * 257, "query_too_long"),
    ("q=" + "a" * 1001, "query_too_long"),  # one limit and message, however long
    ("q=a&source=" + "x" * 1001, "value_too_long"),
    ("q=a" + "&source=x" * 21, "bad_parameter"),
]


@pytest.mark.parametrize(
    ("query", "code"), BAD_SEARCHES, ids=[c[1] + str(i) for i, c in enumerate(BAD_SEARCHES)]
)
def test_search_bad_parameters(web_client: FlaskClient, query: str, code: str) -> None:
    _error(web_client, "/api/search?" + query, 400, code)


ODD_QUERIES = [
    '"诈骗窝点',
    "(公安部",
    "公安部)",
    "诈骗 OR",
    "OR",
    "title:",
    "-",
    "- - -",
    "!!!???。。。",
    "🙂🙂🙂",
    "的",
    "source:",
    "date:2024-99",
    "date:..",
    "\\",
    "'",
    "*",
    "诈?",
    "%ff",
    "a\x00b",
    "\ufffd",
    "\ud7ff",
    "公安部\t\n诈骗",
]


@pytest.mark.parametrize("q", ODD_QUERIES)
def test_search_malformed_queries_answer(web_client: FlaskClient, q: str) -> None:
    response = web_client.get("/api/search", query_string={"q": q})
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    body = response.get_json()
    assert ("results" in body) if response.status_code == 200 else (set(body) == {"error"})


def test_search_invalid_utf8_and_nul_bytes(web_client: FlaskClient) -> None:
    for raw in (
        "q=%ff%fe",
        "q=%E5%85",
        "q=%C0%80",
        "q=%e5%85%ac%00%e5%ae%89",
        "q=a&source=%ff",
        "q=a&from=%ff",
    ):
        response = web_client.get("/api/search?" + raw)
        assert response.status_code in (200, 400), raw
        assert response.is_json


# -- the result cache: X-Cache and the access log ------------------------------------------------------------


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_x_cache_miss_then_hit_and_the_access_log(make_web_app: Callable[..., Flask]) -> None:
    client = make_web_app().test_client()
    handler = _Lines()
    access = logging.getLogger("zhsearch.access")
    access.addHandler(handler)
    old_level = access.level
    access.setLevel(logging.INFO)
    try:
        first = client.get("/api/search", query_string={"q": "公安部"})
        second = client.get("/api/search", query_string={"q": "公安部"})
        other_page = client.get("/api/search", query_string={"q": "公安部", "per_page": 1})
        page = client.get("/", query_string={"q": "公安部"})
    finally:
        access.removeHandler(handler)
        access.setLevel(old_level)
    assert [r.headers["X-Cache"] for r in (first, second, other_page)] == ["miss", "hit", "miss"]
    a, b = first.get_json(), second.get_json()
    del a["took_ms"], b["took_ms"]
    assert a == b
    searched = [line for line in handler.lines if "/api/search" in line]
    assert [line.split(" cache=")[1].split()[0] for line in searched] == ["miss", "hit", "miss"]
    assert 'q="公安部" hits=3 cache=hit' in searched[1]
    assert page.status_code == 200 and "X-Cache" not in page.headers
    assert "cache=hit" in next(line for line in handler.lines if '"GET /?q=' in line)  # the page shares it


def test_x_cache_with_the_cache_off(make_web_app: Callable[..., Flask]) -> None:
    client = make_web_app(RESULT_CACHE="0").test_client()
    got = [client.get("/api/search?q=公安部").headers["X-Cache"] for _ in range(2)]
    assert got == ["miss", "miss"]


def test_result_cache_setting_is_checked(web_index: Path) -> None:
    with pytest.raises(ValueError, match="RESULT_CACHE"):
        create_app({**TEST_CONFIG, "INDEX_DIR": str(web_index), "RESULT_CACHE": "-1"})


def test_a_new_generation_is_a_miss_with_the_new_results(tmp_path: Path) -> None:
    index_dir = build_index(tmp_path, CORPUS[:2])
    client = create_app({**TEST_CONFIG, "INDEX_DIR": str(index_dir)}).test_client()
    before = [client.get("/api/search?q=缅北") for _ in range(2)]
    assert [r.headers["X-Cache"] for r in before] == ["miss", "hit"]
    assert "myanmar" not in {h["id"] for h in before[1].get_json()["results"]}
    source = tmp_path / "articles" / "articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in CORPUS[:5]), encoding="utf-8")
    from indexer.writer import reindex

    reindex([source], index_dir, full=True, jobs=1)
    after = client.get("/api/search?q=缅北")  # REFRESH_SECONDS=0: the app looks on every request
    assert after.headers["X-Cache"] == "miss"
    assert "myanmar" in {h["id"] for h in after.get_json()["results"]}
    assert client.get("/api/search?q=缅北").headers["X-Cache"] == "hit"


# -- /api/articles ------------------------------------------------------------------------------------------


def test_article_with_related(web_client: FlaskClient) -> None:
    response = web_client.get("/api/articles/mps-2025")
    assert response.status_code == 200
    body = response.get_json()
    assert (
        body["id"] == "mps-2025" and body["source"] == "新华社" and body["published"].startswith("2025-01-10")
    )
    assert body["body"].count("\n") == 3 and body["url"] == "https://news.example.com/mps-2025"
    assert 1 <= len(body["related"]) <= 5
    assert "mps-2025" not in {r["id"] for r in body["related"]}
    assert {"id", "title", "url", "source", "published"} <= set(body["related"][0])


@pytest.mark.parametrize("doc_id", ["nope", "mps-2025x", "%00", "x" * 300, "a/b/c", "%ff"])
def test_article_not_found(web_client: FlaskClient, doc_id: str) -> None:
    _error(web_client, f"/api/articles/{doc_id}", 404)


# -- /api/suggest -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("公安", "公安部"),
        ("gonganbu", "公安部"),
        ("gongan", "公安部"),
        ("gab", "公安部"),
        ("GAB", "公安部"),
        ("gong'an bu", "公安部"),
        ("國際", "國際刑警組織通報跨境詐騙案"),
        ("luogu", "锣鼓经"),
        ("5g", "5g手机出货量同比增长"),
    ],
)
def test_suggest(web_client: FlaskClient, prefix: str, expected: str) -> None:
    body = web_client.get("/api/suggest", query_string={"q": prefix}).get_json()
    texts = [s["text"].lower() for s in body["suggestions"]]
    assert expected.lower() in texts, texts
    assert all(s["kind"] in ("term", "title") for s in body["suggestions"])


def test_suggest_ranks_terms_first_and_limits(web_client: FlaskClient) -> None:
    body = web_client.get("/api/suggest?q=gab").get_json()
    assert body["suggestions"][0] == {"text": "公安部", "kind": "term"}
    titles = [s for s in body["suggestions"] if s["kind"] == "title"]
    assert titles and all(s["id"] and s["text"].startswith("公安部") for s in titles)
    assert len(web_client.get("/api/suggest?q=g&limit=3").get_json()["suggestions"]) <= 3


@pytest.mark.parametrize("prefix", ["", "   ", "\x00", "zzzzqqq", "火星殖民地", "x" * 100, "%ff"])
def test_suggest_nothing(web_client: FlaskClient, prefix: str) -> None:
    response = web_client.get("/api/suggest", query_string={"q": prefix})
    assert response.status_code == 200 and response.get_json()["suggestions"] == []


def test_suggest_bad_limit(web_client: FlaskClient) -> None:
    _error(web_client, "/api/suggest?q=gab&limit=0", 400, "bad_parameter")
    _error(web_client, "/api/suggest?q=gab&limit=x", 400, "bad_parameter")


# -- health, no index, refresh ------------------------------------------------------------------------------


def test_healthz(web_client: FlaskClient) -> None:
    response = web_client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert (
        body["status"] == "ok" and body["documents"] == len(CORPUS) and body["generation"].startswith("gen-")
    )


def test_no_index_is_503_then_recovers(tmp_path: Path) -> None:
    app = create_app({**TEST_CONFIG, "INDEX_DIR": str(tmp_path / "index")})
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["status"] == "unavailable" and health.get_json()["error"]["code"] == "no_index"
    for url in ("/api/search?q=公安部", "/api/suggest?q=gab", "/api/articles/mps-2025"):
        _error(client, url, 503, "no_index")
    page = client.get("/?q=公安部")
    assert page.status_code == 503 and "索引尚未建立" in page.get_data(as_text=True)

    build_index(tmp_path, CORPUS[:3])  # the first reindex: the running app picks it up
    assert client.get("/healthz").get_json()["documents"] == 3
    assert client.get("/api/search?q=公安部").get_json()["total"] == 3
    assert client.get("/api/suggest?q=gab").get_json()["suggestions"][0]["text"] == "公安部"


def test_new_generation_is_picked_up(tmp_path: Path) -> None:
    index_dir = build_index(tmp_path, CORPUS[:2])
    client = create_app({**TEST_CONFIG, "INDEX_DIR": str(index_dir)}).test_client()
    assert client.get("/api/search?q=缅北").get_json()["results"][0]["id"] == "mps-2025"
    assert "缅北电诈园区被全部铲除" not in [
        s["text"] for s in client.get("/api/suggest?q=mb").get_json()["suggestions"]
    ]
    source = tmp_path / "articles" / "articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in CORPUS[:5]), encoding="utf-8")
    from indexer.writer import reindex

    reindex([source], index_dir, full=True, jobs=1)
    assert client.get("/healthz").get_json()["documents"] == 5
    assert "myanmar" in {h["id"] for h in client.get("/api/search?q=缅北").get_json()["results"]}
    assert "缅北电诈园区被全部铲除" in [
        s["text"] for s in client.get("/api/suggest?q=mb").get_json()["suggestions"]
    ]


# -- HTTP errors, CORS, headers, rate limit -----------------------------------------------------------------


def test_unknown_api_path_is_json_404(web_client: FlaskClient) -> None:
    _error(web_client, "/api/nothing", 404, "not_found")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_method_not_allowed(web_client: FlaskClient, method: str) -> None:
    response = web_client.open("/api/search?q=a", method=method)
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_body_too_large(web_client: FlaskClient) -> None:
    _error(web_client, "/api/search?q=a", 413, "payload_too_large", method="POST", data=b"x" * 100_000)
    _error(web_client, "/api/suggest?q=a", 413, "payload_too_large", method="GET", data=b"x" * 100_000)


def test_head_request(web_client: FlaskClient) -> None:
    response = web_client.head("/api/search?q=公安部")
    assert response.status_code == 200 and response.get_data() == b""


def test_cors_default_allows_any_origin(web_client: FlaskClient) -> None:
    response = web_client.get("/api/search?q=公安部", headers={"Origin": "https://elsewhere.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = web_client.options(
        "/api/search", headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in web_client.get("/?q=公安部").headers  # pages are not CORS


def test_cors_configured_origins(make_web_app) -> None:  # type: ignore[no-untyped-def]
    client = make_web_app(CORS_ORIGINS="https://a.example, https://b.example/").test_client()
    allowed = client.get("/api/suggest?q=gab", headers={"Origin": "https://b.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://b.example"
    assert "Origin" in allowed.headers["Vary"]
    other = client.get("/api/suggest?q=gab", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    off = (
        make_web_app(CORS_ORIGINS="")
        .test_client()
        .get("/api/suggest?q=gab", headers={"Origin": "https://a.example"})
    )
    assert "Access-Control-Allow-Origin" not in off.headers


def test_security_headers(web_client: FlaskClient) -> None:
    for url in ("/", "/?q=公安部", "/articles/mps-2025", "/help", "/nothing"):
        headers = web_client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["X-Frame-Options"] == "DENY"
    assert web_client.get("/api/search?q=a").headers["X-Content-Type-Options"] == "nosniff"


def test_rate_limit(make_web_app) -> None:  # type: ignore[no-untyped-def]
    client = make_web_app(RATE_LIMIT="3/minute").test_client()
    for _ in range(3):
        response = client.get("/api/suggest?q=gab")
        assert response.status_code == 200
    assert response.headers["X-RateLimit-Limit"] == "3" and response.headers["X-RateLimit-Remaining"] == "0"
    body = _error(client, "/api/search?q=公安部", 429, "rate_limited")
    assert "3 per 60 s" in body["error"]["message"]
    limited = client.get("/api/suggest?q=gab")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    page = client.get("/?q=公安部")
    assert page.status_code == 429 and "请求太频繁" in page.get_data(as_text=True)
    assert client.get("/healthz").status_code == 200  # never limited: load balancers poll it
    static = client.get("/static/style.css")
    assert static.status_code == 200
    static.close()
    other = client.get("/api/suggest?q=gab", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 200  # per client


def test_rate_limit_is_off_by_default(monkeypatch: pytest.MonkeyPatch, web_index: Path) -> None:
    from web.config import defaults

    monkeypatch.delenv("ZHSEARCH_RATE_LIMIT", raising=False)
    assert defaults()["RATE_LIMIT"] == ""
    app = create_app({"TESTING": True, "INDEX_DIR": str(web_index)})
    assert app.extensions["zhsearch"].settings.rate_limit is None
    assert app.extensions["zhsearch"].limiter is None
    client = app.test_client()
    statuses = {client.get("/api/suggest?q=gab").status_code for _ in range(150)}  # over the old 120/minute
    assert statuses == {200}
    assert "X-RateLimit-Limit" not in client.get("/api/search?q=公安部").headers


def test_admin_api_answers_401_and_403_before_429(make_web_app) -> None:  # type: ignore[no-untyped-def]
    client = make_web_app(RATE_LIMIT="2/hour", ADMIN_TOKEN="tok").test_client()
    good, bad = {"Authorization": "Bearer tok"}, {"Authorization": "Bearer nope"}
    for _ in range(3):  # refused callers are not counted
        _error(client, "/api/admin/status", 401, "unauthorized")
        _error(client, "/api/admin/status", 403, "forbidden", headers=bad)
    assert client.get("/api/admin/status", headers=good).status_code == 200
    assert client.get("/api/suggest?q=gab").status_code == 200  # the limit is used up
    _error(client, "/api/suggest?q=gab", 429, "rate_limited")
    _error(client, "/api/admin/status", 401, "unauthorized")
    _error(client, "/api/admin/reindex", 401, "unauthorized", method="POST")
    _error(client, "/api/admin/status", 403, "forbidden", headers=bad)
    _error(client, "/api/admin/status", 429, "rate_limited", headers=good)
    _error(client, "/api/admin/reindex", 429, "rate_limited", method="POST", headers=good)


def test_rate_limiter_window_slides() -> None:
    from web.security import RateLimiter

    now = [1000.0]
    limiter = RateLimiter(2, 10.0, clock=lambda: now[0])
    assert limiter.hit("a")[0] and limiter.hit("a")[0] and not limiter.hit("a")[0]
    now[0] += 10.0  # next window: the previous one still weighs fully at its start
    assert not limiter.hit("a")[0]
    now[0] += 9.0  # 90 % through: the previous window weighs 0.2
    assert limiter.hit("a")[0]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"RATE_LIMIT": "lots"}, "RATE_LIMIT"),
        ({"RATE_LIMIT": "5/fortnight"}, "RATE_LIMIT"),
        ({"REFRESH_SECONDS": "soon"}, "REFRESH_SECONDS"),
        ({"SUGGEST_TERMS": -1}, "SUGGEST_TERMS"),
        ({"LOG_JSON": "perhaps"}, "LOG_JSON"),
    ],
)
def test_bad_settings_fail_at_start(config: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        create_app({**TEST_CONFIG, **config})


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, web_index: Path) -> None:
    monkeypatch.setenv("ZHSEARCH_INDEX_DIR", str(web_index))
    monkeypatch.setenv("ZHSEARCH_RATE_LIMIT", "7/second")
    monkeypatch.setenv("ZHSEARCH_CORS_ORIGINS", "https://a.example")
    app = create_app({"TESTING": True})
    settings = app.extensions["zhsearch"].settings
    assert settings.rate_limit == (7, 1.0) and settings.cors_origins == ("https://a.example",)
    assert app.test_client().get("/healthz").get_json()["documents"] == len(CORPUS)


def test_rate_limit_behind_a_trusted_proxy(make_web_app) -> None:  # type: ignore[no-untyped-def]
    client = make_web_app(RATE_LIMIT="1/minute", TRUSTED_PROXIES=1).test_client()
    for address in ("203.0.113.1", "203.0.113.2"):
        headers = {"X-Forwarded-For": address}
        assert client.get("/api/suggest?q=gab", headers=headers).status_code == 200
        assert client.get("/api/suggest?q=gab", headers=headers).status_code == 429
