"""The ``zhsearch search`` command."""

from __future__ import annotations

import json
from pathlib import Path

import click
from whoosh import qparser

from indexer.config import setting
from indexer.store import StoreError, open_index


@click.command(name="search")
@click.argument("query")
@click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: setting("INDEX_DIR"),
    show_default="index_data/index",
    help="Index directory.",
)
@click.option("--limit", "-n", type=click.IntRange(1, 50), default=10, show_default=True, help="Number of hits.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with total and hits.")
def search_command(query: str, index_dir: Path, limit: int, as_json: bool) -> None:
    """Search the index for QUERY and print the top hits."""
    try:
        ix = open_index(index_dir)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    with ix.searcher() as searcher:
        parser = qparser.MultifieldParser(["title", "body"], ix.schema, group=qparser.AndGroup)
        q = parser.parse(query)
        results = searcher.search(q, limit=limit)
        hits = [
            {
                "id": hit["id"],
                "title": hit.get("title", ""),
                "url": hit.get("url", ""),
                "source": hit.get("source", ""),
                "published": hit["published"].isoformat() if hit.get("published") else None,
                "score": round(hit.score, 4),
            }
            for hit in results
        ]
        total = len(results)
    if as_json:
        click.echo(json.dumps({"total": total, "hits": hits}, ensure_ascii=False))
        return
    click.echo(f"{total} hits")
    for h in hits:
        click.echo(f"{h['score']:8.3f}  {h['id']}  {h['title']}  {h['source']}  {h['published'] or ''}  {h['url']}")
