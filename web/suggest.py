"""Search-box suggestions: frequent index terms and article titles, by prefix, in characters or in pinyin.

The table is built from the index (the term lexicons of ``title`` and ``body`` and the stored titles) and kept per
index version, so a reindex brings new suggestions. Each entry has three sorted keys:

* its folded text (NFKC, lower case, simplified), so 國際 finds 国际…;
* its full pinyin without tones (``gonganbu``), so a prefix such as ``gongan`` works;
* its pinyin initials (``gab``).

A prefix lookup is two binary searches per key list and a top-k pick over the matching range.
"""

from __future__ import annotations

import heapq
import re
import threading
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pypinyin import lazy_pinyin

from indexer.normalize import fold

#: Characters of a title whose pinyin is indexed (enough for any prefix a person types).
TITLE_PINYIN_CHARS = 16
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_RUN_RE = re.compile(f"(?P<cjk>[{_CJK}]+)|(?P<other>[^{_CJK}]+)")
_WORDISH_RE = re.compile(r"[^\W_]")
_NOT_ALNUM_RE = re.compile(r"[^0-9a-z]+")
_PINYIN_QUERY_RE = re.compile(r"^[a-z][a-z' ]*$")


@dataclass(frozen=True, slots=True)
class Entry:
    text: str
    kind: str  # "term" or "title"
    weight: int
    id: str | None = None


class _Pinyin:
    """Pinyin of text: pypinyin reads each Chinese run with its phrase dictionary (长城 chang cheng, 长大 zhang
    da); a run of anything else stays whole, lower-cased, letters and digits only. Memoised per run."""

    def __init__(self) -> None:
        self._memo: dict[str, list[tuple[str, bool]]] = {}

    def syllables(self, text: str) -> list[tuple[str, bool]]:
        """``(syllable, from_chinese)`` pairs."""
        out: list[tuple[str, bool]] = []
        for m in _RUN_RE.finditer(text):
            run = m.group()
            parts = self._memo.get(run)
            if parts is None:
                if m.lastgroup == "cjk":
                    parts = [
                        (p, True) for p in (_NOT_ALNUM_RE.sub("", x.lower()) for x in lazy_pinyin(run)) if p
                    ]
                else:
                    parts = [(p, False) for p in [_NOT_ALNUM_RE.sub("", run.lower())] if p]
                if len(self._memo) < 200_000:
                    self._memo[run] = parts
            out.extend(parts)
        return out

    def keys(self, text: str) -> tuple[str, str]:
        """(full spelling, initials); a non-Chinese run stays whole in both (``5g手机`` -> ``5gshouji``, ``5gsj``)."""
        syl = self.syllables(text)
        return "".join(s for s, _ in syl), "".join(s[0] if chinese else s for s, chinese in syl)


class SuggestionTable:
    """Prefix lookup over terms and titles; immutable once built, so lookups need no lock."""

    def __init__(self, entries: list[Entry], keyed: Iterable[tuple[str, str, str, int]]) -> None:
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
        for i in picked:
            e = self.entries[i]
            if e.text in seen:
                continue
            seen.add(e.text)
            item: dict[str, Any] = {"text": e.text, "kind": e.kind}
            if e.id is not None:
                item["id"] = e.id
            out.append(item)
        return out


def _good_term(term: str) -> bool:
    return len(term) >= 2 and bool(_WORDISH_RE.search(term)) and not term.isdigit()


def build_table(reader: Any, *, max_terms: int, max_titles: int) -> SuggestionTable:
    """Build the table from a Whoosh reader of the article index."""
    df: Counter[bytes] = Counter()
    fields = [f for f in ("title", "body") if f in reader.schema.names()]
    for leaf, _ in reader.leaf_readers():  # segment by segment: 4x faster than through a multi-reader
        for field in fields:
            for btext, info in leaf.iter_field(field):
                df[btext] += info.doc_frequency()
    best = heapq.nlargest(
        max_terms,
        ((t, n) for b, n in df.items() if _good_term(t := b.decode("utf-8", "replace"))),
        key=lambda kv: kv[1],
    )
    known = {t for t, _ in best}
    entries: list[Entry] = []
    keyed: list[tuple[str, str, str, int]] = []
    pinyin = _Pinyin()
    for term, count in best:
        full, initials = pinyin.keys(term) if _CJK_RE.search(term) else ("", "")
        keyed.append((term, full, initials, len(entries)))
        entries.append(Entry(term, "term", count))
    seen: set[str] = set()
    for fields in _titles(reader, max_titles):
        title = " ".join(str(fields.get("title") or "").split())
        key = fold(title)
        if not title or key in seen or key in known:
            continue
        seen.add(key)
        head = title[:TITLE_PINYIN_CHARS]
        full, initials = pinyin.keys(head) if _CJK_RE.search(head) else ("", "")
        keyed.append((key, full, initials, len(entries)))
        entries.append(Entry(title, "title", 0, str(fields.get("id") or "") or None))
    return SuggestionTable(entries, keyed)


def _titles(reader: Any, limit: int) -> Iterator[dict[str, Any]]:
    n = 0
    for fields in reader.all_stored_fields():
        if n >= limit:
            return
        n += 1
        yield fields


class SuggestionCache:
    """One table per index version. The first lookup after a change builds the new table; lookups made meanwhile
    get the previous table (or wait for the first one), so a reindex never stalls the search box."""

    def __init__(self, max_terms: int, max_titles: int) -> None:
        self.max_terms = max_terms
        self.max_titles = max_titles
        self._lock = threading.Lock()
        self._version: object = None
        self._table: SuggestionTable | None = None

    def table(self, version: object, open_reader: Any) -> SuggestionTable:
        table = self._table
        if table is not None and self._version == version:
            return table
        if not self._lock.acquire(blocking=table is None):
            return table  # type: ignore[return-value]  # another thread is building: serve the previous table
        try:
            if self._table is None or self._version != version:
                with open_reader() as reader:
                    self._table = build_table(reader, max_terms=self.max_terms, max_titles=self.max_titles)
                self._version = version
            return self._table
        finally:
            self._lock.release()
