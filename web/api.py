"""The JSON API: ``/api/search``, ``/api/articles/<id>``, ``/api/suggest``, ``/api/openapi.json``, ``/healthz``."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from web.accesslog import note_search
from web.engine import engine
from web.errors import ApiError, bad_parameter
from web.feeds import opensearch_suggestions
from web.openapi import openapi_document
from web.params import parse_limit, parse_query, parse_search
from web.shapes import article_json
from web.stats import count_search

bp = Blueprint("api", __name__)

#: Related articles shown with an article.
RELATED = 5
#: A suggestion prefix longer than this cannot be a prefix of anything worth suggesting.
MAX_SUGGEST_CHARS = 64
MAX_ID_CHARS = 200
#: ``/api/suggest?format=``: this API's JSON, or the OpenSearch suggestions extension's (for browsers).
SUGGEST_FORMATS = ("json", "opensearch")


@bp.get("/api/search")
def search() -> Response:
    params = parse_search(request.args, require_q=True)
    result = engine().search(params)
    body = result.to_api_dict()
    cache = "hit" if getattr(result, "cached", False) else "miss"
    note_search(params.q, body["total"], cache=cache)
    count_search(params, body["total"])
    response = jsonify(body)
    response.headers["X-Cache"] = cache
    return response


def load_article(doc_id: str) -> tuple[dict, list[dict]]:
    """The article (with the other ``copies`` of its story) and its related articles, or a 404 ApiError."""
    if len(doc_id) > MAX_ID_CHARS or "\x00" in doc_id:
        raise ApiError(404, "article_not_found", "no article with this id")
    eng = engine()
    article = eng.article(doc_id)
    if article is None:
        raise ApiError(404, "article_not_found", f"no article with id {doc_id!r}")
    article["copies"] = eng.copies(doc_id)
    return article, eng.related(doc_id, RELATED)


@bp.get("/api/articles/<path:doc_id>")
def article(doc_id: str) -> Response:
    found, related = load_article(doc_id)
    return jsonify(article_json(found, related))


@bp.get("/api/suggest")
def suggest() -> Response:
    prefix = parse_query(request.args)
    limit = parse_limit(request.args, "limit", 8, 20)
    fmt = request.args.get("format", "json")
    if fmt not in SUGGEST_FORMATS:
        raise bad_parameter(f"format: expected one of {', '.join(SUGGEST_FORMATS)}, got {fmt[:40]!r}")
    found = engine().suggest(prefix, limit) if prefix and len(prefix) <= MAX_SUGGEST_CHARS else []
    if fmt == "opensearch":
        return opensearch_suggestions(prefix, found)
    return jsonify({"query": prefix, "suggestions": found})


@bp.get("/api/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.get("/healthz")
def healthz() -> Response | tuple[Response, int]:
    try:
        return jsonify(engine().health())
    except ApiError as err:
        body = {"status": "unavailable", "error": {"code": err.code, "message": err.message}}
        return jsonify(body), err.status
