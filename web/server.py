"""Production serving: the app under gunicorn, through gunicorn's application API.

Worker processes each open the read-only index themselves (the app is created in the master with ``preload_app``
so that a broken configuration fails before any worker starts, but the index is only opened on first use, in
the worker). Gunicorn's own access log is off: the app writes one line per request with the query, the hit count
and the latency (see :mod:`web.accesslog`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class ZhsearchServer(BaseApplication):  # type: ignore[misc]
    """A gunicorn application serving one Flask app."""

    def __init__(self, app: Flask, options: Mapping[str, Any]) -> None:
        self.application = app
        self.options = dict(options)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key.lower(), value)

    def load(self) -> Flask:
        return self.application


def gunicorn_options(
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    log_json: bool,
    timeout: int = 30,
    metrics: bool = False,
) -> dict[str, Any]:
    """The gunicorn settings ``zhsearch serve`` uses."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options: dict[str, Any] = {
        "bind": [bind],
        "workers": workers,
        "threads": threads,
        # gunicorn's gthread and sync workers, answering the requests they refuse with JSON (web/workers.py)
        "worker_class": "web.workers.JsonThreadWorker" if threads > 1 else "web.workers.JsonSyncWorker",
        "preload_app": True,
        "timeout": timeout,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "zhsearch",
        # Longest request line gunicorn accepts (its maximum); a longer one is a JSON 414 (web/workers.py).
        "limit_request_line": 8190,
        "control_socket_disable": True,
        "post_worker_init": _warm_up,
    }
    if metrics:
        options["child_exit"] = _mark_dead
    if log_json:
        options["logconfig_dict"] = _json_logconfig()
    return options


#: prometheus_client's variable: the directory where each worker process writes its metric values.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


@contextlib.contextmanager
def metrics_dir(enabled: bool) -> Iterator[Path | None]:
    """A fresh temporary ``PROMETHEUS_MULTIPROC_DIR`` for the workers of one ``zhsearch serve`` (web/metrics.py).

    Enter it before gunicorn forks the workers: each makes its metrics at its first request and writes them
    there (web/metrics.py; the master writes none). The directory is removed on the way out, by the process that made it only (a gunicorn worker leaves through
    here too, raising SystemExit, while the others still write). One inherited from the environment is not
    used: values left in it by an earlier server would be added to this one's.
    """
    if not enabled:
        yield None
        return
    path = tempfile.mkdtemp(prefix="zhsearch-metrics-")
    owner, previous = os.getpid(), os.environ.get(MULTIPROC_ENV)
    os.environ[MULTIPROC_ENV] = path
    try:
        yield Path(path)
    finally:
        if os.getpid() == owner:
            shutil.rmtree(path, ignore_errors=True)
            if previous is None:
                os.environ.pop(MULTIPROC_ENV, None)
            else:
                os.environ[MULTIPROC_ENV] = previous


def _mark_dead(server: Any, worker: Any) -> None:
    """Gunicorn's ``child_exit`` hook: a dead worker's live gauges (requests in flight) stop counting."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def _warm_up(worker: Any) -> None:
    """In each new worker: open the index and build the suggestion table in the background."""
    state = getattr(getattr(worker, "wsgi", None), "extensions", {}).get("zhsearch")
    if state is not None:
        state.engine.warm_up()


def _json_logconfig() -> dict[str, Any]:
    """Gunicorn's own messages (start, worker boot/exit) as JSON lines too."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "web.accesslog.JsonFormatter"}},
        "handlers": {
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        },
        "root": {"level": "INFO", "handlers": []},
    }


class PortUnavailableError(Exception):
    """The address ``zhsearch serve`` was asked to listen on cannot be bound (in use, not local, not allowed)."""


def check_port(host: str, port: int) -> None:
    """Bind ``host:port`` once, the way gunicorn will (``SO_REUSEADDR``), and let it go again.

    Raises :class:`PortUnavailableError` with a one-line message when that fails, so ``zhsearch serve`` says so
    before starting gunicorn, which would otherwise retry for five seconds and print its own errors.
    """
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise PortUnavailableError(f"cannot listen on {where}: unknown address ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            hint = "; another server is using it: stop it or choose another --port"
            raise PortUnavailableError(
                f"cannot listen on {where}: {exc.strerror or exc}"
                + (hint if exc.errno == errno.EADDRINUSE else "")
            ) from None


#: ``mallopt``'s parameter number of the mmap threshold (glibc's malloc.h)
_M_MMAP_THRESHOLD = -3


def give_back_large_allocations(threshold: int) -> bool:
    """Set glibc's mmap threshold of this process (and of the workers it forks) to ``threshold`` bytes: each
    allocation at least that large (a query's arrays) is mapped on its own and unmapped when freed. glibc's
    own threshold grows to the largest block freed, after which such arrays come from the heap and their pages
    stay with the worker. True when set; False for ``0`` or a C library without ``mallopt`` (not glibc)."""
    if threshold <= 0:
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return mallopt(_M_MMAP_THRESHOLD, threshold) == 1


def serve(app: Flask, **options: Any) -> None:
    """Run ``app`` under gunicorn until interrupted."""
    ZhsearchServer(app, gunicorn_options(**options)).run()
