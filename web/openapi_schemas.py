"""The schemas of the search API's answers (the OpenAPI document's ``components.schemas``, web/openapi.py)."""

from __future__ import annotations

from typing import Any

from search.results import FACETS
from web.openapi_common import NULLABLE_STR, STR

SCHEMAS: dict[str, Any] = {
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
            "duplicates",
        ],
        "additionalProperties": False,
        "properties": {
            "id": STR,
            "title": STR,
            "title_html": {
                "type": "string",
                "description": "HTML-escaped title with matches in <mark>.",
            },
            "url": STR,
            "source": STR,
            "category": STR,
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
            "duplicates": {
                "type": "array",
                "description": "The other copies of this story, collapsed into this result (empty with "
                "`collapse=0`).",
                "items": {"$ref": "#/components/schemas/Copy"},
            },
        },
    },
    "Copy": {
        "type": "object",
        "required": ["id", "title", "source", "published"],
        "additionalProperties": False,
        "properties": {"id": STR, "title": STR, "source": STR, "published": NULLABLE_STR},
    },
    "FacetCount": {
        "type": "object",
        "required": ["value", "count"],
        "additionalProperties": False,
        "properties": {
            "value": {"oneOf": [STR, {"type": "integer"}]},
            "count": {"type": "integer", "minimum": 0},
        },
    },
    "SearchResult": {
        "type": "object",
        "required": [
            "query",
            "total",
            "stories",
            "page",
            "per_page",
            "took_ms",
            "relaxed",
            "suggestion",
            "corrected",
            "results",
            "facets",
        ],
        "additionalProperties": False,
        "properties": {
            "query": STR,
            "total": {
                "type": "integer",
                "minimum": 0,
                "description": "Every matching article (the facets count the same).",
            },
            "stories": {
                "type": "integer",
                "minimum": 0,
                "description": "The results ranked and paged: `total` less the copies collapsed into "
                "another result (equal to `total` with `collapse=0`).",
            },
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 50},
            "took_ms": {"type": "number", "minimum": 0},
            "relaxed": {
                "type": "boolean",
                "description": "True when no article has all the words: every result holds only some "
                "of them (the page says 没有同时包含全部关键词的结果). False when the first results hold "
                "them all; a long query's results then go on with articles holding only some of them.",
            },
            "suggestion": {
                "description": "What the reader may have meant, or null when every word stands as typed: "
                "`reason` is `pinyin` (a word typed in pinyin, full or initials, searched as the Chinese "
                "words it spells) or `sound` (characters the index does not hold together, where a "
                "character that sounds the same makes a frequent word).",
                "type": "object",
                "nullable": True,
                "required": ["query", "reason"],
                "additionalProperties": False,
                "properties": {
                    "query": {**STR, "description": "The query with the words respelled."},
                    "reason": {"type": "string", "enum": ["pinyin", "sound"]},
                },
                "example": {"query": "诈骗", "reason": "pinyin"},
            },
            "corrected": {
                "type": "boolean",
                "description": "True when `results` are those of `suggestion.query` (`query` stays as "
                "typed): always for `pinyin`, and for `sound` when the query as typed is short and has no article "
                "with every word. Search again with `spellcheck=0` for the words as typed.",
            },
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "facets": {
                "type": "object",
                "description": "Counts over all matches (not only this page): sources and categories "
                "by count, years newest first, months (`2025-03`, China time) oldest first; `from` and "
                "`to` set to a year or a month filter to it.",
                "required": list(FACETS),
                "additionalProperties": False,
                "properties": {
                    name: {"type": "array", "items": {"$ref": "#/components/schemas/FacetCount"}}
                    for name in FACETS
                },
            },
        },
    },
    "RelatedArticle": {
        "type": "object",
        "required": ["id", "title", "url", "source", "category", "published"],
        "additionalProperties": False,
        "properties": {
            "id": STR,
            "title": STR,
            "url": STR,
            "source": STR,
            "category": STR,
            "published": NULLABLE_STR,
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
            "copies",
            "related",
        ],
        "additionalProperties": False,
        "properties": {
            "id": STR,
            "title": STR,
            "url": STR,
            "source": STR,
            "category": STR,
            "author": STR,
            "published": NULLABLE_STR,
            "tags": {"type": "array", "items": STR},
            "body": {
                "type": "string",
                "description": "Plain text; paragraphs separated by newlines.",
            },
            "partial": {
                "type": "boolean",
                "description": "A summary taken from another page's related-articles list, not the full text.",
            },
            "copies": {
                "type": "array",
                "description": "The other copies of this article's story (near-duplicates), oldest first.",
                "items": {"$ref": "#/components/schemas/Copy"},
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
            "text": STR,
            "kind": {"type": "string", "enum": ["term", "title"]},
            "id": {"type": "string", "description": "The article, for a title."},
        },
    },
    "Suggestions": {
        "type": "object",
        "required": ["query", "suggestions"],
        "additionalProperties": False,
        "properties": {
            "query": STR,
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
