"""Settings shared by the CLI and the web app, each declared once with its default and help.

Every setting can be given as an environment variable ``ZHSEARCH_<NAME>``; the README's table is checked
against this list by a test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def env(self) -> str:
        return f"ZHSEARCH_{self.name}"

    def value(self) -> str:
        return os.environ.get(self.env, self.default)


SETTINGS: tuple[Setting, ...] = (
    Setting("INDEX_DIR", "index_data/index", "Directory of the index (generations, CURRENT pointer, lock)."),
    Setting(
        "ARTICLES_DIR", "index_data/articles", "Default article files/directories for `zhsearch reindex`."
    ),
    Setting(
        "USERDICT",
        "index_data/userdict.txt",
        "User dictionary for segmentation, jieba's `word [freq] [tag]` format.",
    ),
    Setting(
        "MAX_BODY_CHARS",
        "200000",
        "Characters of an article body that are stored and indexed; a longer body is cut, with a warning "
        "naming its file and line; `0`: no cap.",
    ),
    Setting(
        "DUP_THRESHOLD",
        "0.8",
        "Estimated Jaccard similarity (MinHash over 3-character shingles of the body) from which `reindex` "
        "groups articles as copies of one story; results show each group once (`collapse=0`: every copy).",
    ),
    Setting(
        "SYNONYMS",
        "index_data/synonyms.txt",
        "Query-time synonym groups, one a line (`美国,美方,美利坚`); reloaded when the file changes.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def setting(name: str) -> str:
    """The value of a setting: its environment variable, else its default."""
    return _BY_NAME[name].value()
