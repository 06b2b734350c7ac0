"""The admin API: ``GET /api/admin/status``, ``POST /api/admin/reindex`` and ``GET /api/admin/stats``.

Registered only when ``ZHSEARCH_ADMIN_TOKEN`` is set (otherwise those paths are 404s like any unknown path).
Every request needs ``Authorization: Bearer <token>``: 401 without it, 403 with another token (compared with
``hmac.compare_digest``, in constant time). The rate limit (when set) counts only authorized calls, so a
caller without the token gets 401/403, never 429.

A reindex runs as a child process (``python -m indexer.ingest.runstate``), never inside the web worker, one at a
time: a second request gets 409 while one started here runs (``ADMIN.lock``, held by the worker that started
it) or while any other reindex holds the index lock (a ``zhsearch reindex`` from a shell, say). The child
reports its progress and result in ``REINDEX.json``, which ``status`` shows.
"""

from __future__ import annotations

import fcntl
import hmac
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from indexer.ingest.runstate import ADMIN_LOCK, lock_holder, now_iso, pid_alive, read_status, write_status
from search.querystats import DEFAULT_DAYS, report, stats_path
from web.config import WebConfig
from web.engine import engine
from web.errors import ApiError, bad_parameter
from web.params import parse_limit
from web.security import check_rate_limit
from web.stats import recorder

bp = Blueprint("admin", __name__, url_prefix="/api/admin")

#: ``GET /api/admin/stats``: queries listed by default and at most, and the longest period asked.
STATS_LIMIT = 20
MAX_STATS_LIMIT = 200
MAX_STATS_DAYS = 3660


def _settings() -> WebConfig:
    return current_app.extensions["zhsearch"].settings


@bp.before_request
def _authorize() -> None:
    token = _settings().admin_token
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(
            401,
            "unauthorized",
            "the admin API needs an 'Authorization: Bearer <token>' header",
            headers={"WWW-Authenticate": 'Bearer realm="zhsearch admin"'},
        )
    if not hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8")):
        raise ApiError(403, "forbidden", "wrong admin token")
    check_rate_limit()  # only now: a caller without the token gets 401/403, never 429


# -- status ---------------------------------------------------------------------------------------------------


def _analysis(settings: WebConfig) -> dict[str, Any]:
    from indexer.analysis import ANALYZER_VERSION, dict_fingerprint, read_userdict
    from indexer.schema import schema_fingerprint

    out: dict[str, Any] = {"analyzer_version": ANALYZER_VERSION, "userdict": settings.userdict}
    try:
        entries = read_userdict(settings.userdict) if settings.userdict else ()
        out["userdict_words"] = len(entries)
        out["fingerprint"] = dict_fingerprint(entries)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        out["error"] = f"cannot read the user dictionary {settings.userdict}: {exc}"
        out["fingerprint"] = None
    try:
        with engine().searcher().reader() as reader:
            out["index_fingerprint"] = schema_fingerprint(reader.schema)
    except Exception:  # no index (yet), or unreadable: status still answers
        out["index_fingerprint"] = None
    return out


