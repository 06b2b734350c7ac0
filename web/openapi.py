"""The OpenAPI 3 description of the JSON API (served at ``/api/openapi.json``; tests check real responses against it)."""

from __future__ import annotations

import copy
from typing import Any

from search.query import MAX_QUERY_CHARS
from web.openapi_admin import ADMIN_PATHS, ADMIN_SCHEMAS, SECURITY_SCHEMES
from web.openapi_common import STR, error_response, errors, ok, search_errors
from web.openapi_feeds import FEED_SCHEMAS, SUGGEST_FORMAT_PARAMETER, SUGGEST_OPENSEARCH_CONTENT, feed_paths
from web.openapi_schemas import SCHEMAS
from web.params import MAX_FILTER_VALUES, MAX_VALUE_CHARS, SORTS

#: A value with something in it besides spaces and control characters (web/params.py drops those).
#: The codes of a search's 400 (web/params.py).
SEARCH_ERROR_CODES = (
    "missing_query",
    "query_too_long",
    "bad_parameter",
    "value_too_long",
    "bad_date",
    "bad_date_range",
    "page_out_of_range",
)
VISIBLE = "[^\\s\\x00-\\x1f\\x7f]"
#: ``source`` and ``category``: repeatable, each value a string (an empty one is ignored).
FILTER_VALUES: dict[str, Any] = {
    "type": "array",
    "maxItems": MAX_FILTER_VALUES,
    "items": {"type": "string", "maxLength": MAX_VALUE_CHARS},
}
#: ``from`` and ``to``: a calendar date, a year-month or a year (web/params.py reads exactly these), or empty.
DATE_PARAM: dict[str, Any] = {
    "type": "string",
    "anyOf": [
        {"format": "date"},
        {"pattern": "^(?!0000)[0-9]{4}(-(0[1-9]|1[0-2]))?$"},
        {"maxLength": 0},
    ],
}


