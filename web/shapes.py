"""The JSON shapes of the API's articles, built from the engine's objects; the pages render the same dicts.

A result page is ``SearchResult.to_api_dict()`` (search/results.py), shared with ``zhsearch search --json``.
"""

from __future__ import annotations

from typing import Any

ARTICLE_FIELDS = ("id", "title", "url", "source", "category", "author", "published", "tags", "body")
RELATED_FIELDS = ("id", "title", "url", "source", "category", "published")
COPY_FIELDS = ("id", "title", "source", "published")


def _published(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def article_json(article: dict[str, Any], related: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ARTICLE_FIELDS:
        value = article.get(name)
        if name == "published":
            out[name] = _published(value)
        elif name == "tags":
            out[name] = [str(t) for t in value] if isinstance(value, list | tuple) else _split_tags(value)
        else:
            out[name] = _text(value)
    out["partial"] = bool(article.get("partial"))
    out["copies"] = [
        {k: (_published(c.get(k)) if k == "published" else _text(c.get(k))) for k in COPY_FIELDS}
        for c in article.get("copies") or ()
    ]
    out["related"] = [
        {k: (_published(r.get(k)) if k == "published" else _text(r.get(k))) for k in RELATED_FIELDS}
        for r in related
    ]
    return out


def _split_tags(value: Any) -> list[str]:
    if not value:
        return []
    return [t.strip() for t in str(value).split(",") if t.strip()]
