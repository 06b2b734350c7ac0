"""The web app's side of the query stats (:mod:`search.querystats`): each reader's search counted, the
``GET /api/admin/stats`` report (registered with the admin API, web/admin.py).

A search is counted when a results page or ``/api/search`` answers its first page (turning pages is not a
new search; feeds, which readers poll, are not counted), under the query as the reader typed it (normalized),
with the number of matches.
"""

from __future__ import annotations

import atexit
import weakref

from flask import Flask, current_app

from search.querystats import QueryStats, stats_path
from web.config import WebConfig
from web.params import SearchParams

_KEY = "zhsearch.querystats"


def recorder() -> QueryStats:
    return current_app.extensions[_KEY]


def count_search(params: SearchParams, total: int) -> None:
    """Count a search that was answered (never raises: see :meth:`QueryStats.record`)."""
    if params.page == 1:
        recorder().record(params.q, total)


def init_app(app: Flask, settings: WebConfig) -> QueryStats:
    stats = QueryStats(stats_path(settings.index_dir), settings.stats_days)
    app.extensions[_KEY] = stats
    if stats.enabled:  # a worker that exits writes what it has counted (an app dropped before: nothing)
        atexit.register(_close, weakref.ref(stats))
    return stats


def _close(ref: weakref.ref[QueryStats]) -> None:
    stats = ref()
    if stats is not None:
        stats.close()
