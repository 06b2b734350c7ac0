"""Gunicorn workers whose own error answers are JSON like the app's (``zhsearch serve`` runs these).

Gunicorn answers some requests before the app sees them: a request line longer than ``limit_request_line``
(8,190 bytes, its maximum: a URL over about 8 KB) is a 414, too many or too large headers a 431, a request line or
header it cannot parse a 400, each with a small HTML page of its own. These workers answer the same statuses
with the app's error object instead, ``{"error": {"code", "message"}}`` (codes of :data:`web.errors.HTTP_CODES`);
any other error keeps gunicorn's handling.
"""

from __future__ import annotations

import json
from typing import Any

from gunicorn import util
from gunicorn.http import errors as http_errors
from gunicorn.workers.gthread import ThreadWorker
from gunicorn.workers.sync import SyncWorker

#: Malformed requests gunicorn answers with a 400 (the client's fault, nothing the app could read).
_MALFORMED = (
    http_errors.InvalidRequestLine,
    http_errors.InvalidRequestMethod,
    http_errors.InvalidHTTPVersion,
    http_errors.InvalidHeader,
    http_errors.InvalidHeaderName,
    http_errors.ObsoleteFolding,
)


def limit_answer(exc: BaseException) -> tuple[int, str, str, str] | None:
    """``(status, reason, code, message)`` of a request gunicorn refuses itself, or None for other errors."""
    if isinstance(exc, http_errors.LimitRequestLine):
        # exc.size is what was read when gunicorn stopped, not the length of the line
        limit = f"{exc.max_size:,} bytes" if exc.max_size else "the limit"
        message = f"the request line (method, URL, version) is longer than {limit}: shorten the URL"
        return 414, "URI Too Long", "uri_too_long", message
    if isinstance(exc, http_errors.LimitRequestHeaders):
        return 431, "Request Header Fields Too Large", "headers_too_large", f"request headers: {exc}"
    if isinstance(exc, _MALFORMED):
        return 400, "Bad Request", "bad_request", f"malformed request: {exc}"
    return None


def json_error(status: int, reason: str, code: str, message: str) -> bytes:
    """A whole HTTP/1.1 response carrying the app's error object; the connection is closed after it."""
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class JsonErrorsMixin:
    """``handle_error`` of a gunicorn worker: the refusals of :func:`limit_answer` as JSON."""

    log: Any

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        answer = limit_answer(exc)
        if answer is None:
            super().handle_error(req, client, addr, exc)  # type: ignore[misc]
            return
        ip = addr[0] if addr else ""
        self.log.warning("Invalid request from ip=%s: %s", ip, exc)
        try:
            util.write_nonblock(client, json_error(*answer))
        except Exception:
            self.log.debug("Failed to send error message.")


class JsonThreadWorker(JsonErrorsMixin, ThreadWorker):  # type: ignore[misc]
    """Gunicorn's ``gthread`` worker (``--threads`` above 1) with JSON refusals."""


class JsonSyncWorker(JsonErrorsMixin, SyncWorker):  # type: ignore[misc]
    """Gunicorn's ``sync`` worker (one thread) with JSON refusals."""