def _query_param(name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "zhsearch",
        "version": "1.0.0",
        "description": "Full-text search over Chinese news articles. All text is UTF-8; Chinese is returned as is, "
        'not as \\u escapes. Every error is `{"error": {"code", "message"}}` with the HTTP status.',
    },
    "servers": [{"url": "/"}],
    "paths": {
        "/api/search": {
            "get": {
                "operationId": "search",
                "summary": "Search articles",
                "description": 'Space-separated words must all match; `"exact phrase"`, `-exclude`, `A OR B`, '
                "`title:` `source:` `category:` `date:2024-01..2024-06`. When no article has all the words, "
                "articles with some of them are returned and `relaxed` is true. A long query (four words or "
                "more, or a question) lists the articles with all the words first, then, ranked by how well they "
                "match, those with some of them (`relaxed` stays false when the first ones have them all).",
                "parameters": [
                    _query_param(
                        "q",
                        f"The query (at most {MAX_QUERY_CHARS} characters, with a character that is neither a "
                        "space nor a control character).",
                        {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS, "pattern": VISIBLE},
                        required=True,
                    ),
                    _query_param(
                        "page",
                        "Page number; results beyond the 1,000th are not served.",
                        {"type": "integer", "minimum": 1, "default": 1},
                    ),
                    _query_param(
                        "per_page",
                        "Results per page.",
                        {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                    ),
                    _query_param(
                        "sort",
                        "Order of the results: `relevance`; `fresh` (最新相关), relevance times a decay on "
                        "age, `0.5 ** (age_days / half_life)` with the half-life `ZHSEARCH_FRESH_HALF_LIFE_DAYS` "
                        "(default 30 days; an undated article gets the factor of the oldest dated match); "
                        "`newest` or `oldest` by publication time (undated last).",
                        {"type": "string", "enum": list(SORTS), "default": "relevance"},
                    ),
                    _query_param(
                        "from",
                        "First day (inclusive): YYYY-MM-DD, YYYY-MM or YYYY (China time); empty: no bound.",
                        {**DATE_PARAM, "example": "2024-01-01"},
                    ),
                    _query_param(
                        "to",
                        "Last day (inclusive): YYYY-MM-DD, YYYY-MM or YYYY (China time); empty: no bound.",
                        {**DATE_PARAM, "example": "2024-12-31"},
                    ),
                    _query_param(
                        "source",
                        "Only these sources (repeatable).",
                        FILTER_VALUES,
                        style="form",
                        explode=True,
                    ),
                    _query_param(
                        "category",
                        "Only these categories (repeatable).",
                        FILTER_VALUES,
                        style="form",
                        explode=True,
                    ),
                    _query_param(
                        "spellcheck",
                        "`1` (default): a word typed in pinyin (`zhapian`, `gab`, `公an部`) or a homophone slip "
                        "(`炸骗`) gets a `suggestion`, whose results may be shown instead (`corrected`). `0`: "
                        "search the words exactly as typed.",
                        {"type": "string", "enum": ["0", "1", "true", "false"], "default": "1"},
                    ),
                    _query_param(
                        "collapse",
                        "`1` (default): the copies of a story (near-duplicates found at index time) are one "
                        "result, the best-ranked copy, listing the others in `duplicates`; `0`: every copy.",
                        {"type": "string", "enum": ["0", "1", "true", "false"], "default": "1"},
                    ),
                ],
                "responses": {
                    "200": {
                        **ok("A page of results.", "SearchResult"),
                        "headers": {
                            "X-Cache": {
                                "description": "`hit` when the page came from the worker's result cache (same "
                                "index version and arguments), else `miss`.",
                                "schema": {"type": "string", "enum": ["hit", "miss"]},
                            }
                        },
                    },
                    **search_errors(*SEARCH_ERROR_CODES),
                },
            }
        },
        "/api/articles/{id}": {
            "get": {
                "operationId": "getArticle",
                "summary": "One article with related articles",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": STR}],
                "responses": {
                    "200": ok("The article.", "Article"),
                    "404": error_response("No article with this id."),
                    **errors("405", "413", "429", "503"),
                },
            }
        },
        "/api/suggest": {
            "get": {
                "operationId": "suggest",
                "summary": "Suggestions for a prefix",
                "description": "Frequent terms and article titles starting with the prefix, in Chinese characters "
                "(traditional or simplified) or in pinyin: full spelling (`gonganbu`) or initials (`gab`).",
                "parameters": [
                    _query_param(
                        "q",
                        f"What the user typed so far (at most {MAX_QUERY_CHARS} characters, as a query).",
                        {"type": "string", "maxLength": MAX_QUERY_CHARS},
                    ),
                    _query_param(
                        "limit",
                        "Most suggestions returned.",
                        {"type": "integer", "minimum": 1, "maximum": 20, "default": 8},
                    ),
                    SUGGEST_FORMAT_PARAMETER,
                ],
                "responses": {
                    "200": {
                        **ok("Suggestions, best first.", "Suggestions"),
                        "content": {**ok("", "Suggestions")["content"], **SUGGEST_OPENSEARCH_CONTENT},
                    },
                    **errors("400", "405", "413", "429", "503"),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This description",
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        **ADMIN_PATHS,
        "/metrics": {
            "get": {
                "operationId": "metrics",
                "summary": "Prometheus metrics",
                "description": "Prometheus text format 0.0.4, every gunicorn worker added up: "
                "`zhsearch_http_requests_total` (by `endpoint`, the route; `method`; `status`), "
                "`zhsearch_http_request_duration_seconds` (by `endpoint`), `zhsearch_http_requests_in_progress`, "
                "`zhsearch_search_duration_seconds` and `zhsearch_result_cache_requests_total` (by cache `hit` "
                "or `miss`), and the index read when scraped: `zhsearch_index_up`, `zhsearch_index_documents`, "
                "`zhsearch_index_generation`, `zhsearch_index_commit`, `zhsearch_index_commit_timestamp_seconds`, "
                "`zhsearch_last_reindex_timestamp_seconds`, `zhsearch_last_reindex_duration_seconds`, "
                "`zhsearch_last_reindex_success` (the last reindex started from the admin API). No token; "
                "`ZHSEARCH_METRICS=0` turns it off (404).",
                "responses": {
                    "200": {
                        "description": "The metrics.",
                        "content": {"text/plain; version=0.0.4; charset=utf-8": {"schema": STR}},
                    },
                    "404": error_response("Metrics are off (`ZHSEARCH_METRICS=0`)."),
                    **errors("405", "413"),
                },
            }
        },
        "/healthz": {
            "get": {
                "operationId": "health",
                "summary": "Liveness and index facts",
                "responses": {
                    "200": ok("The index is open.", "Health"),
                    "503": {
                        "description": "No index yet.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Unavailable"}}
                        },
                    },
                },
            }
        },
    },
    "components": {
        "securitySchemes": SECURITY_SCHEMES,
        "schemas": {
            **ADMIN_SCHEMAS,
            **SCHEMAS,
        },
    },
}

OPENAPI["paths"].update(feed_paths(OPENAPI["paths"]["/api/search"]["get"]["parameters"]))
OPENAPI["components"]["schemas"].update(FEED_SCHEMAS)

#: Answered by the server before the app (web/workers.py), whatever the operation.
URI_TOO_LONG = error_response(
    "The request line is longer than 8,190 bytes (a URL over about 8 KB): `uri_too_long`, with "
    "`Connection: close`."
)
for _operations in OPENAPI["paths"].values():
    for _operation in _operations.values():
        _operation["responses"].setdefault("414", URI_TOO_LONG)


def openapi_document(server_url: str | None = None) -> dict[str, Any]:
    """The OpenAPI document (a copy, so a caller cannot change the served one)."""
    doc = copy.deepcopy(OPENAPI)
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc
