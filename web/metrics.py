"""``GET /metrics``: Prometheus text format, right across gunicorn's worker processes.

Counted in every worker: requests by endpoint (the route's rule, not the path, so the label set stays small),
method and status, their latency, the requests in flight, the latency of the engine's searches and the result
cache's hits and misses. Under ``zhsearch serve`` each worker writes its values to memory-mapped files in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode; the directory is made and removed by
``zhsearch serve``, see :func:`web.server.metrics_dir`), and the worker that answers a scrape adds up the files of
all workers, dead ones included for counters. Without that variable (``flask run``, tests in process) the values
live in the process. The index facts (documents, generation, commit, the last admin reindex) are read when
scraped, by :class:`IndexCollector`.

On by default, without a token (bind the port where only the scraper reaches it, or answer ``/metrics`` 403 at
the proxy); ``ZHSEARCH_METRICS=0`` turns it off (``/metrics`` is then a 404).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from web.engine import Engine

#: Where the worker processes of ``zhsearch serve`` write their values (prometheus_client's variable).
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_KEY = "zhsearch.metrics"
#: The text format every Prometheus version reads (prometheus_client's newest names version 1.0.0, which
#: Prometheus 2 does not know; the body is the same for names like ours).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: Methods counted under their own name; any other is ``other`` (a client cannot grow the label set).
_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
#: Seconds: a search answers in a few milliseconds, a cold one or a slow phrase in up to a few seconds.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def multiprocess_mode() -> bool:
    """Whether the values go to files shared by the worker processes (``PROMETHEUS_MULTIPROC_DIR`` is set)."""
    return bool(os.environ.get(MULTIPROC_ENV))


class Metrics:
    """The metrics of one app in one process, registered in their own registry (so that several apps in one
    process do not clash)."""

    def __init__(self) -> None:
        # prometheus_client chooses where values live (memory, or the files of PROMETHEUS_MULTIPROC_DIR) when
        # it is imported; `zhsearch serve` imports it with the app, before it sets the directory for the
        # workers. Made in the worker, at its first request, these metrics choose again.
        self.multiprocess = multiprocess_mode()
        values.ValueClass = values.get_value_class()
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "zhsearch_http_requests",
            "HTTP requests answered by the app, by endpoint (route), method and status.",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "zhsearch_http_request_duration_seconds",
            "Time from the request reaching the app to its response, by endpoint (route).",
            ["endpoint"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "zhsearch_http_requests_in_progress",
            "Requests being answered, all live workers together.",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.search_latency = Histogram(
            "zhsearch_search_duration_seconds",
            "Time of the engine's searches (results page, /api/search, feeds), by result cache outcome.",
            ["cache"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.cache = Counter(
            "zhsearch_result_cache_requests",
            "Searches answered from the worker's result cache (hit) or computed (miss).",
            ["result"],
            registry=self.registry,
        )

    def observe_search(self, seconds: float, cached: bool) -> None:
        outcome = "hit" if cached else "miss"
        self.search_latency.labels(outcome).observe(seconds)
        self.cache.labels(outcome).inc()

    def exposition(self, engine: Engine) -> bytes:
        """The text format of every worker's values (or this process's) and of the index facts."""
        if self.multiprocess:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = self.registry
        index = CollectorRegistry()
        index.register(IndexCollector(engine))
        return generate_latest(registry) + generate_latest(index)


class IndexCollector(Collector):
    """Facts about the index this worker serves, read when scraped."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        facts = index_facts(self.engine)
        for name, help_text in _INDEX_GAUGES.items():
            if name in facts:
                yield GaugeMetricFamily(name, help_text, value=facts[name])


_INDEX_GAUGES = {
    "zhsearch_index_up": "1 when the index is open and whole, 0 when there is none or it is damaged (see /healthz).",
    "zhsearch_index_documents": "Articles in the index as served (deleted ones not counted).",
    "zhsearch_index_generation": "Number of the live generation (gen-NNNNNN): a full rebuild adds one.",
    "zhsearch_index_commit": "Whoosh commit number in the live generation: an incremental reindex adds one.",
    "zhsearch_index_commit_timestamp_seconds": "When the live commit was written (Unix time): the last reindex that changed the index.",
    "zhsearch_last_reindex_timestamp_seconds": "When the last reindex started from the admin API finished (Unix time).",
    "zhsearch_last_reindex_duration_seconds": "How long the last reindex started from the admin API took.",
    "zhsearch_last_reindex_success": "1 when the last reindex started from the admin API finished, 0 when it failed.",
}


