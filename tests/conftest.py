"""Shared fixtures: small indexes built the way ``zhsearch reindex`` builds them.

* ``make_index(records)``: a fresh index in the test's temporary directory, from article records (the JSON
  objects of a ``.jsonl`` file).
* ``search_news_index`` / ``news_searcher``: the search test corpus (``tests/fixtures/search/news.jsonl``),
  indexed once per session; treat them as read-only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

# the web app's fixtures live in their own module (tests/web_fixtures.py)
pytest_plugins = ["web_fixtures"]

FIXTURES = Path(__file__).parent / "fixtures"
SEARCH_CORPUS = FIXTURES / "search" / "news.jsonl"


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    """Write article records as JSON Lines (creating the directory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def build_index(sources: list[Path], index_dir: Path) -> Path:
    """Index article files into ``index_dir`` with ``reindex`` (one process, no user dictionary)."""
    from indexer.writer import reindex

    reindex(sources, index_dir, jobs=1)
    return index_dir


@pytest.fixture
def make_index(tmp_path: Path) -> Callable[..., Path]:
    """``make_index(records, name="index")`` -> the directory of a new index holding those records."""

    def make(records: Iterable[dict[str, Any]], name: str = "index") -> Path:
        source = write_jsonl(tmp_path / f"{name}-articles" / "articles.jsonl", records)
        return build_index([source], tmp_path / name)

    return make


@pytest.fixture(scope="session")
def search_news_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The search test corpus, indexed once per session (read-only)."""
    return build_index([SEARCH_CORPUS], tmp_path_factory.mktemp("search-news") / "index")


@pytest.fixture(scope="session")
def news_searcher(search_news_index: Path):  # type: ignore[no-untyped-def]
    """A ``search.Searcher`` on the search test corpus, shared by the session (read-only)."""
    from search import Searcher

    return Searcher(search_news_index)
