"""Errors: one JSON shape for the API, a Chinese HTML page for the reader, never a traceback.

API responses (``/api/...`` and ``/healthz``) carry ``{"error": {"code", "message"}}``; pages render
``errors/error.html`` with a Chinese explanation. Search engine errors are mapped by class name, so the web layer
needs no knowledge of the engine beyond the ``search.SearchError`` base class.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("zhsearch.web")

#: Stable codes for HTTP errors raised by Flask/Werkzeug.
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    429: "rate_limited",
    431: "headers_too_large",
    500: "internal_error",
    503: "unavailable",
}

#: What a reader sees for each code (the API message stays the precise, English one).
ZH_MESSAGES = {
    "not_found": "找不到这个页面或文章。",
    "article_not_found": "找不到这篇文章，它可能已从索引中删除。",
    "method_not_allowed": "不支持这种请求方式。",
    "payload_too_large": "请求内容太大。",
    "rate_limited": "请求太频繁，请稍后再试。",
    "no_index": "索引尚未建立，请先运行 zhsearch reindex，然后刷新本页。",
    "index_unavailable": "索引暂时无法读取，请稍后再试。",
    "query_too_long": "查询太长了，请缩短到 256 个字符以内。",
    "page_out_of_range": "页码超出范围：最多只能浏览前 1000 条结果。",
    "bad_date": "日期格式不对，请使用 2024-01-31 这样的格式。",
    "bad_date_range": "开始日期晚于结束日期。",
    "internal_error": "服务器出错了，请稍后再试。",
}

#: Engine errors whose class name says "the service is not ready" rather than "bad input".
_UNAVAILABLE = {"NoIndexError", "IndexUnavailableError"}


class ApiError(Exception):
    """An error with an HTTP status, a stable code and a message, raised anywhere in a request."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def bad_parameter(message: str, code: str = "bad_parameter") -> ApiError:
    return ApiError(400, code, message)


def _snake(name: str) -> str:
    base = name.removesuffix("Error") or name
    return re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower()


def from_engine(exc: Exception) -> ApiError:
    """Map an engine or store error (``search.SearchError``, ``indexer.store.StoreError``) to an ApiError."""
    name = type(exc).__name__
    status = int(getattr(exc, "status", 0) or (503 if name in _UNAVAILABLE else 400))
    return ApiError(status, _snake(name), str(exc) or name)


def wants_json() -> bool:
    """API clients get JSON errors; readers get pages."""
    path = request.path
    return path.startswith("/api/") or path == "/api" or path == "/healthz"


def error_response(err: ApiError) -> Response:
    if wants_json():
        response = jsonify({"error": {"code": err.code, "message": err.message}})
    else:
        message = ZH_MESSAGES.get(err.code, err.message)
        response = Response(
            render_template("errors/error.html", status=err.status, code=err.code, message=message),
            mimetype="text/html",
        )
    response.status_code = err.status
    for key, value in err.headers.items():
        response.headers[key] = value
    return response


def _handle_api_error(err: ApiError) -> Response:
    return error_response(err)


def _handle_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    err = ApiError(status, HTTP_CODES.get(status, f"http_{status}"), exc.description or exc.name)
    if status == 405 and getattr(exc, "valid_methods", None):
        err.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return error_response(err)


def _handle_unexpected(exc: Exception) -> Response:
    if _is_engine_error(exc):
        return error_response(from_engine(exc))
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(ApiError(500, "internal_error", "internal error; it has been logged"))


def _is_engine_error(exc: Exception) -> bool:
    for cls in type(exc).__mro__:
        if (cls.__module__.startswith("search") and cls.__name__ == "SearchError") or (
            cls.__module__ == "indexer.store" and cls.__name__ == "StoreError"
        ):
            return True
    return False


def init_app(app: Flask) -> None:
    """Register the handlers that turn every error into a JSON object or an error page."""
    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(Exception, _handle_unexpected)


def error_dict(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