def _run_state(index_dir: Path) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(the running reindex, the last one that ended) from the status file, the lock and the processes."""
    status = read_status(index_dir)
    holder = lock_holder(index_dir)
    child = status.get("pid") if status and pid_alive(status.get("pid")) else None
    pid = holder or child
    if pid is None:
        if status and status.get("state") == "running":
            status = {**status, "state": "interrupted"}  # its process is gone without a word
        return None, status
    running: dict[str, Any] = {"pid": pid, "started_by": "admin API" if pid == child else "other"}
    if pid == child and status is not None:
        running.update(
            started=status.get("started"), full=status.get("full"), progress=status.get("progress")
        )
    return running, None


@bp.get("/status")
def status() -> Response:
    settings = _settings()
    index_dir = Path(settings.index_dir)
    body: dict[str, Any] = {"index": str(index_dir)}
    try:
        health = engine().health()
        body.update(status="ok", documents=health["documents"], generation=health["generation"])
    except ApiError as err:
        body.update(status="unavailable", documents=None, generation=None, error=err.message)
    analysis = _analysis(settings)
    body["analysis"] = analysis
    stale = analysis.get("index_fingerprint") not in (None, analysis.get("fingerprint"))
    body["needs_full_rebuild"] = stale
    body["needs_full_rebuild_reason"] = (
        "the user dictionary or the analyzer changed since the index was built: "
        "the next reindex rebuilds it in full"
        if stale
        else None
    )
    synonyms = engine().searcher().synonyms if body["status"] == "ok" else None
    if synonyms is not None:
        synonyms.reload_if_changed()
        body["synonyms"] = {"path": str(synonyms.path or ""), "words": len(synonyms), "error": synonyms.error}
    running, last = _run_state(index_dir)
    body["reindex"] = {"running": running is not None, **({"current": running} if running else {})}
    body["last_run"] = last
    return jsonify(body)


# -- reindex --------------------------------------------------------------------------------------------------


def _want_full() -> bool:
    data = request.get_json(silent=True) if request.data else {}
    if data is None or not isinstance(data, dict):
        raise bad_parameter('the body must be a JSON object such as {"full": true}, or empty')
    full = data.get("full", request.args.get("full", "0") in ("1", "true", "yes"))
    if not isinstance(full, bool):
        raise bad_parameter("full: expected true or false")
    return full


def _busy(message: str) -> ApiError:
    return ApiError(409, "reindex_running", message)


@bp.post("/reindex")
def start_reindex() -> tuple[Response, int]:
    settings = _settings()
    full = _want_full()
    index_dir = Path(settings.index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(index_dir / ADMIN_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ApiError(
            500, "index_unwritable", f"cannot write to {index_dir}: {exc.strerror or exc}"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise _busy("a reindex started from the admin API is running; see /api/admin/status") from None
    try:
        holder = lock_holder(index_dir)
        if holder is not None:
            raise _busy(f"another reindex (pid {holder}) is running on {index_dir}; try again when it ends")
        command = [sys.executable, "-m", "indexer.ingest.runstate", "--index", str(index_dir)]
        command += ["--userdict", settings.userdict or os.devnull, *(["--full"] if full else [])]
        command += [settings.articles_dir or "index_data/articles"]
        log = open(index_dir / "REINDEX.log", "wb")  # noqa: SIM115 (closed by the watcher)
        try:
            child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        except OSError as exc:
            log.close()
            raise ApiError(500, "reindex_failed", f"cannot start the reindex: {exc}") from None
    except BaseException:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        raise

    def watch() -> None:
        try:
            code = child.wait()
            log.close()
            last = read_status(index_dir)
            if code != 0 and (not last or last.get("pid") != child.pid or last.get("state") == "running"):
                write_status(
                    index_dir,
                    {
                        "state": "failed",
                        "pid": child.pid,
                        "full": full,
                        "ended": now_iso(),
                        "error": f"the reindex process ended with status {code} (see {index_dir / 'REINDEX.log'})",
                    },
                )
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    known = read_status(index_dir)
    if (
        not known or known.get("pid") != child.pid
    ):  # until the child writes its own (it takes a second to start)
        write_status(index_dir, {"state": "running", "pid": child.pid, "started": now_iso(), "full": full})
    threading.Thread(target=watch, name=f"zhsearch-reindex-{child.pid}", daemon=True).start()
    body = {"status": "started", "pid": child.pid, "full": full, "status_url": "/api/admin/status"}
    return jsonify(body), 202


# -- query stats ----------------------------------------------------------------------------------------------


@bp.get("/stats")
def query_stats() -> Response:
    """The most frequent queries and those without results (search/querystats.py), over ``days`` days."""
    settings = _settings()
    days = parse_limit(request.args, "days", settings.stats_days or DEFAULT_DAYS, MAX_STATS_DAYS)
    limit = parse_limit(request.args, "limit", STATS_LIMIT, MAX_STATS_LIMIT)
    recorder().flush()  # this worker's counts; the other workers' are at most FLUSH_SECONDS old
    try:
        body = report(stats_path(settings.index_dir), days, limit=limit, kept_days=settings.stats_days)
    except (sqlite3.Error, OSError) as exc:
        raise ApiError(503, "stats_unavailable", f"cannot read the query stats: {exc}") from None
    return jsonify(body)


def init_app(app: Flask, settings: WebConfig) -> None:
    """Register the admin API when an admin token is set."""
    if settings.admin_token:
        app.register_blueprint(bp)
