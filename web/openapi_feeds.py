"""The feeds' part of the OpenAPI document (web/feeds.py): ``/feed.atom``, ``/opensearch.xml`` and the
OpenSearch suggestions format of ``/api/suggest``."""

from __future__ import annotations

from typing import Any

from web.feeds import ATOM_TYPE, FEED_ENTRIES, OPENSEARCH_TYPE, SUGGESTIONS_TYPE
from web.openapi_common import STR, errors, search_errors

#: The search parameters a feed takes (its order is newest first, its size fixed).
FEED_PARAMETERS = ("q", "from", "to", "source", "category")

SUGGEST_FORMAT_PARAMETER: dict[str, Any] = {
    "name": "format",
    "in": "query",
    "description": "`json`: this API's object; `opensearch`: the OpenSearch suggestions extension's array "
    f"(`{SUGGESTIONS_TYPE}`), for a browser's address bar (see `/opensearch.xml`).",
    "schema": {"type": "string", "enum": ["json", "opensearch"], "default": "json"},
}

SUGGEST_OPENSEARCH_CONTENT: dict[str, Any] = {
    SUGGESTIONS_TYPE: {"schema": {"$ref": "#/components/schemas/OpenSearchSuggestions"}}
}

FEED_SCHEMAS: dict[str, Any] = {
    "OpenSearchSuggestions": {
        "type": "array",
        "description": "`[prefix, [completion, ...], [description, ...], [url, ...]]`: the prefix as read, "
        "the suggestions' texts, what each is (词语 a term, 标题 an article title) and where it leads (the "
        "search page of a term, an article's page).",
        "minItems": 4,
        "maxItems": 4,
        "items": {"oneOf": [STR, {"type": "array", "items": STR}]},
    }
}


def _optional_q(parameter: dict[str, Any]) -> dict[str, Any]:
    """A search parameter as the feed takes it: ``q`` optional, empty allowed (the latest-news feed)."""
    if parameter["name"] != "q":
        return parameter
    schema = {k: v for k, v in parameter["schema"].items() if k not in ("minLength", "pattern")}
    description = "The query, as `/api/search` takes it; absent or empty: the latest articles."
    return {**parameter, "required": False, "description": description, "schema": schema}


def feed_paths(search_parameters: list[dict[str, Any]]) -> dict[str, Any]:
    """The feed and OpenSearch paths; the feed's parameters are those of ``/api/search`` it takes."""
    return {
        "/feed.atom": {
            "get": {
                "operationId": "feed",
                "summary": "A search as an Atom feed",
                "description": f"The {FEED_ENTRIES} newest dated articles matching the query and filters (the "
                "same as `/api/search`'s), each with its title, the link of its page, its publication time, "
                "its author (the article's, else its source), its source (`source`), its category and the "
                'plain text of its snippet. Results pages link it with `rel="alternate"`. Undated articles are '
                "left out. Without `q` (or with an empty one) it is the latest-news feed: the newest dated "
                "articles passing the filters (`?source=新华社`: one source's), each with the opening of its body. "
                "`from` after `to` is a range without a day: a feed without entries (not an error).",
                "parameters": [_optional_q(p) for p in search_parameters if p["name"] in FEED_PARAMETERS],
                "responses": {
                    "200": {
                        "description": "An Atom 1.0 feed (RFC 4287), UTF-8.",
                        "content": {ATOM_TYPE: {"schema": STR}},
                    },
                    **search_errors("query_too_long", "bad_parameter", "value_too_long", "bad_date"),
                },
            }
        },
        "/opensearch.xml": {
            "get": {
                "operationId": "openSearchDescription",
                "summary": "The OpenSearch 1.1 description of this site",
                "description": "Templates of the results page, the feed and the suggestions "
                '(`/api/suggest?q={searchTerms}&format=opensearch`); every page links it with `rel="search"`, '
                "so browsers offer the site as a search engine for the address bar.",
                "responses": {
                    "200": {
                        "description": "An OpenSearch description document.",
                        "content": {OPENSEARCH_TYPE: {"schema": STR}},
                    },
                    **errors("405", "413", "429"),
                },
            }
        },
    }
