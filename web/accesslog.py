"""Access log: one line per request with the query, the number of hits and the latency; plain text or JSON."""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request

from web.config import WebConfig

access_log = logging.getLogger("zhsearch.access")

#: Attributes of a LogRecord that are not "extra" fields.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def note_search(query: str, hits: int | None, *, cache: str | None = None) -> None:
    """Called by a view that searched, so that its access line carries the query, the hit count and whether the
    page came from the result cache (``cache="hit"`` or ``"miss"``)."""
    g.log_query = query
    g.log_hits = hits
    g.log_cache = cache


def _start() -> None:
    g.log_t0 = time.perf_counter()


def _finish(response: Response) -> Response:
    if request.path.startswith("/static/"):
        return response
    t0 = g.get("log_t0")
    ms = (time.perf_counter() - t0) * 1000 if t0 is not None else 0.0
    fields: dict[str, Any] = {
        "remote": request.remote_addr or "-",
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "ms": round(ms, 1),
    }
    if "log_query" in g:
        fields["q"] = g.log_query
        fields["hits"] = g.log_hits
        if g.get("log_cache"):
            fields["cache"] = g.log_cache
    query = f" q={json.dumps(fields['q'], ensure_ascii=False)} hits={fields['hits']}" if "q" in fields else ""
    if "cache" in fields:
        query += f" cache={fields['cache']}"
    access_log.info(
        '%s "%s %s" %s%s %.1fms',
        fields["remote"],
        fields["method"],
        request.full_path.rstrip("?") if request.query_string else request.path,
        fields["status"],
        query,
        ms,
        extra={"access": fields},
    )
    return response


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the access fields when there are some."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        access = getattr(record, "access", None)
        if isinstance(access, dict):
            out.update(access)
        else:
            out["message"] = record.getMessage()
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class _HandlerMark(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler :func:`configure_logging` installs (recognised so it is installed only once)."""


def configure_logging(*, json_lines: bool, stream: Any = None) -> None:
    """Send the ``zhsearch`` loggers (access and errors) to stderr, as text or JSON lines; idempotent."""
    logger = logging.getLogger("zhsearch")
    for handler in list(logger.handlers):
        if isinstance(handler, _HandlerMark):
            logger.removeHandler(handler)
    handler = _HandlerMark(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def init_app(app: Flask, settings: WebConfig) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    if not app.testing and not any(
        isinstance(h, _HandlerMark) for h in logging.getLogger("zhsearch").handlers
    ):
        configure_logging(json_lines=settings.log_json)
