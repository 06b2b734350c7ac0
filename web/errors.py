"""Errors: one JSON shape for the API, a Chinese HTML page for the reader, never a traceback.

API responses (``/api/...`` and ``/healthz``) carry ``{"error": {"code", "message"}}``; pages render
``errors/error.html`` with a Chinese explanation. Search engine and index store errors are mapped by their class
(:data:`ENGINE_ERRORS`, nearest class first), in this one place.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer import store
from search import errors as search_errors

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

#: HTTP status and code of each engine or store error class; a subclass not listed takes its nearest listed
#: ancestor's. User input is a 400, an index that cannot be read (yet) a 503.
ENGINE_ERRORS: dict[type[Exception], tuple[int, str]] = {
    search_errors.QueryTooLongError: (400, "query_too_long"),
    search_errors.PageOutOfRangeError: (400, "page_out_of_range"),
    search_errors.InvalidParameterError: (400, "invalid_parameter"),
    search_errors.QueryError: (400, "query"),
    search_errors.NoIndexError: (503, "no_index"),
    search_errors.IndexUnavailableError: (503, "index_unavailable"),
    search_errors.SearchError: (400, "search"),
    store.NoIndexError: (503, "no_index"),
    store.IndexBusyError: (400, "index_busy"),
    store.StoreError: (400, "store"),
}


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


def engine_error(exc: BaseException) -> ApiError | None:
    """The ApiError of an engine or store error (:data:`ENGINE_ERRORS`); None for any other exception."""
    for cls in type(exc).__mro__:
        if cls in ENGINE_ERRORS:
            status, code = ENGINE_ERRORS[cls]
            return ApiError(status, code, str(exc) or type(exc).__name__)
    return None


#: Paths read by programs (feed readers, browsers' search settings) besides ``/api/``: their errors are JSON too.
MACHINE_PATHS = ("/api", "/healthz", "/feed.atom", "/opensearch.xml", "/metrics")


def wants_json() -> bool:
    """API clients get JSON errors; readers get pages."""
    path = request.path
    return path.startswith("/api/") or path in MACHINE_PATHS


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
    mapped = engine_error(exc)
    if mapped is not None:
        return error_response(mapped)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(ApiError(500, "internal_error", "internal error; it has been logged"))


def init_app(app: Flask) -> None:
    """Register the handlers that turn every error into a JSON object or an error page."""
    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(Exception, _handle_unexpected)
