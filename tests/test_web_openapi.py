"""The OpenAPI document is valid and describes the real responses, for fixed and for generated requests.

Generated requests (hypothesis) mix valid values with hostile ones: any Unicode text, NUL bytes, huge and
negative numbers, bad dates, invalid percent-encoded UTF-8, unknown parameters. Every response must have a
status the document lists for the operation and a body matching its schema; a 500 is never one of them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate as validate_spec
from prometheus_client.parser import text_string_to_metric_families

from web.openapi import OPENAPI

_OPERATIONS = {
    "/api/search": "/api/search",
    "/api/suggest": "/api/suggest",
    "/api/openapi.json": "/api/openapi.json",
    "/healthz": "/healthz",
}


def check_response(template: str, status: int, body: Any) -> None:
    """Assert ``status`` is documented for ``GET template`` and ``body`` matches its schema."""
    responses = OPENAPI["paths"][template]["get"]["responses"]
    assert str(status) in responses, f"{template}: undocumented status {status}: {body}"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    OAS30Validator({**schema, "components": OPENAPI["components"]}).validate(body)


def test_document_is_valid_openapi(web_app: Flask) -> None:
    validate_spec(OPENAPI)
    served = web_app.test_client().get("/api/openapi.json")
    assert served.status_code == 200 and served.get_json() == OPENAPI


FIXED = [
    ("/api/search", "/api/search?q=公安部"),
    ("/api/search", "/api/search?q=诈骗&per_page=3&page=2&sort=newest&source=新华社&source=人民日报"),
    ("/api/search", "/api/search?q=公安部 世界杯"),
    ("/api/search", "/api/search?q=火星殖民地"),
    ("/api/search", "/api/search?q=诈骗&category=法治&from=2024&to=2025-06"),
    ("/api/search", "/api/search"),
    ("/api/search", "/api/search?q=a&page=0"),
    ("/api/search", "/api/search?q=a&page=1000"),
    ("/api/articles/{id}", "/api/articles/mps-2025"),
    ("/api/articles/{id}", "/api/articles/luogu"),
    ("/api/articles/{id}", "/api/articles/nope"),
    ("/api/suggest", "/api/suggest?q=gab"),
    ("/api/suggest", "/api/suggest?q=國際"),
    ("/api/suggest", "/api/suggest"),
    ("/api/suggest", "/api/suggest?q=a&limit=99"),
    ("/healthz", "/healthz"),
]


@pytest.mark.parametrize(("template", "url"), FIXED)
def test_fixed_requests_match_the_document(web_app: Flask, template: str, url: str) -> None:
    response = web_app.test_client().get(url)
    check_response(template, response.status_code, response.get_json())


def test_errors_match_the_document(make_web_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    limited = make_web_app(RATE_LIMIT="1/hour").test_client()
    limited.get("/api/suggest?q=a")
    response = limited.get("/api/search?q=a")
    check_response("/api/search", response.status_code, response.get_json())
    assert response.status_code == 429
    missing = make_web_app(INDEX_DIR=str(tmp_path)).test_client()
    for template, url in (
        ("/api/search", "/api/search?q=a"),
        ("/healthz", "/healthz"),
        ("/api/suggest", "/api/suggest?q=a"),
    ):
        response = missing.get(url)
        assert response.status_code == 503
        check_response(template, response.status_code, response.get_json())
    client = make_web_app().test_client()
    response = client.post("/api/search?q=a")
    check_response("/api/search", response.status_code, response.get_json())


# -- generated requests -------------------------------------------------------------------------------------

_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
_WORDS = st.sampled_from(
    ["公安部", "诈骗", "詐騙", "缅北", "世界杯", "gab", "gonganbu", "5G", "人工智能", "锣鼓经"]
)
_QUERY_TEXT = st.one_of(
    _WORDS,
    st.lists(_WORDS, min_size=1, max_size=4).map(" ".join),
    st.builds(
        lambda a, op, b: f"{a} {op} {b}",
        _WORDS,
        st.sampled_from(["OR", "|", "-", '"', "(", ")", "title:", "date:"]),
        _WORDS,
    ),
    _TEXT,
    st.text(st.sampled_from('"()|-:：“”「」 \x00\t.。'), max_size=20),
    st.integers(250, 300).map(lambda n: "诈" * n),
)
_NUMBER = st.one_of(
    st.integers(-5, 120).map(str),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["", "1.5", "0x10", "１", "1e3", " 2 ", "+3", "NaN", "9" * 30]),
    _TEXT,
)
_DATE = st.one_of(
    st.dates().map(str),
    st.sampled_from(
        ["2024", "2024-02", "2024-02-30", "2024-13-01", "0000-01-01", "yesterday", "2024/01/01", ""]
    ),
    _TEXT,
)
_RAW = st.sampled_from(["%ff", "%fe%ff", "%e5%85", "%00", "%C0%80", "%ED%A0%80", "%", "%zz", "%2"])


def _encode(value: str) -> str:
    return quote(value, safe="")


@st.composite
def search_requests(draw: st.DrawFn) -> str:
    parts: list[str] = []
    if draw(st.booleans()) or draw(st.booleans()):
        parts.append("q=" + _encode(draw(_QUERY_TEXT)))
    for name, strategy in (
        ("page", _NUMBER),
        ("per_page", _NUMBER),
        ("sort", st.one_of(st.sampled_from(["relevance", "newest", "oldest"]), _TEXT)),
        ("from", _DATE),
        ("to", _DATE),
    ):
        if draw(st.integers(0, 3)) == 0:
            parts.append(f"{name}=" + _encode(draw(strategy)))
    for name in ("source", "category"):
        for value in draw(
            st.lists(st.one_of(st.sampled_from(["新华社", "人民日报", "法治", "国际"]), _TEXT), max_size=3)
        ):
            parts.append(f"{name}=" + _encode(value))
    if draw(st.integers(0, 4)) == 0:
        parts.append(draw(st.sampled_from(["q", "page", "from", "source", "x"])) + "=" + draw(_RAW))
    if draw(st.integers(0, 6)) == 0:
        parts.append(_encode(draw(_TEXT)) + "=" + _encode(draw(_TEXT)))
    return "&".join(draw(st.permutations(parts)))


@st.composite
def suggest_requests(draw: st.DrawFn) -> str:
    parts = []
    if draw(st.booleans()):
        parts.append("q=" + _encode(draw(st.one_of(_WORDS, _TEXT, _QUERY_TEXT))))
    if draw(st.integers(0, 3)) == 0:
        parts.append("limit=" + _encode(draw(_NUMBER)))
    if draw(st.integers(0, 4)) == 0:
        parts.append("q=" + draw(_RAW))
    return "&".join(parts)


_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(query=search_requests())
def test_generated_searches(web_app: Flask, query: str) -> None:
    response = web_app.test_client().get("/api/search?" + query)
    assert response.status_code in (200, 400), (query, response.get_data(as_text=True))
    check_response("/api/search", response.status_code, response.get_json())


@_SETTINGS
@given(query=suggest_requests())
def test_generated_suggestions(web_app: Flask, query: str) -> None:
    response = web_app.test_client().get("/api/suggest?" + query)
    assert response.status_code in (200, 400), (query, response.get_data(as_text=True))
    check_response("/api/suggest", response.status_code, response.get_json())


@_SETTINGS
@given(doc_id=st.one_of(_TEXT.filter(bool), st.sampled_from(["mps-2025", "case01", "luogu"]), _RAW))
def test_generated_article_ids(web_app: Flask, doc_id: str) -> None:
    path = doc_id if doc_id.startswith("%") else _encode(doc_id)
    response = web_app.test_client().get("/api/articles/" + path)
    assert response.status_code in (200, 404), (doc_id, response.get_data(as_text=True))
    check_response("/api/articles/{id}", response.status_code, response.get_json())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=search_requests())
def test_generated_search_pages(web_app: Flask, query: str) -> None:
    response = web_app.test_client().get("/?" + query)
    assert response.status_code in (200, 400), (query, response.get_data(as_text=True)[:500])
    assert response.mimetype == "text/html" and "Traceback" not in response.get_data(as_text=True)


# -- what the document says is what the app does --------------------------------------------------------------


def test_admin_endpoints_are_documented_with_the_bearer_scheme() -> None:
    assert OPENAPI["components"]["securitySchemes"] == {
        "adminToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "The value of `ZHSEARCH_ADMIN_TOKEN` (compared in constant time).",
        }
    }
    status = OPENAPI["paths"]["/api/admin/status"]["get"]
    reindex = OPENAPI["paths"]["/api/admin/reindex"]["post"]
    assert status["security"] == reindex["security"] == [{"adminToken": []}]
    assert sorted(status["responses"]) == ["200", "401", "403", "404", "405", "413", "414", "429"]
    assert sorted(reindex["responses"]) == [
        "202",
        "400",
        "401",
        "403",
        "404",
        "405",
        "409",
        "413",
        "414",
        "429",
        "500",
    ]


def test_admin_answers_match_the_document(make_web_app) -> None:  # type: ignore[no-untyped-def]
    client = make_web_app(ADMIN_TOKEN="tok").test_client()
    for headers, status in (
        ({}, 401),
        ({"Authorization": "Bearer no"}, 403),
        ({"Authorization": "Bearer tok"}, 200),
    ):
        response = client.get("/api/admin/status", headers=headers)
        assert response.status_code == status
        responses = OPENAPI["paths"]["/api/admin/status"]["get"]["responses"]
        schema = responses[str(status)]["content"]["application/json"]["schema"]
        OAS30Validator({**schema, "components": OPENAPI["components"]}).validate(response.get_json())
    off = make_web_app().test_client().get("/api/admin/status", headers={"Authorization": "Bearer tok"})
    assert off.status_code == 404  # documented: the admin API is off without a token


def test_dates_are_format_date_or_a_year_or_month() -> None:
    params = {p["name"]: p["schema"] for p in OPENAPI["paths"]["/api/search"]["get"]["parameters"]}
    for name in ("from", "to"):
        assert {"format": "date"} in params[name]["anyOf"]
    validator = OAS30Validator(params["from"], format_checker=OAS30Validator.FORMAT_CHECKER)
    for good in ("2024-01-31", "2024-02", "2024", ""):
        validator.validate(good)
    for bad in ("2024-13-45", "2024-02-30", "2024-1-5", " 2024", "2024-13", "0000", "２０２４", "yesterday"):
        assert not validator.is_valid(bad), bad


@pytest.mark.parametrize("value", ["2024-01-31", "2024-02", "2024", ""])
def test_schema_valid_dates_are_accepted(web_app: Flask, value: str) -> None:
    assert web_app.test_client().get(f"/api/search?q=诈骗&from={value}&to={value}").status_code == 200


@pytest.mark.parametrize(
    "value",
    [
        "2024-13-45",
        "2024-02-30",
        "2024-1-5",
        "%202024",
        "2024-13",
        "0000",
        "%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%94",
    ],
)
def test_schema_invalid_dates_are_rejected(web_app: Flask, value: str) -> None:
    response = web_app.test_client().get(f"/api/search?q=诈骗&from={value}")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_date"


@pytest.mark.parametrize(
    "url",
    [
        "/api/suggest?q=a&limit=",
        "/api/suggest?q=a&limit=%202",
        "/api/suggest?q=a&limit=%2B3",
        "/api/search?q=a&page=",
        "/api/search?q=a&per_page=",
        "/api/search?q=a&sort=",
        "/api/search?q=a&sort=%20newest",
    ],
)
def test_empty_or_padded_values_are_a_400(web_app: Flask, url: str) -> None:
    response = web_app.test_client().get(url)
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "bad_parameter"
    check_response(url.split("?")[0], 400, response.get_json())


def test_metrics_answers_match_the_document(make_web_app) -> None:  # type: ignore[no-untyped-def]
    responses = OPENAPI["paths"]["/metrics"]["get"]["responses"]
    response = make_web_app().test_client().get("/metrics")
    assert response.status_code == 200
    assert [response.headers["Content-Type"]] == list(responses["200"]["content"])
    description = OPENAPI["paths"]["/metrics"]["get"]["description"]
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        assert f"`{family.name}" in description, f"{family.name} is not documented"
    off = make_web_app(METRICS="0").test_client().get("/metrics")
    check_response("/metrics", off.status_code, off.get_json())
    post = make_web_app().test_client().post("/metrics")
    check_response("/metrics", post.status_code, post.get_json())


def test_every_operation_documents_the_servers_414() -> None:
    for path, operations in OPENAPI["paths"].items():
        for method, operation in operations.items():
            assert operation["responses"]["414"]["content"]["application/json"], (method, path)
