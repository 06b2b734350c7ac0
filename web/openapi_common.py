"""Pieces shared by the OpenAPI document's parts (web/openapi.py, web/openapi_admin.py)."""

from __future__ import annotations

from typing import Any

STR: dict[str, Any] = {"type": "string"}
NULLABLE_STR: dict[str, Any] = {"type": "string", "nullable": True}


def error_response(description: str) -> dict[str, Any]:
    """A response whose body is the ``Error`` schema."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def ok(description: str, schema: str) -> dict[str, Any]:
    """A response whose body is the named component schema."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


COMMON_ERRORS: dict[str, dict[str, Any]] = {
    "400": error_response("A parameter is missing or invalid (the message says which)."),
    "405": error_response("Only GET, HEAD and OPTIONS are allowed."),
    "413": error_response("The request has a body larger than the limit."),
    "429": error_response("Too many requests from this client; see the Retry-After header."),
    "503": error_response("There is no index yet (run `zhsearch reindex`)."),
}


def errors(*codes: str) -> dict[str, Any]:
    """The common error responses with these status codes."""
    return {code: COMMON_ERRORS[code] for code in codes}


def search_errors(*codes: str) -> dict[str, Any]:
    """The error responses of a search (``/api/search``, ``/feed.atom``): the 400 lists its ``codes`` (with
    the rule ``from`` <= ``to``, which OpenAPI 3.0 cannot state, when ``bad_date_range`` is among them), then
    the common 405/413/429/503."""
    listed = ", ".join(f"`{c}`" for c in codes)
    rule = " `bad_date_range`: `from` is after `to` (each a valid date: the range is empty)." * (
        "bad_date_range" in codes
    )
    bad = error_response(f"A parameter is invalid; the message names it. Codes: {listed}.{rule}")
    return {"400": bad, **errors("405", "413", "429", "503")}
