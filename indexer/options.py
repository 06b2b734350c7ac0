"""Command-line options shared by the commands of every layer (``zhsearch reindex``, ``search``, ``serve``...)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from indexer.config import setting


def index_option(help: str = "Index directory.") -> Callable[[Any], Any]:  # noqa: A002 (Click's name)
    """``--index DIR``: the index directory, ``ZHSEARCH_INDEX_DIR`` by default."""
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=lambda: setting("INDEX_DIR"),
        show_default="index_data/index",
        envvar="ZHSEARCH_INDEX_DIR",
        help=help,
    )
