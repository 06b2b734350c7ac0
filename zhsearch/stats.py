"""The ``zhsearch stats`` command: what readers search for (search/querystats.py), from the shell."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import click

from indexer.config import setting as shared_setting
from indexer.options import index_option
from search.querystats import DEFAULT_DAYS, report, stats_path
from web.config import setting


def _kept_days() -> int:
    try:
        return max(0, int(setting("STATS_DAYS").strip()))
    except ValueError:
        raise click.ClickException(
            f"ZHSEARCH_STATS_DAYS: expected a whole number, got {setting('STATS_DAYS')!r}"
        ) from None


def hits_now(index_dir: Path, queries: list[str]) -> dict[str, int] | None:
    """What each query finds now in the live index, as a reader's search without filters; None when the index
    cannot be read (a query the engine rejects is left out)."""
    from indexer.store import StoreError
    from search import Searcher
    from search.errors import QueryError, SearchError

    searcher = Searcher(index_dir, synonyms=shared_setting("SYNONYMS"), cache_size=0)
    out: dict[str, int] = {}
    try:
        for query in queries:
            try:
                out[query] = searcher.search(query, per_page=1).total
            except QueryError:
                continue
    except (SearchError, StoreError, OSError):
        return None
    return out


def _hits(n: int) -> str:
    return f"{n:,} hit{'' if n == 1 else 's'}"


def _print_plain(body: dict[str, Any], no_results: bool, now: dict[str, int] | None) -> None:
    click.echo(
        f"{body['from']} to {body['to']} ({body['days']} days): {body['searches']:,} searches, "
        f"{body['queries']:,} distinct queries, {body['no_result_searches']:,} without results"
    )
    sections = [("no results", body["no_results"])] if no_results else [("most searched", body["top"])]
    if not no_results:
        sections.append(("no results", body["no_results"]))
    for title, rows in sections:
        click.echo(f"\n{title}:")
        if not rows:
            click.echo("  (none)")
        for row in rows:
            hits = ""
            if "hits" in row and now is not None:
                hits = f"  {_hits(now[row['query']])}" if row["query"] in now else ""
            elif "hits" in row:
                hits = f"  {_hits(row['hits'])} at its last search"
            click.echo(f"  {row['searches']:>7,}  {row['query']}{hits}")


@click.command(name="stats")
@index_option()
@click.option(
    "--days",
    type=click.IntRange(1, 3660),
    default=None,
    help=f"The last N days, today included (default: ZHSEARCH_STATS_DAYS, the days kept, or {DEFAULT_DAYS}).",
)
@click.option(
    "--limit", "-n", type=click.IntRange(1, 1000), default=20, show_default=True, help="Queries listed."
)
@click.option("--no-results", is_flag=True, help="Only the queries that found nothing.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the report as JSON (the /api/admin/stats answer)."
)
def stats_command(index_dir: Path, days: int | None, limit: int, no_results: bool, as_json: bool) -> None:
    """The most frequent queries and the most frequent queries without results, with counts.

    Counted by the web app per day and normalized query (no address or cookie), in QUERYSTATS.sqlite3 in the
    index directory, for ZHSEARCH_STATS_DAYS days (default 90; 0: not recorded). The hits shown are what each
    query finds now in the index, without filters; --json gives, as the admin API does, the hits of each
    query's last search (which may have filtered by source, category or date).
    """
    kept = _kept_days()
    path = stats_path(index_dir)
    try:
        body = report(path, days or kept or DEFAULT_DAYS, limit=limit, kept_days=kept)
    except (sqlite3.Error, OSError) as exc:
        raise click.ClickException(f"cannot read the query stats {path}: {exc}") from None
    if not kept:
        click.echo("note: ZHSEARCH_STATS_DAYS is 0: the web app records no query stats", err=True)
    elif not path.exists():
        click.echo(
            f"note: no query stats at {path} yet (the web app writes them as readers search)", err=True
        )
    if no_results:
        body.pop("top")
    if as_json:
        click.echo(json.dumps(body, ensure_ascii=False))
        return
    now = hits_now(index_dir, [row["query"] for row in body.get("top", [])]) if body.get("top") else {}
    if now is None:
        click.echo(
            f"note: cannot read the index at {index_dir}: the hits shown are those of each query's last "
            "search, with its filters",
            err=True,
        )
    _print_plain(body, no_results, now)
