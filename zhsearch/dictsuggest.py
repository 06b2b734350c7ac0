"""``zhsearch dict suggest``: new dictionary words found in the indexed corpus (see :mod:`indexer.newwords`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from indexer.newwords import DEFAULT_ARTICLES, MIN_COUNT, index_candidates
from indexer.options import index_option
from indexer.store import StoreError


@click.command(name="suggest")
@click.option(
    "--min-count",
    type=click.IntRange(min=2),
    default=MIN_COUNT,
    show_default=True,
    help="Occurrences a candidate needs in the articles read.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Candidates listed at most."
)
@click.option(
    "--max-articles",
    type=click.IntRange(min=1),
    default=DEFAULT_ARTICLES,
    show_default=True,
    help="Articles read (the first ones of the index).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON array of {word, count, cut, example, ...}."
)
@index_option()
def dict_suggest(min_count: int, limit: int, max_articles: int, as_json: bool, index_dir: Path) -> None:
    """List candidate dictionary words found in the indexed articles.

    Candidates are strings of two to four characters that occur often, hold together (high mutual information
    between their parts, varied neighbours on both sides) and that the segmenter cuts into pieces today. One
    line each, tab-separated: the word, its count, how it is cut now, an example. The first column is what
    ``zhsearch dict add`` takes: zhsearch dict suggest | cut -f1 | xargs zhsearch dict add
    """
    try:
        found = index_candidates(index_dir, min_count=min_count, limit=limit, max_articles=max_articles)
    except (StoreError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in found], ensure_ascii=False))
        return
    for c in found:
        click.echo(f"{c.word}\t{c.count}\t{'/'.join(c.cut)}\t{c.example}")