def index_facts(engine: Engine) -> dict[str, float]:
    """The values of :data:`_INDEX_GAUGES` that can be known now (never raises)."""
    from indexer.ingest.runstate import read_status
    from indexer.store import INDEX_NAME
    from web.engine import index_version
    from web.errors import ApiError

    facts: dict[str, float] = {}
    try:
        health = engine.health()
        facts.update(zhsearch_index_up=1.0, zhsearch_index_documents=float(health["documents"]))
    except (ApiError, OSError):
        facts["zhsearch_index_up"] = 0.0
    index_dir = Path(engine.index_dir)
    version = index_version(index_dir)
    if version is not None:
        generation, commit = version
        facts["zhsearch_index_generation"] = float(generation.rsplit("-", 1)[-1])
        facts["zhsearch_index_commit"] = float(commit)
        try:
            toc = index_dir / generation / f"_{INDEX_NAME}_{commit}.toc"
            facts["zhsearch_index_commit_timestamp_seconds"] = toc.stat().st_mtime
        except OSError:
            pass
    facts.update(_last_reindex(read_status(index_dir)))
    return facts


def _last_reindex(status: dict[str, Any] | None) -> dict[str, float]:
    """The end, duration and outcome of the last admin reindex from ``REINDEX.json`` (nothing while one runs)."""
    from datetime import datetime

    if not status or status.get("state") not in ("finished", "failed"):
        return {}
    out = {"zhsearch_last_reindex_success": 1.0 if status["state"] == "finished" else 0.0}
    try:
        started = datetime.fromisoformat(str(status["started"])).timestamp()
        ended = datetime.fromisoformat(str(status["ended"])).timestamp()
    except (KeyError, ValueError):
        return out
    out["zhsearch_last_reindex_timestamp_seconds"] = ended
    summary = status.get("summary")
    seconds = summary.get("seconds") if isinstance(summary, dict) else None
    out["zhsearch_last_reindex_duration_seconds"] = (
        float(seconds) if isinstance(seconds, int | float) else ended - started
    )
    return out


# -- the hooks --------------------------------------------------------------------------------------------------


class AppMetrics:
    """The :class:`Metrics` of an app, made in the process that answers its first request (a gunicorn worker,
    after the fork: the master never writes a value)."""

    def __init__(self) -> None:
        self._metrics: Metrics | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def get(self) -> Metrics:
        metrics = self._metrics
        if metrics is None or self._pid != os.getpid():
            with self._lock:
                if self._metrics is None or self._pid != os.getpid():
                    self._metrics, self._pid = Metrics(), os.getpid()
                metrics = self._metrics
        return metrics

    def observe_search(self, seconds: float, cached: bool) -> None:
        self.get().observe_search(seconds, cached)


def _metrics() -> Metrics:
    return current_app.extensions[_KEY].get()


def _start() -> None:
    metrics = _metrics()
    g.metrics_t0 = time.perf_counter()
    metrics.in_flight.inc()


def _finish(response: Response) -> Response:
    metrics = _metrics()
    rule = request.url_rule
    endpoint = rule.rule if rule is not None else "unmatched"
    method = request.method if request.method in _METHODS else "other"
    metrics.requests.labels(endpoint, method, str(response.status_code)).inc()
    t0 = g.get("metrics_t0")
    if t0 is not None:
        metrics.latency.labels(endpoint).observe(time.perf_counter() - t0)
    return response


def _done(_exc: BaseException | None) -> None:
    if g.pop("metrics_t0", None) is not None:
        _metrics().in_flight.dec()


def _scrape() -> Response:
    state = current_app.extensions["zhsearch"]
    response = Response(_metrics().exposition(state.engine), mimetype=None)
    response.headers["Content-Type"] = CONTENT_TYPE
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask, engine: Engine) -> AppMetrics:
    """Count every request from here on, time the engine's searches and serve ``GET /metrics``.

    Call before the other request hooks are registered, so that a request they stop is counted too.
    """
    metrics = AppMetrics()
    app.extensions[_KEY] = metrics
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_done)
    engine.on_search = metrics.observe_search
    app.add_url_rule("/metrics", "metrics", _scrape, methods=["GET"])
    return metrics
