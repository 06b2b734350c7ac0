"""The admin API's part of the OpenAPI document (web/admin.py): its paths, schemas and the bearer scheme."""

from __future__ import annotations

from typing import Any

from web.openapi_common import NULLABLE_STR, STR, error_response, errors, ok

_AUTH_ERRORS = {
    "401": error_response("No `Authorization: Bearer <token>` header (with a `WWW-Authenticate` header)."),
    "403": error_response("Another token than `ZHSEARCH_ADMIN_TOKEN`."),
    "404": error_response("The admin API is off: `ZHSEARCH_ADMIN_TOKEN` is not set."),
}
_SECURITY = [{"adminToken": []}]
_NULLABLE_INT = {"type": "integer", "nullable": True}
_ANY_OBJECT = {"type": "object", "additionalProperties": True}

SECURITY_SCHEMES: dict[str, Any] = {
    "adminToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "The value of `ZHSEARCH_ADMIN_TOKEN` (compared in constant time).",
    }
}

ADMIN_PATHS: dict[str, Any] = {
    "/api/admin/status": {
        "get": {
            "operationId": "adminStatus",
            "summary": "The index, its analysis and the reindex runs",
            "security": _SECURITY,
            "responses": {
                "200": ok("What the index and the reindex runs are doing.", "AdminStatus"),
                **_AUTH_ERRORS,
                **errors("405", "413", "429"),
            },
        }
    },
    "/api/admin/reindex": {
        "post": {
            "operationId": "adminReindex",
            "summary": "Start a reindex of `ZHSEARCH_ARTICLES_DIR` in the background",
            "description": "One at a time across all workers; progress and result in `GET /api/admin/status`.",
            "security": _SECURITY,
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "full": {
                                    "type": "boolean",
                                    "default": False,
                                    "description": "A fresh build swapped in atomically.",
                                }
                            },
                        }
                    }
                },
            },
            "responses": {
                "202": ok("The reindex started.", "ReindexStarted"),
                "400": error_response("The body is not a JSON object, or `full` is not a boolean."),
                **_AUTH_ERRORS,
                "409": error_response("A reindex is running (started here or from a shell)."),
                "405": error_response("Only POST is allowed."),
                "500": error_response("The index directory cannot be written, or the reindex cannot start."),
                **errors("413", "429"),
            },
        }
    },
}

ADMIN_PATHS["/api/admin/stats"] = {
    "get": {
        "operationId": "adminQueryStats",
        "summary": "What readers search for: the most frequent queries, and those without results",
        "description": "Counted per China-time day and normalized query (NFKC, lower case, single spaces) when "
        "a results page or `/api/search` answers a first page; no address or cookie is kept. Kept "
        "`ZHSEARCH_STATS_DAYS` days (`0`: nothing is recorded). The other workers' latest counts are at "
        "most a few seconds old.",
        "security": _SECURITY,
        "parameters": [
            {
                "name": "days",
                "in": "query",
                "description": "The last this many days, today included (default: the days kept, or 90).",
                "schema": {"type": "integer", "minimum": 1, "maximum": 3660},
            },
            {
                "name": "limit",
                "in": "query",
                "description": "Queries in each list.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 20},
            },
        ],
        "responses": {
            "200": ok("The counts.", "QueryStats"),
            "400": error_response("`days` or `limit` is not a whole number in its range."),
            **_AUTH_ERRORS,
            "503": error_response("The stats database cannot be read."),
            **errors("405", "413", "429"),
        },
    }
}

_COUNT = {"type": "integer", "minimum": 0}
_DAY = {"type": "string", "format": "date"}

