"""Article loaders: files in, :class:`~indexer.articles.Article` objects (and :class:`Problem` reports) out.

``iter_source_files(paths)`` finds the article files; ``load_file(path)`` reads one, choosing the format by its
name: JSON Lines (``.jsonl``, ``.jsonl.gz``), JSON (``.json``), saved pages as text (``.txt``), HTML (``.html``,
``.htm``), WordPress exports (``.xml``). Loading never raises for bad content: every broken record is a
:class:`Problem` and loading goes on.

Problem reasons (stable, for summaries): "not found", "unreadable file", "unreadable directory", "symlink loop",
"not a regular file", "unsupported file type", "not a text file", "undecodable file", "corrupt gzip", "bad JSON",
"too deeply nested", "bad XML", "not a WordPress export", "not an object", "bad field", "missing title and body",
"no article text", "no article files" (a directory given without any), "loader error" (a bug: an unexpected
exception, reported rather than raised). An unparseable date is no problem: the article is loaded without it, with ``("unparseable date", message)`` in its
``notes``, which the reindex reports as a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from indexer.articles import Article
from indexer.ingest.loaders.files import SUPPORTED_SUFFIXES, iter_source_files
from indexer.ingest.loaders.htmlpage import load_html_page
from indexer.ingest.loaders.jsonfmt import KnownLine, KnownLines, load_json, load_jsonl
from indexer.ingest.loaders.problem import Problem
from indexer.ingest.loaders.textpage import load_text_page
from indexer.ingest.loaders.wxr import load_wxr

__all__ = ["SUPPORTED_SUFFIXES", "KnownLine", "KnownLines", "Problem", "iter_source_files", "load_file"]

_LOADERS: dict[str, Callable[[Path], Iterator[Article | Problem]]] = {
    ".jsonl.gz": load_jsonl,
    ".jsonl": load_jsonl,
    ".json": load_json,
    ".txt": load_text_page,
    ".html": load_html_page,
    ".htm": load_html_page,
    ".xml": load_wxr,
}


def load_file(
    path: Path, name: str | None = None, known: Mapping[str, str] | None = None
) -> Iterator[Article | KnownLine | KnownLines | Problem]:
    """The articles in one file (format chosen by its suffix), with a :class:`Problem` for each bad part.

    ``name``: the file's path relative to the directory it was found in (default: its name); a saved page
    (.txt, .html) without a url gets its id from it, so that editing the page keeps its id. ``known``: digests
    of JSON lines read before, with their ids: such a line comes as a :class:`KnownLine` (runs of them, as
    :class:`KnownLines`).
    """
    path = Path(path)
    lower = path.name.lower()
    loader = next((load for suffix, load in _LOADERS.items() if lower.endswith(suffix)), None)
    if loader is None:
        yield Problem(str(path), None, "unsupported file type", f"not one of {', '.join(SUPPORTED_SUFFIXES)}")
        return
    try:
        if loader in (load_text_page, load_html_page):
            yield from loader(path, name or path.name)  # type: ignore[call-arg]
        elif loader is load_jsonl:
            yield from load_jsonl(path, known)
        else:
            yield from loader(path)
    except Exception as exc:  # a loader bug must not stop a whole indexing run; report it like bad content
        yield Problem(str(path), None, "loader error", f"unexpected {type(exc).__name__}: {exc}")
