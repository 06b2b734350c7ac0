"""Search-box suggestions: frequent index terms and article titles, by prefix, in characters or in pinyin.

The entries are the index's most frequent terms and first titles (:mod:`indexer.derived.suggest`: written by ``reindex``
for every commit, or built here for an index without them) and kept per index version, so a reindex brings new
suggestions. Each entry has three sorted keys:

* its folded text (NFKC, lower case, simplified), so 國際 finds 国际…;
* its full pinyin without tones (``gonganbu``), so a prefix such as ``gongan`` works;
* its pinyin initials (``gab``).

A prefix lookup is two binary searches per key list and a top-k pick over the matching range. Terms are held
folded (simplified); when what the user typed holds traditional characters, a term is offered in traditional
characters (OpenCC ``s2t``: 颱 → 颱風, not 台风), its start written as typed. Titles are offered as written.
"""

from __future__ import annotations

import heapq
import re
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import opencc

from indexer.derived.suggest import _CJK_RE, Entry, Keyed, build_data, read_suggestions
from indexer.normalize import fold

_PINYIN_QUERY_RE = re.compile(r"^[a-z][a-z' ]*$")
#: Seconds a new index version is served the previous table while its prebuilt suggestions are awaited.
PREBUILT_GRACE = 60.0


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def is_traditional(text: str) -> bool:
    """Whether ``text`` holds a character that is written otherwise in simplified Chinese (颱, 國; not 台, 公)."""
    return _converter("t2s").convert(text) != text


def in_script_of(typed: str, term: str) -> str | None:
    """``term`` (folded: simplified) in traditional characters, starting as ``typed`` when it starts with it
    (台灣 stays 台灣, not 臺灣); None when the term is another word than the one typed: a traditional character
    typed where the term has another (颱 typed, 台湾 is 臺灣, not 颱灣)."""
    converted = _converter("s2t").convert(term)
    typed = " ".join(typed.split())
    if len(converted) != len(term) or fold(typed) != term[: len(typed)]:
        return converted
    for mine, theirs in zip(typed, converted, strict=False):
        if mine != theirs and is_traditional(mine):
            return None
    return typed + converted[len(typed) :]


class SuggestionTable:
    """Prefix lookup over terms and titles; immutable once built, so lookups need no lock."""

    def __init__(self, entries: list[Entry], keyed: Iterable[Keyed]) -> None:
        self.entries = entries
        by_kind: dict[str, list[tuple[str, int]]] = {"text": [], "full": [], "initials": []}
        for text_key, full, initials, i in keyed:
            if text_key:
                by_kind["text"].append((text_key, i))
            if full:
                by_kind["full"].append((full, i))
            if initials and initials != full:
                by_kind["initials"].append((initials, i))
        self._keys: dict[str, list[str]] = {}
        self._ids: dict[str, list[int]] = {}
        for kind, pairs in by_kind.items():
            pairs.sort()
            self._keys[kind] = [k for k, _ in pairs]
            self._ids[kind] = [i for _, i in pairs]

    def __len__(self) -> int:
        return len(self.entries)

    def _range(self, kind: str, prefix: str) -> Iterator[tuple[int, bool]]:
        keys = self._keys[kind]
        lo = bisect_left(keys, prefix)
        hi = bisect_right(keys, prefix + "\U0010ffff", lo)
        ids = self._ids[kind]
        for j in range(lo, hi):
            yield ids[j], keys[j] == prefix

    def lookup(self, query: str, limit: int = 8) -> list[dict[str, Any]]:
        """Suggestions for what the user typed so far: terms first (most frequent first), then titles."""
        folded = " ".join(fold(query).split())
        if not folded or limit <= 0:
            return []
        matches: dict[int, bool] = {}
        for i, exact in self._range("text", folded):
            matches[i] = matches.get(i, False) or exact
        if not _CJK_RE.search(folded) and _PINYIN_QUERY_RE.match(folded):
            spelled = folded.replace(" ", "").replace("'", "")
            for kind in ("full", "initials"):
                for i, exact in self._range(kind, spelled):
                    matches[i] = matches.get(i, False) or exact

        def rank(i: int) -> tuple[int, int, int]:
            e = self.entries[i]
            return (1 if matches[i] else 0, e.weight, -len(e.text))

        terms = heapq.nlargest(limit, (i for i in matches if self.entries[i].kind == "term"), key=rank)
        titles = heapq.nlargest(limit, (i for i in matches if self.entries[i].kind == "title"), key=rank)
        # Keep room for a few titles when there are any: they show what the index holds.
        n_terms = min(len(terms), max(limit - min(len(titles), 3), limit - len(titles)))
        picked = terms[:n_terms] + titles[: limit - n_terms]
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        traditional = is_traditional(query)
        for i in picked:
            e = self.entries[i]
            text = in_script_of(query, e.text) if traditional and e.kind == "term" else e.text
            if text is None or text in seen:
                continue
            seen.add(text)
            item: dict[str, Any] = {"text": text, "kind": e.kind}
            if e.id is not None:
                item["id"] = e.id
            out.append(item)
        return out


def build_table(reader: Any, *, max_terms: int, max_titles: int) -> SuggestionTable:
    """Build the table from a Whoosh reader of the article index."""
    data = build_data(reader, max_terms=max_terms, max_titles=max_titles)
    return SuggestionTable(data.entries, data.keyed)


class SuggestionTables:
    """One table per index version. The first lookup after a change builds the new table; lookups made meanwhile
    get the previous table (or wait for the first one), so a reindex never stalls the search box."""

    def __init__(self, max_terms: int, max_titles: int) -> None:
        self.max_terms = max_terms
        self.max_titles = max_titles
        self._lock = threading.Lock()
        self._version: object = None
        self._table: SuggestionTable | None = None
        self.built = 0  # tables built here, and loaded from the data reindex wrote
        self.loaded = 0
        self._waiting: tuple[object, float] = (None, 0.0)  # a version without its data yet, since when

    def table(
        self, version: object, open_reader: Any, prebuilt: Callable[[], SuggestionTable | None] | None = None
    ) -> SuggestionTable:
        """The table of index ``version``: ``prebuilt()`` (the data ``reindex`` wrote), else built from a
        reader of ``open_reader()``."""
        table = self._table
        if table is not None and self._version == version:
            return table
        if not self._lock.acquire(blocking=table is None):
            return table  # type: ignore[return-value]  # another thread is building: serve the previous table
        try:
            if self._table is None or self._version != version:
                loaded = prebuilt() if prebuilt is not None else None
                if loaded is None and prebuilt is not None and self._table is not None:
                    # reindex commits first and writes that commit's suggestions next (seconds later): serve
                    # the previous table meanwhile rather than build one here
                    now = time.monotonic()
                    if self._waiting[0] != version:
                        self._waiting = (version, now)
                    if now - self._waiting[1] < PREBUILT_GRACE:
                        return self._table
                if loaded is None:
                    with open_reader() as reader:
                        loaded = build_table(reader, max_terms=self.max_terms, max_titles=self.max_titles)
                    self.built += 1
                else:
                    self.loaded += 1
                self._table = loaded
                self._version = version
            return self._table
        finally:
            self._lock.release()

    def prebuilt(self, gen_dir: Path, commit: int) -> SuggestionTable | None:
        """The table from the data ``reindex`` wrote for this commit and these sizes, if any."""
        data = read_suggestions(gen_dir, commit, max_terms=self.max_terms, max_titles=self.max_titles)
        return SuggestionTable(data.entries, data.keyed) if data is not None else None
