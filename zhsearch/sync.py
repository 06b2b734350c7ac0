"""``zhsearch sync wordpress URL`` and ``zhsearch sync feed URL``: keep the index in step with a site.

A sync brings a mirror of the site's articles up to date in ``<index>/sources/`` (only new and changed posts are
fetched) and then runs the incremental reindex over that directory: the one writer, its file state, deletions
and derived data apply as to any article file, and the summary is the reindex's. ``--every SECONDS`` keeps
syncing on that schedule; an error then is printed and the next round tried.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from indexer.analysis import read_userdict
from indexer.config import setting
from indexer.ingest.fetch import FetchError
from indexer.ingest.summary import ReindexSummary
from indexer.options import index_option
from indexer.store import StoreError

#: The directory inside the index directory where the syncs keep their mirrors.
SOURCES_DIR = "sources"


def sources_dir(index_dir: Path) -> Path:
    """Where the syncs of ``index_dir`` keep their mirrors (``zhsearch reindex`` reads it like any directory)."""
    return Path(index_dir).absolute() / SOURCES_DIR


@click.group(name="sync")
def sync_group() -> None:
    """Keep the index in step with a WordPress site or a news feed."""


def _common(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--every",
        type=click.FloatRange(min=1),
        default=None,
        metavar="SECONDS",
        help="Keep running: sync again every SECONDS (errors are printed and the next round tried).",
    )(f)
    f = click.option("--json", "as_json", is_flag=True, help="Print each summary as JSON on stdout.")(f)
    f = click.option(
        "--userdict",
        type=click.Path(dir_okay=False, path_type=Path),
        default=lambda: setting("USERDICT"),
        show_default="index_data/userdict.txt",
        envvar="ZHSEARCH_USERDICT",
        help="User dictionary file (the one the index was built with).",
    )(f)
    return index_option()(f)


@sync_group.command(name="wordpress")
@click.argument("url")
@_common
def sync_wordpress(url: str, index_dir: Path, userdict: Path, as_json: bool, every: float | None) -> None:
    """Index the published posts of the WordPress site at URL (its home page), through its REST API.

    The first run fetches every post; later runs list the posts' ids and modification times, fetch only the
    new and edited ones, and delete what is no longer published. Article ids are wp-<site host>-<post id>,
    as in the site's export file (Tools > Export), which zhsearch reindex reads too.
    """
    from indexer.ingest.wordpress import mirror_wordpress

    _run(
        lambda log: mirror_wordpress(url, sources_dir(index_dir), log),
        url,
        index_dir,
        userdict,
        as_json,
        every,
    )


@sync_group.command(name="feed")
@click.argument("url")
@_common
def sync_feed(url: str, index_dir: Path, userdict: Path, as_json: bool, every: float | None) -> None:
    """Index the articles of the RSS or Atom feed at URL.

    The full text is taken from the feed, or from each article's page when the feed carries a summary only.
    Articles that leave the feed stay indexed. Requests go one at a time, with If-Modified-Since.
    """
    from indexer.ingest.feeds import mirror_feed

    _run(lambda log: mirror_feed(url, sources_dir(index_dir), log), url, index_dir, userdict, as_json, every)


def _run(
    mirror: Callable[[Callable[[str], None]], Any],
    url: str,
    index_dir: Path,
    userdict: Path,
    as_json: bool,
    every: float | None,
) -> None:
    try:
        entries = read_userdict(userdict)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise click.ClickException(f"cannot read the user dictionary {userdict}: {exc}") from None
    while True:
        started = time.monotonic()
        try:
            _sync_once(mirror, url, index_dir, entries, as_json)
        except (FetchError, StoreError) as exc:
            if every is None:
                raise click.ClickException(str(exc)) from None
            click.echo(f"error: {exc}", err=True)
        if every is None:
            return
        time.sleep(max(0.0, every - (time.monotonic() - started)))


@dataclass
class SyncResult:
    """A sync: the reindex summary (its ``seconds`` the whole sync's) and the seconds spent fetching."""

    summary: ReindexSummary
    fetch_seconds: float

    def as_dict(self, url: str) -> dict[str, Any]:
        return {"url": url, **self.summary.as_dict(), "fetch_seconds": round(self.fetch_seconds, 3)}


def sync_index(
    mirror: Callable[[Callable[[str], None]], Any],
    index_dir: Path,
    userdict: tuple = (),
    log: Callable[[str], None] = lambda message: None,
) -> SyncResult:
    """Bring a mirror up to date (``mirror(log)``), then reindex ``<index>/sources``."""
    from indexer.writer import reindex

    started = time.monotonic()
    change = mirror(log)
    fetched = time.monotonic() - started
    summary = reindex([change.path.parent], index_dir, userdict=userdict, log=log)
    summary.seconds = time.monotonic() - started  # the whole sync, fetching included
    return SyncResult(summary, fetched)


def _sync_once(
    mirror: Callable[[Callable[[str], None]], Any], url: str, index_dir: Path, entries: tuple, as_json: bool
) -> None:
    result = sync_index(mirror, index_dir, entries, lambda m: click.echo(m, err=True))
    summary = result.summary
    for problem in summary.problems[:20]:
        click.echo(f"skipped: {problem}", err=True)
    for warning in summary.warnings[:20]:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(result.as_dict(url), ensure_ascii=False))
        return
    click.echo(
        f"sync {url}: {summary.added:,} added, {summary.updated:,} updated, {summary.deleted:,} deleted, "
        f"{summary.unchanged:,} unchanged in {summary.seconds:.1f} s; "
        f"{summary.generation} holds {summary.documents:,} articles"
    )
