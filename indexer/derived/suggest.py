"""The data of the search box's suggestions, built once per index commit by ``reindex``.

Suggestions are the most frequent terms of ``title`` and ``body`` and the first article titles, each with three
sort keys (see :mod:`web.suggest`): folded text, full pinyin and pinyin initials. Spelling tens of thousands of
entries in pinyin takes seconds; done by every web worker after every reindex, that cost competed with the
searches (and pypinyin's dictionaries took tens of MB in each worker). ``reindex`` now writes the data next to the index (:func:`write_suggestions`, ``suggest.pickle`` in the
generation directory, tagged with the Whoosh commit it describes) and the workers load it
(:func:`read_suggestions`); a worker whose settings ask for other sizes, or that finds no file for the live
commit (an index written before this file existed), builds the data itself as before.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.analysis import HAN_CLASS
from indexer.compat import segment_term_dict
from indexer.derived.datafile import UNREADABLE, read_data, write_data
from indexer.normalize import fold

#: Sizes ``reindex`` builds for (the web settings ``ZHSEARCH_SUGGEST_TERMS`` / ``ZHSEARCH_SUGGEST_TITLES``).
DEFAULT_TERMS = 20000
DEFAULT_TITLES = 20000
SUGGEST_FILE = "suggest.pickle"
_FORMAT = 1
#: Each segment's term counts (:func:`term_frequencies`), kept beside the index.
TERM_COUNTS_FILE = "termcounts.pickle"
_COUNTS_FORMAT = 1

#: Characters of a title whose pinyin is indexed (enough for any prefix a person types).
TITLE_PINYIN_CHARS = 16
_CJK = HAN_CLASS
_CJK_RE = re.compile(f"[{_CJK}]")
_RUN_RE = re.compile(f"(?P<cjk>[{_CJK}]+)|(?P<other>[^{_CJK}]+)")
_WORDISH_RE = re.compile(r"[^\W_]")
_NOT_ALNUM_RE = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class Entry:
    text: str
    kind: str  # "term" or "title"
    weight: int
    id: str | None = None


#: One entry's sort keys: (folded text, full pinyin, initials, entry number).
Keyed = tuple[str, str, str, int]


@dataclass(frozen=True)
class SuggestionData:
    entries: list[Entry]
    keyed: list[Keyed]


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
                    from pypinyin import lazy_pinyin  # 57 MB of dictionaries: imported only to build

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


def _good_term(term: str) -> bool:
    return len(term) >= 2 and bool(_WORDISH_RE.search(term)) and not term.isdigit()


def _segment_counts(leaf: Any, fields: list[str]) -> Counter[str]:
    """Each term of ``fields`` in one segment with the number of its documents that hold it (summed over the
    fields): read in bulk from the segment's term dictionary, else term by term through Whoosh."""
    counts: Counter[str] = Counter()
    tdict = segment_term_dict(leaf)
    for field in fields:
        if tdict is not None:
            terms, df = tdict.doc_frequencies(field)
            pairs: Iterable[tuple[bytes, int]] = zip(terms, df.tolist(), strict=True)
        else:
            pairs = ((btext, info.doc_frequency()) for btext, info in leaf.iter_field(field))
        for btext, n in pairs:
            counts[btext.decode("utf-8", "replace")] += n
    return counts


def term_frequencies(reader: Any, cache: Path | None = None) -> Counter[str]:
    """Each term of ``title`` and ``body`` with the number of articles that hold it (summed over the fields).

    Counted segment by segment (much faster than through a multi-reader); as Whoosh's own statistics, a deleted
    document counts until its segment is merged away. ``cache``: a file of each segment's counts, read for the
    segments it has and rewritten for the reader's segments: a segment never changes once written, so an
    incremental reindex counts only its new segment."""
    known: dict[str, Counter[str]] = {}
    if cache is not None:
        payload = read_data(cache, format=_COUNTS_FORMAT)
        if payload is not None and isinstance(payload.get("segments"), dict):
            known = payload["segments"]
    fields = [f for f in ("title", "body") if f in reader.schema.names()]
    per_segment: dict[str, Counter[str]] = {}
    for leaf, _ in reader.leaf_readers():
        segment_id = leaf.segment().segment_id() if hasattr(leaf, "segment") else None
        counts = known.get(segment_id) if segment_id else None
        if not isinstance(counts, Counter):
            counts = _segment_counts(leaf, fields)
        if segment_id:
            per_segment[segment_id] = counts
    if cache is not None:
        write_data(cache, {"format": _COUNTS_FORMAT, "segments": per_segment})
    if len(per_segment) == 1:
        return Counter(next(iter(per_segment.values())))
    df: Counter[str] = Counter()
    for counts in per_segment.values():
        df.update(counts)
    return df