ADMIN_SCHEMAS: dict[str, Any] = {
    "AdminStatus": {
        "type": "object",
        "required": [
            "index",
            "status",
            "documents",
            "generation",
            "analysis",
            "needs_full_rebuild",
            "needs_full_rebuild_reason",
            "reindex",
            "last_run",
        ],
        "additionalProperties": False,
        "properties": {
            "index": {"type": "string", "description": "The index directory."},
            "status": {"type": "string", "enum": ["ok", "unavailable"]},
            "documents": _NULLABLE_INT,
            "generation": NULLABLE_STR,
            "error": {"type": "string", "description": "Why the index cannot be read (when unavailable)."},
            "analysis": {
                "type": "object",
                "required": ["analyzer_version", "userdict", "fingerprint", "index_fingerprint"],
                "additionalProperties": False,
                "properties": {
                    "analyzer_version": {"type": "integer"},
                    "userdict": STR,
                    "userdict_words": {"type": "integer", "minimum": 0},
                    "fingerprint": {**NULLABLE_STR, "description": "Of the current user dictionary."},
                    "index_fingerprint": {
                        **NULLABLE_STR,
                        "description": "Of the dictionary the index was built with.",
                    },
                    "error": {"type": "string", "description": "Why the user dictionary cannot be read."},
                },
            },
            "needs_full_rebuild": {"type": "boolean"},
            "needs_full_rebuild_reason": NULLABLE_STR,
            "synonyms": {
                "type": "object",
                "required": ["path", "words", "error"],
                "additionalProperties": False,
                "properties": {
                    "path": STR,
                    "words": {"type": "integer", "minimum": 0},
                    "error": NULLABLE_STR,
                },
            },
            "reindex": {
                "type": "object",
                "required": ["running"],
                "additionalProperties": False,
                "properties": {
                    "running": {"type": "boolean"},
                    "current": {
                        "type": "object",
                        "required": ["pid", "started_by"],
                        "properties": {
                            "pid": {"type": "integer"},
                            "started_by": {"type": "string", "enum": ["admin API", "other"]},
                            "started": NULLABLE_STR,
                            "full": {"type": "boolean", "nullable": True},
                            "progress": {**_ANY_OBJECT, "nullable": True},
                        },
                    },
                },
            },
            "last_run": {
                **_ANY_OBJECT,
                "nullable": True,
                "description": "The last reindex that ended: `state` finished (with `summary`), failed (with "
                "`error`) or interrupted.",
                "properties": {
                    "state": {"type": "string", "enum": ["finished", "failed", "interrupted", "running"]}
                },
            },
        },
    },
    "QueryStats": {
        "type": "object",
        "required": [
            "days",
            "from",
            "to",
            "kept_days",
            "searches",
            "queries",
            "no_result_searches",
            "top",
            "no_results",
        ],
        "additionalProperties": False,
        "properties": {
            "days": {"type": "integer", "minimum": 1},
            "from": {**_DAY, "description": "The first day counted (China time)."},
            "to": {**_DAY, "description": "The last day counted: today."},
            "kept_days": {**_NULLABLE_INT, "description": "`ZHSEARCH_STATS_DAYS` (0: not recording)."},
            "searches": {**_COUNT, "description": "Searches counted in the period."},
            "queries": {**_COUNT, "description": "Distinct normalized queries."},
            "no_result_searches": {**_COUNT, "description": "Searches that found nothing."},
            "top": {
                "type": "array",
                "description": "Most searched first (then by query).",
                "items": {
                    "type": "object",
                    "required": ["query", "searches", "hits"],
                    "additionalProperties": False,
                    "properties": {
                        "query": STR,
                        "searches": _COUNT,
                        "hits": {
                            **_COUNT,
                            "description": "Articles its latest search found, with that search's filters (`zhsearch stats` shows what "
                            "the query finds now, without filters).",
                        },
                    },
                },
            },
            "no_results": {
                "type": "array",
                "description": "Most often searched without a result first: what readers miss.",
                "items": {
                    "type": "object",
                    "required": ["query", "searches"],
                    "additionalProperties": False,
                    "properties": {
                        "query": STR,
                        "searches": {**_COUNT, "description": "Its searches that found nothing."},
                    },
                },
            },
        },
    },
    "ReindexStarted": {
        "type": "object",
        "required": ["status", "pid", "full", "status_url"],
        "additionalProperties": False,
        "properties": {
            "status": {"type": "string", "enum": ["started"]},
            "pid": {"type": "integer"},
            "full": {"type": "boolean"},
            "status_url": {"type": "string", "enum": ["/api/admin/status"]},
        },
    },
}
