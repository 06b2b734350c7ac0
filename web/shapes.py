"""The JSON shapes of the API, built from the engine's objects; the pages render the same dicts."""

from __future__ import annotations

from typing import Any

from web.params import SearchParams

HIT_FIELDS = ("id", "title", "title_html", "url", "source", "category", "published", "snippet_html", "score")
ARTICLE_FIELDS = ("id", "title", "url", "source", "category", "author", "published", "tags", "body")
RELATED_FIELDS = ("id", "title", "url", "source", "category", "published")
FACETS = ("source", "category", "year")


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _published(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def hit_json(hit: Any) -> dict[str, Any]:
    score = _get(hit, "score")
    return {
        "id": _text(_get(hit, "id")),
        "title": _text(_get(hit, "title")),
        "title_html": _text(_get(hit, "title_html")),
        "url": _text(_get(hit, "url")),
        "source": _text(_get(hit, "source")),
        "category": _text(_get(hit, "category")),
        "published": _published(_get(hit, "published")),
        "snippet_html": _text(_get(hit, "snippet_html")),
        "score": round(float(score), 4) if score is not None else None,
    }


def facet_json(pairs: Any) -> list[dict[str, Any]]:
    out = []
    for pair in pairs or ():
        value, count = (pair["value"], pair["count"]) if isinstance(pair, dict) else pair
        out.append({"value": value if isinstance(value, int) else _text(value), "count": int(count)})
    return out


def search_json(params: SearchParams, result: Any) -> dict[str, Any]:
    """``{"query", "total", "page", "per_page", "took_ms", "relaxed", "results", "facets"}``."""
    facets = _get(result, "facets") or {}
    return {
        "query": params.q,
        "total": int(_get(result, "total", 0)),
        "page": int(_get(result, "page", params.page)),
        "per_page": int(_get(result, "per_page", params.per_page)),
        "took_ms": round(float(_get(result, "took_ms", 0.0)), 1),
        "relaxed": bool(_get(result, "relaxed", False)),
        "results": [hit_json(h) for h in _get(result, "hits", ())],
        "facets": {name: facet_json(facets.get(name)) for name in FACETS},
    }


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
    out["related"] = [
        {k: (_published(r.get(k)) if k == "published" else _text(r.get(k))) for k in RELATED_FIELDS}
        for r in related
    ]
    return out


def _split_tags(value: Any) -> list[str]:
    if not value:
        return []
    return [t.strip() for t in str(value).split(",") if t.strip()]
