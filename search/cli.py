"""The ``zhsearch search`` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from indexer.config import setting
from indexer.options import index_option
from indexer.store import StoreError
from search.errors import IndexUnavailableError, SearchError
from search.fresh import FRESH_HALF_LIFE, parse_half_life
from search.request import DEFAULT_PER_PAGE, MAX_PER_PAGE, SORTS, SearchRequest
from search.results import SearchResult
from search.searcher import Searcher

RELAXED_NOTE = "没有同时包含全部关键词的结果 (no article has all the words; these have some of them)"


def _print_plain(result: SearchResult) -> None:
    first = (result.page - 1) * result.per_page
    shown = f"{first + 1}-{first + len(result.hits)}" if result.hits else "none"
    copies = (
        f"; {result.collapsed:,} copies of these stories folded in (--no-collapse lists them)"
        if result.collapsed
        else ""
    )
    click.echo(f"{result.stories:,} results, showing {shown} ({result.took_ms:.1f} ms{copies})")
    if result.suggestion is not None and result.corrected:
        click.echo(
            f"note: 已显示“{result.suggestion.query}”的搜索结果 (showing results for {result.suggestion.query}, "
            f"{result.suggestion.reason}; --no-spellcheck searches {result.query} as typed)"
        )
    elif result.suggestion is not None:
        click.echo(
            f"note: 您是不是要找：{result.suggestion.query} (did you mean, {result.suggestion.reason})"
        )
    if result.relaxed:
        click.echo(f"note: {RELAXED_NOTE}")
    for rank, hit in enumerate(result.hits, first + 1):
        click.echo(
            f"{rank:>4}. {hit.score:8.3f}  {hit.id}  {hit.title}  {hit.url or '-'}  {hit.source or '-'}  "
            f"{hit.published or '-'}" + (f"  (+{len(hit.duplicates)} similar)" if hit.duplicates else "")
        )


@click.command(name="search")
@click.argument("query", nargs=-1, required=True)
@index_option()
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(1, MAX_PER_PAGE),
    default=None,
    help="Number of hits (the first page of that size; same as --per-page).",
)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, help="Result page.")
@click.option(
    "--per-page",
    type=click.IntRange(1, MAX_PER_PAGE),
    default=None,
    help=f"Hits per page (1-{MAX_PER_PAGE}, default 10).",
)
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="relevance",
    show_default=True,
    help="Result order: fresh is relevance times a decay on age (ZHSEARCH_FRESH_HALF_LIFE_DAYS).",
)
@click.option(
    "--from",
    "date_from",
    metavar="YYYY[-MM[-DD]]",
    default=None,
    help="Published on or after this day (a month or a year: its first day).",
)
@click.option(
    "--to",
    "date_to",
    metavar="YYYY[-MM[-DD]]",
    default=None,
    help="Published on or before this day (a month or a year: its last day).",
)
@click.option("--source", "sources", multiple=True, help="Only this source (exact value; repeatable).")
@click.option("--category", "categories", multiple=True, help="Only this category (exact value; repeatable).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the result as one JSON object, as /api/search answers it."
)
@click.option(
    "--spellcheck/--no-spellcheck",
    default=True,
    show_default=True,
    help="Read words typed in pinyin or with a sound-alike slip as what they spell (as /api/search does); "
    "--no-spellcheck searches them as typed.",
)
@click.option(
    "--collapse/--no-collapse",
    default=True,
    show_default=True,
    help="Show each story once, its copies (near-duplicates found by reindex) folded into it; --no-collapse "
    "lists every copy.",
)
def search_command(
    query: tuple[str, ...],
    index_dir: Path,
    limit: int | None,
    page: int,
    per_page: int | None,
    sort: str,
    date_from: str | None,
    date_to: str | None,
    sources: tuple[str, ...],
    categories: tuple[str, ...],
    as_json: bool,
    spellcheck: bool,
    collapse: bool,
) -> None:
    """Search the index for QUERY and print a page of results.

    QUERY uses the search-box language: words (all must match), "exact phrases", -exclusions, OR, ( ),
    title:, source:, category:, date:2024-01..2024-06; several arguments are joined with spaces. Put the
    options first and -- before a query that starts with "-" (zhsearch search -n 5 -- -缅北 诈骗).

    QUERY "-" reads one query a line from stdin and prints one JSON object a line (a query that fails
    prints {"query": ..., "error": ..., "error_type": ...} and the next line goes on).
    """
    text = " ".join(query)
    if limit is not None and (per_page is not None and per_page != limit or page != 1):
        raise click.UsageError(
            "--limit N is the first page of N hits: use either --limit or --page/--per-page"
        )
    try:
        request = SearchRequest(
            q=text,
            page=page,
            per_page=limit or per_page or DEFAULT_PER_PAGE,
            sort=sort,
            date_from=date_from,
            date_to=date_to,
            sources=sources,
            categories=categories,
            spellcheck=spellcheck,
            collapse=collapse,
        )
    except SearchError as exc:
        raise click.ClickException(_message(exc)) from None
    try:
        half_life = parse_half_life(FRESH_HALF_LIFE.value())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        searcher = Searcher(index_dir, synonyms=setting("SYNONYMS"), fresh_half_life_days=half_life)
        if text == "-":
            _search_lines(searcher, request)
            return
        result = searcher.search(request)
    except (SearchError, StoreError) as exc:  # one line and exit status 1, never a traceback
        raise click.ClickException(_message(exc)) from None
    if as_json:
        click.echo(json.dumps(result.to_api_dict(), ensure_ascii=False))
    else:
        _print_plain(result)


#: The command's name for each parameter of a search request (its errors name it so).
OPTION_NAMES = {"q": "QUERY", "page": "--page", "per_page": "--per-page", "sort": "--sort"}
OPTION_NAMES |= {"date_from": "--from", "date_to": "--to"}


def _message(exc: Exception) -> str:
    param = getattr(exc, "param", None)
    if param:
        return f"{OPTION_NAMES.get(param, param)}: {exc.detail}"  # type: ignore[attr-defined]
    return str(exc)


def _search_lines(searcher: Searcher, request: SearchRequest) -> None:
    """One query a line from stdin, one JSON object a line on stdout (an empty line is an empty query)."""
    for line in sys.stdin:
        query = line.rstrip("\r\n")
        try:
            out = searcher.search(request.but(q=query)).to_api_dict()
        except IndexUnavailableError as exc:
            raise click.ClickException(_message(exc)) from None
        except SearchError as exc:
            out = {"query": query, "error": str(exc), "error_type": type(exc).__name__}
        click.echo(json.dumps(out, ensure_ascii=False))
        sys.stdout.flush()
