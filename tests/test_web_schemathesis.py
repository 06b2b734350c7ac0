"""Schemathesis (property-based, all its checks: ``--checks all``) against the app in process, from
/api/openapi.json, and against ``zhsearch serve`` (gunicorn, which answers some requests before the app).

Every operation, admin ones included, gets generated valid and invalid requests: each answer must have a
documented status, content type, headers and a body matching its schema; valid requests must be accepted and
invalid ones rejected with a 4xx. The admin API is on, and schemathesis does not know its token (it gets
401/403, which is what an unauthorized caller must get; ``GET /api/admin/status`` is also called with the
token so its 200 body is checked). Two rules OpenAPI 3.0 cannot state (from <= to, page within the first
1,000 results at per_page) are applied to generated ``/api/search`` requests first; ``/feed.atom`` needs
none. Bounded: a few examples per operation; the feed's reversed range and a request line over 8 KB called by
name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from schemathesis.checks import CHECKS, load_all_checks
from web_fixtures import TEST_CONFIG, LiveServer

from search.errors import SearchError
from search.request import DEFAULT_PER_PAGE, MAX_PER_PAGE, last_page, parse_day
from web import create_app
from web.openapi import openapi_document

TOKEN = "schemathesis-does-not-know-it"
MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def admin_app(web_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app(
        {
            **TEST_CONFIG,
            "INDEX_DIR": str(web_index),
            "ADMIN_TOKEN": TOKEN,
            "ARTICLES_DIR": str(tmp_path_factory.mktemp("no-articles")),
        }
    )


def _configured(loaded: schemathesis.BaseSchema) -> schemathesis.BaseSchema:
    loaded.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)
    load_all_checks()
    loaded.config.checks.update(included_check_names=["all"])  # the CLI's --checks all
    return loaded


def _load_schema() -> schemathesis.BaseSchema:
    # loaded at import from an app without an index (the document needs none): schemathesis 4.32's lazy
    # ``schemathesis.pytest.from_fixture`` fails under pytest 9 (``Function._nodeid``); the calls go to admin_app
    bare = create_app({**TEST_CONFIG, "INDEX_DIR": "/nonexistent/zhsearch-index"})
    return _configured(schemathesis.openapi.from_wsgi("/api/openapi.json", bare))


schema = _load_schema()
#: The same document without an app: its calls go over HTTP (to the live server's base_url).
http_schema = _configured(schemathesis.openapi.from_dict(openapi_document()))


def _keep_search_rules(case: schemathesis.Case) -> None:
    """Two rules of ``/api/search`` that OpenAPI 3.0 cannot state (its 400 describes them), applied to every
    generated search: ``from`` is not after ``to`` (else 400 bad_date_range), ``page`` is within the first 1,000
    results at ``per_page`` (else 400 page_out_of_range). Values that are not valid are left alone (they must
    be rejected). ``/feed.atom`` gets none: it answers ``from`` after ``to`` with a feed without entries."""
    query = case.query
    if not query or case.path != "/api/search":
        return
    try:
        start = parse_day(query["from"], "date_from") if isinstance(query.get("from"), str) else None
        end = parse_day(query["to"], "date_to", end=True) if isinstance(query.get("to"), str) else None
    except SearchError:
        start = end = None
    if start and end and start > end:
        query["from"], query["to"] = query["to"], query["from"]
    per_page, page = query.get("per_page", DEFAULT_PER_PAGE), query.get("page")
    if isinstance(per_page, int) and 1 <= per_page <= MAX_PER_PAGE and isinstance(page, int):
        query["page"] = min(page, last_page(per_page))


def test_every_check_of_schemathesis_is_on() -> None:
    """``--checks all``: every check schemathesis registers runs on each answer (max_response_time has no
    limit set, so it has nothing to check)."""
    checks = schema.config.checks
    names = {check.__name__ for check in CHECKS.get_all()}
    assert "positive_data_acceptance" in names and "negative_data_rejection" in names
    off = [name for name in names - {"max_response_time"} if not checks.get_by_name(name=name).enabled]
    assert off == []


@pytest.fixture(scope="module")
def live_server(web_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``zhsearch serve`` (gunicorn) over the same index and settings as :func:`admin_app`."""
    env = {
        "ZHSEARCH_ADMIN_TOKEN": TOKEN,
        "ZHSEARCH_ARTICLES_DIR": str(tmp_path_factory.mktemp("no-articles-live")),
        "ZHSEARCH_RATE_LIMIT": "",
    }
    server = LiveServer(web_index, "--threads", "2", env=env).wait_ready()
    yield server
    server.stop()


@schema.parametrize()
def test_the_app_agrees_with_its_openapi_document(case: schemathesis.Case, admin_app: Flask) -> None:
    _keep_search_rules(case)
    case.call_and_validate(app=admin_app)
    if case.path == "/api/admin/status" and case.method == "GET":
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}
        # the token is right here: the checks that expect a wrongly authorized call to fail do not apply
        skip = [schemathesis.checks.ignored_auth, schemathesis.checks.missing_required_header]
        response = case.call_and_validate(app=admin_app, excluded_checks=skip)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2025-02", "to": "2025-01"},
        {"q": "诈骗", "from": "2024-03-05", "to": "2024-03-04", "source": "新华社"},
    ],
)
def test_a_feed_from_after_to_passes_every_check(query: dict[str, str], admin_app: Flask) -> None:
    """Valid by the document (each date is), so positive_data_acceptance wants it answered: it was a 400
    (issue 26); it is a feed without entries."""
    case = schema["/feed.atom"]["GET"].Case(query=query)
    response = case.call_and_validate(app=admin_app)
    assert response.status_code == 200 and "<entry>" not in response.text


@pytest.mark.slow
@http_schema.parametrize()
def test_the_real_server_agrees_with_its_openapi_document(
    case: schemathesis.Case, live_server: LiveServer
) -> None:
    """The same through ``zhsearch serve``: what gunicorn answers before the app (issue 26: an HTML 414 for a
    request line over 8 KB) is checked too."""
    _keep_search_rules(case)
    case.call_and_validate(base_url=live_server.url)


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/api/search", "/api/suggest", "/feed.atom", "/api/admin/status"])
def test_a_request_line_over_8_kb_is_a_documented_json_414(path: str, live_server: LiveServer) -> None:
    """Every check on gunicorn's refusal of a 27 KB request line: a status the document lists, JSON, the Error
    schema (it was gunicorn's HTML page)."""
    case = http_schema[path]["GET"].Case(query={"q": "诈" * 3000})
    response = case.call_and_validate(base_url=live_server.url)
    assert response.status_code == 414 and response.json()["error"]["code"] == "uri_too_long"
