"""The OpenAPI 3 description of the JSON API (served at ``/api/openapi.json``; tests check real responses against it)."""

from __future__ import annotations

import copy
from typing import Any

_STR = {"type": "string"}
_NULLABLE_STR = {"type": "string", "nullable": True}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


_COMMON_ERRORS = {
    "400": _error_response("A parameter is missing or invalid (the message says which)."),
    "405": _error_response("Only GET, HEAD and OPTIONS are allowed."),
    "413": _error_response("The request has a body larger than the limit."),
    "429": _error_response("Too many requests from this client; see the Retry-After header."),
    "503": _error_response("There is no index yet (run `zhsearch reindex`)."),
}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _COMMON_ERRORS[code] for code in codes}


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
                "articles with some of them are returned and `relaxed` is true.",
                "parameters": [
                    _query_param(
                        "q",
                        "The query (at most 256 characters).",
                        {"type": "string", "minLength": 1},
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
                        "Order of the results.",
                        {"type": "string", "enum": ["relevance", "newest", "oldest"], "default": "relevance"},
                    ),
                    _query_param(
                        "from",
                        "First day (inclusive): YYYY-MM-DD, YYYY-MM or YYYY.",
                        {"type": "string", "example": "2024-01-01"},
                    ),
                    _query_param(
                        "to",
                        "Last day (inclusive): YYYY-MM-DD, YYYY-MM or YYYY.",
                        {"type": "string", "example": "2024-12-31"},
                    ),
                    _query_param(
                        "source",
                        "Only these sources (repeatable).",
                        {"type": "array", "items": _STR},
                        style="form",
                        explode=True,
                    ),
                    _query_param(
                        "category",
                        "Only these categories (repeatable).",
                        {"type": "array", "items": _STR},
                        style="form",
                        explode=True,
                    ),
                ],
                "responses": {
                    "200": {
                        **_ok("A page of results.", "SearchResult"),
                        "headers": {
                            "X-Cache": {
                                "description": "`hit` when the page came from the worker's result cache (same "
                                "index version and arguments), else `miss`.",
                                "schema": {"type": "string", "enum": ["hit", "miss"]},
                            }
                        },
                    },
                    **_errors("400", "405", "413", "429", "503"),
                },
            }
        },
        "/api/articles/{id}": {
            "get": {
                "operationId": "getArticle",
                "summary": "One article with related articles",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": _STR}],
                "responses": {
                    "200": _ok("The article.", "Article"),
                    "404": _error_response("No article with this id."),
                    **_errors("405", "413", "429", "503"),
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
                    _query_param("q", "What the user typed so far.", _STR),
                    _query_param(
                        "limit",
                        "Most suggestions returned.",
                        {"type": "integer", "minimum": 1, "maximum": 20, "default": 8},
                    ),
                ],
                "responses": {
                    "200": _ok("Suggestions, best first.", "Suggestions"),
                    **_errors("400", "405", "413", "429", "503"),
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
        "/healthz": {
            "get": {
                "operationId": "health",
                "summary": "Liveness and index facts",
                "responses": {
                    "200": _ok("The index is open.", "Health"),
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
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {
                                "type": "string",
                                "description": "Stable, machine-readable, e.g. `missing_query`.",
                            },
                            "message": {"type": "string", "description": "What went wrong, for a person."},
                        },
                        "additionalProperties": False,
                    }
                },
            },
            "Unavailable": {
                "allOf": [
                    {"$ref": "#/components/schemas/Error"},
                    {
                        "type": "object",
                        "required": ["status"],
                        "properties": {"status": {"type": "string", "enum": ["unavailable"]}},
                    },
                ]
            },
            "Hit": {
                "type": "object",
                "required": [
                    "id",
                    "title",
                    "title_html",
                    "url",
                    "source",
                    "category",
                    "published",
                    "snippet_html",
                    "score",
                ],
                "additionalProperties": False,
                "properties": {
                    "id": _STR,
                    "title": _STR,
                    "title_html": {
                        "type": "string",
                        "description": "HTML-escaped title with matches in <mark>.",
                    },
                    "url": _STR,
                    "source": _STR,
                    "category": _STR,
                    "published": {
                        "type": "string",
                        "nullable": True,
                        "description": "ISO 8601 date or date-time.",
                    },
                    "snippet_html": {
                        "type": "string",
                        "description": "HTML-escaped excerpt with matches in <mark>.",
                    },
                    "score": {"type": "number", "nullable": True},
                },
            },
            "FacetCount": {
                "type": "object",
                "required": ["value", "count"],
                "additionalProperties": False,
                "properties": {
                    "value": {"oneOf": [_STR, {"type": "integer"}]},
                    "count": {"type": "integer", "minimum": 0},
                },
            },
            "SearchResult": {
                "type": "object",
                "required": ["query", "total", "page", "per_page", "took_ms", "relaxed", "results", "facets"],
                "additionalProperties": False,
                "properties": {
                    "query": _STR,
                    "total": {"type": "integer", "minimum": 0},
                    "page": {"type": "integer", "minimum": 1},
                    "per_page": {"type": "integer", "minimum": 1, "maximum": 50},
                    "took_ms": {"type": "number", "minimum": 0},
                    "relaxed": {"type": "boolean", "description": "True when no article has all the words."},
                    "results": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                    "facets": {
                        "type": "object",
                        "description": "Counts over all matches (not only this page).",
                        "required": ["source", "category", "year"],
                        "additionalProperties": False,
                        "properties": {
                            name: {"type": "array", "items": {"$ref": "#/components/schemas/FacetCount"}}
                            for name in ("source", "category", "year")
                        },
                    },
                },
            },
            "RelatedArticle": {
                "type": "object",
                "required": ["id", "title", "url", "source", "category", "published"],
                "additionalProperties": False,
                "properties": {
                    "id": _STR,
                    "title": _STR,
                    "url": _STR,
                    "source": _STR,
                    "category": _STR,
                    "published": _NULLABLE_STR,
                },
            },
            "Article": {
                "type": "object",
                "required": [
                    "id",
                    "title",
                    "url",
                    "source",
                    "category",
                    "author",
                    "published",
                    "tags",
                    "body",
                    "partial",
                    "related",
                ],
                "additionalProperties": False,
                "properties": {
                    "id": _STR,
                    "title": _STR,
                    "url": _STR,
                    "source": _STR,
                    "category": _STR,
                    "author": _STR,
                    "published": _NULLABLE_STR,
                    "tags": {"type": "array", "items": _STR},
                    "body": {
                        "type": "string",
                        "description": "Plain text; paragraphs separated by newlines.",
                    },
                    "partial": {
                        "type": "boolean",
                        "description": "A summary taken from another page's related-articles list, not the full text.",
                    },
                    "related": {
                        "type": "array",
                        "maxItems": 5,
                        "items": {"$ref": "#/components/schemas/RelatedArticle"},
                    },
                },
            },
            "Suggestion": {
                "type": "object",
                "required": ["text", "kind"],
                "additionalProperties": False,
                "properties": {
                    "text": _STR,
                    "kind": {"type": "string", "enum": ["term", "title"]},
                    "id": {"type": "string", "description": "The article, for a title."},
                },
            },
            "Suggestions": {
                "type": "object",
                "required": ["query", "suggestions"],
                "additionalProperties": False,
                "properties": {
                    "query": _STR,
                    "suggestions": {"type": "array", "items": {"$ref": "#/components/schemas/Suggestion"}},
                },
            },
            "Health": {
                "type": "object",
                "required": ["status", "documents"],
                "properties": {
                    "status": {"type": "string", "enum": ["ok"]},
                    "documents": {"type": "integer", "minimum": 0},
                    "generation": {
                        "type": "string",
                        "nullable": True,
                        "description": "The live index generation.",
                    },
                },
            },
        }
    },
}


def openapi_document(server_url: str | None = None) -> dict[str, Any]:
    """The OpenAPI document (a copy, so a caller cannot change the served one)."""
    doc = copy.deepcopy(OPENAPI)
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc
