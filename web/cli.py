"""The ``zhsearch serve`` command (registered on the ``zhsearch`` group by :mod:`zhsearch.cli`)."""

from __future__ import annotations

from pathlib import Path

import click

from indexer.options import index_option
from web.config import setting


@click.command(name="serve")
@click.option(
    "--host",
    default=lambda: setting("HOST"),
    show_default="127.0.0.1",
    envvar="ZHSEARCH_HOST",
    help="Address to listen on.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=lambda: int(setting("PORT")),
    show_default="5000",
    envvar="ZHSEARCH_PORT",
    help="Port to listen on.",
)
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(min=1),
    default=lambda: int(setting("WORKERS")),
    show_default="2",
    envvar="ZHSEARCH_WORKERS",
    help="Worker processes (each opens the read-only index; a reindex is picked up without restart).",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=lambda: int(setting("THREADS")),
    show_default="4",
    envvar="ZHSEARCH_THREADS",
    help="Threads per worker process.",
)
@index_option("Index directory (built by `zhsearch reindex`; a later reindex is served without a restart).")
@click.option(
    "--log-json",
    is_flag=True,
    default=None,
    help="Access and error log lines as JSON objects (env ZHSEARCH_LOG_JSON).",
)
def serve_command(
    host: str, port: int, workers: int, threads: int, index_dir: Path, log_json: bool | None
) -> None:
    """Serve the search page and the JSON API with gunicorn."""
    import gc

    from search.live import preload_for_workers
    from web import create_app
    from web.accesslog import configure_logging
    from web.server import (
        PortUnavailableError,
        check_port,
        give_back_large_allocations,
        metrics_dir,
        serve,
    )

    overrides: dict[str, object] = {"INDEX_DIR": str(index_dir)}
    if log_json:
        overrides["LOG_JSON"] = True
    try:
        app = create_app(overrides)
    except ValueError as exc:
        raise click.ClickException(f"bad setting: {exc}") from None
    settings = app.extensions["zhsearch"].settings
    # from here on (the preloaded tables, then every query of the workers), large arrays are given back to the
    # system when freed, not kept in the heaps
    give_back_large_allocations(settings.malloc_mmap_threshold)
    try:
        check_port(host, port)
    except PortUnavailableError as exc:
        raise click.ClickException(str(exc)) from None
    require_index(index_dir)
    preload_for_workers(index_dir)  # jieba's dictionary and the spelling tables, shared by the workers
    app.extensions["zhsearch"].engine.preload()  # and the suggestion table
    # what is loaded so far stays shared: the workers' garbage collections do not write to it (copy-on-write)
    gc.freeze()
    configure_logging(json_lines=settings.log_json)
    if not settings.log_json:
        click.echo(
            f"zhsearch: serving {index_dir} on http://{host}:{port} ({workers} workers × {threads} threads); Ctrl-C stops",
            err=True,
        )
    with metrics_dir(settings.metrics):  # the workers' metric files, removed when the server stops
        serve(
            app,
            host=host,
            port=port,
            workers=workers,
            threads=threads,
            log_json=settings.log_json,
            metrics=settings.metrics,
        )


def require_index(index_dir: Path) -> None:
    """A ClickException naming ``index_dir`` and how to build an index when it holds none (missing, empty, no
    live generation), so that ``zhsearch serve`` fails at once instead of answering 503 to every request.

    A damaged index is served (``/healthz`` says what is wrong, ``zhsearch reindex --full`` repairs it live).
    """
    from indexer.store import StoreError, live_version

    try:
        if live_version(index_dir) is not None:
            return
    except (StoreError, OSError):
        return
    if not index_dir.exists():
        what = "does not exist"
    elif index_dir.is_dir() and not any(index_dir.iterdir()):
        what = "is empty"
    else:
        what = "holds no index (no CURRENT generation)"
    raise click.ClickException(
        f"no index to serve: {index_dir} {what}; build one with "
        f"`zhsearch reindex --index {index_dir} ARTICLES...` (files or directories of articles), "
        "or point --index (ZHSEARCH_INDEX_DIR) at an index directory"
    )
