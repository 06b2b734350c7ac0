"""``zhsearch dict suggest``: new dictionary words found in the indexed corpus (see :mod:`indexer.derived.newwords`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from indexer.derived.newwords import DEFAULT_ARTICLES, MAX_CHARS, MIN_COUNT, index_candidates
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

    Candidates are strings of two to six characters that occur often, hold together (high mutual information
    between their parts, varied neighbours on both sides) and that the segmenter cuts into pieces today, names
    first: pairs of ordinary words that combine freely (各项+工作) are left out. One line each, tab-separated:
    the word, its count, how today's cut breaks it in the text (with what it glues from its neighbours:
    从岚湾/港区), the sentence where it does. The first column is what ``zhsearch dict add`` takes:
    zhsearch dict suggest | cut -f1 | xargs zhsearch dict add
    """
    try:
        found, articles = index_candidates(
            index_dir, min_count=min_count, limit=limit, max_articles=max_articles
        )
    except (StoreError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    if not found:
        click.echo(_nothing_found(articles, min_count), err=True)
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in found], ensure_ascii=False))
        return
    for c in found:
        click.echo(f"{c.word}\t{c.count}\t{'/'.join(c.cut)}\t{c.example}")


def _nothing_found(articles: int, min_count: int) -> str:
    """Why ``dict suggest`` lists nothing, and what to try."""
    if not articles:
        return "no candidates: the index holds no articles"
    read = f"{articles:,} article{'s' if articles != 1 else ''} read"
    why = (
        f"none has a string of 2 to {MAX_CHARS} characters occurring {min_count} times or more, holding together"
        " with varied neighbours, that the segmenter cuts today"
    )
    hint = f" (try --min-count {max(2, min_count - 2)})" if min_count > 2 else ""
    return f"no candidates: {read}, {why}{hint}"