def build_data(
    reader: Any,
    *,
    max_terms: int = DEFAULT_TERMS,
    max_titles: int = DEFAULT_TITLES,
    spellings: dict[str, tuple[str, str]] | None = None,
    df: Counter[str] | None = None,
    titles: Iterable[tuple[str, str | None, str | None]] | None = None,
) -> SuggestionData:
    """The suggestions of a Whoosh reader of the article index; ``spellings`` (text -> pinyin keys, from the
    previous data: :func:`spellings_of`) spare pypinyin the texts it spelled before; ``df``: the reader's
    :func:`term_frequencies`, when the caller has them; ``titles``: ``(title, id, folded title or None)`` of
    the articles whose titles are offered, when the caller has them (default: the first ``max_titles``
    articles of the reader)."""
    known_spellings = spellings or {}
    if df is None:
        df = term_frequencies(reader)
    best = heapq.nlargest(max_terms, ((t, n) for t, n in df.items() if _good_term(t)), key=lambda kv: kv[1])
    known = {t for t, _ in best}
    entries: list[Entry] = []
    keyed: list[Keyed] = []
    pinyin = _Pinyin()

    def spell(text: str) -> tuple[str, str]:
        found = known_spellings.get(text)
        if found is not None:
            return found
        return pinyin.keys(text) if _CJK_RE.search(text) else ("", "")

    for term, count in best:
        full, initials = spell(term)
        keyed.append((term, full, initials, len(entries)))
        entries.append(Entry(term, "term", count))
    seen: set[str] = set()
    if titles is None:
        titles = (
            (str(f.get("title") or ""), str(f.get("id") or "") or None, None)
            for f in _titles(reader, max_titles)
        )
    for raw, doc_id, folded in titles:
        title = " ".join(raw.split())
        key = folded if folded is not None else fold(title)
        if not title or key in seen or key in known:
            continue
        seen.add(key)
        head = title[:TITLE_PINYIN_CHARS]
        full, initials = spell(head)
        keyed.append((key, full, initials, len(entries)))
        entries.append(Entry(title, "title", 0, doc_id))
    return SuggestionData(entries, keyed)


@dataclass(frozen=True)
class TitleChange:
    """What a commit changed of the articles' titles: the ids it deleted or replaced, and the ``(id, title)``
    of the articles it wrote, in order."""

    removed: frozenset[str]
    added: tuple[tuple[str, str], ...]


def changed_titles(
    old: SuggestionData, change: TitleChange, max_titles: int
) -> list[tuple[str, str | None, str | None]]:
    """The titles to offer after ``change``: those of ``old`` still standing (with their folded keys), then
    the new ones, ``max_titles`` in all (as the first ``max_titles`` articles of the index in order)."""
    keys = {i: key for key, _full, _initials, i in old.keyed}
    out: list[tuple[str, str | None, str | None]] = [
        (e.text, e.id, keys[i])
        for i, e in enumerate(old.entries)
        if e.kind == "title" and e.id not in change.removed
    ]
    out.extend((title, doc_id, None) for doc_id, title in change.added)
    return out[:max_titles]


def _titles(reader: Any, limit: int) -> Iterator[dict[str, Any]]:
    n = 0
    for fields in reader.all_stored_fields():
        if n >= limit:
            return
        n += 1
        yield fields


def spellings_of(data: SuggestionData) -> dict[str, tuple[str, str]]:
    """The pinyin keys of ``data`` by the text they spell (a term, or a title's first characters)."""
    out: dict[str, tuple[str, str]] = {}
    for _key, full, initials, i in data.keyed:
        entry = data.entries[i]
        out[entry.text if entry.kind == "term" else entry.text[:TITLE_PINYIN_CHARS]] = (full, initials)
    return out


def write_suggestions(
    gen_dir: Path,
    reader: Any,
    commit: int,
    *,
    max_terms: int = DEFAULT_TERMS,
    max_titles: int = DEFAULT_TITLES,
    previous: Path | None = None,
    df: Counter[str] | None = None,
    spelled: dict[str, tuple[str, str]] | None = None,
    change: TitleChange | None = None,
) -> SuggestionData:
    """Build the suggestions of ``reader`` (the index in ``gen_dir`` at Whoosh commit ``commit``) and write them
    to ``gen_dir/suggest.pickle``, atomically. ``previous`` (a suggestion file of an earlier commit or
    generation) lends its pinyin: an incremental reindex spells only the new terms and titles; ``spelled``
    (text -> pinyin keys, e.g. the spelling tables' words) lends more. ``change``: what the commit did to the
    titles since ``previous`` was written; its titles are then brought up to date, not read again."""
    old = _load(previous, max_titles=max_titles) if previous is not None else None
    data = build_data(
        reader,
        max_terms=max_terms,
        max_titles=max_titles,
        spellings={**(spelled or {}), **(spellings_of(old) if old else {})},
        df=df,
        titles=changed_titles(old, change, max_titles) if old is not None and change is not None else None,
    )
    payload = {
        "format": _FORMAT,
        "commit": commit,
        "max_terms": max_terms,
        "max_titles": max_titles,
        "entries": [(e.text, e.kind, e.weight, e.id) for e in data.entries],
        "keyed": data.keyed,
    }
    write_data(gen_dir / SUGGEST_FILE, payload)
    return data


def read_suggestions(gen_dir: Path, commit: int, *, max_terms: int, max_titles: int) -> SuggestionData | None:
    """The suggestions written for commit ``commit`` with these sizes, or None (no file, another commit or
    size, or a file that cannot be read: the caller builds them)."""
    return _load(gen_dir / SUGGEST_FILE, commit=commit, max_terms=max_terms, max_titles=max_titles)


def _load(path: Path, **expected: int) -> SuggestionData | None:
    """The data in ``path`` if it can be read and its header has the ``expected`` values, else None."""
    payload = read_data(path, format=_FORMAT, **expected)
    if payload is None:
        return None
    try:
        entries = [Entry(*e) for e in payload["entries"]]
        keyed = [tuple(k) for k in payload["keyed"]]
    except UNREADABLE:
        return None
    return SuggestionData(entries, keyed)  # type: ignore[arg-type]
