"""A fixed set of distinct queries derived from the corpus (deterministic for a given corpus and seed).

Kinds, in the main what readers type: one-, two- and three-word queries of title words as rjieba segments the
title (in title order), quoted phrases of 2–3 consecutive title words (``phrase``) and of 2–3 whole consecutive
words of an article body (``body_phrase``), traditional-character forms of simplified queries (OpenCC ``s2t``),
mixed-script queries (a Latin or digit token such as G20 or 5G with a Chinese word), queries with a source
and date filter or sorted newest first (title words and editor keywords), and parts of names typed across the
segmenter's cut (``name_part``: the last character of a title word and the first one or two of the next, 湾港 of
岚湾/港区). Each query also carries its keyword part (``terms``, ``phrase``) for the anchor engines, which answer
the keywords only (no filters, relevance order).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

_CJK_WORD = re.compile(r"^[\u3400-\u9fff]{2,}$")
_CJK_RUN = re.compile(r"^[\u3400-\u9fff]+$")
_SENTENCE = re.compile(r"[^。！？；，、：\n]+")
_ASCII_TOKEN = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]{2,}\d*|\d+[A-Za-z]+|[A-Za-z]\d+)(?![A-Za-z0-9])")

#: Share of each kind in the set (the rest of the schedule cycles through these).
KIND_SHARES = (
    ("one", 22),
    ("two", 18),
    ("three", 10),
    ("phrase", 10),
    ("body_phrase", 12),
    ("traditional", 5),
    ("mixed", 5),
    ("filtered", 9),
    ("newest", 9),
    ("name_part", 5),
)

#: The kinds that are quoted phrases (the "quoted phrases" latency row takes them together).
PHRASE_KINDS = ("phrase", "body_phrase")


@dataclass(frozen=True)
class BenchQuery:
    """One query: ``q`` in zhsearch's query language plus its filters; ``terms`` for the anchors."""

    kind: str
    q: str
    terms: tuple[str, ...]
    phrase: bool = False
    sort: str = "relevance"
    sources: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def key(self) -> tuple:
        return (self.q, self.sort, self.sources, self.date_from, self.date_to)

    def search_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``search.Searcher.search`` besides the query string."""
        kw: dict[str, Any] = {"per_page": 10, "sort": self.sort}
        if self.sources:
            kw["sources"] = list(self.sources)
        if self.date_from:
            kw["date_from"] = self.date_from
        if self.date_to:
            kw["date_to"] = self.date_to
        return kw

    def url_params(self) -> list[tuple[str, str]]:
        """The ``/api/search`` query-string arguments."""
        params = [("q", self.q), ("per_page", "10")]
        if self.sort != "relevance":
            params.append(("sort", self.sort))
        params += [("source", s) for s in self.sources]
        if self.date_from:
            params.append(("from", self.date_from))
        if self.date_to:
            params.append(("to", self.date_to))
        return params

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("extra")
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BenchQuery:
        return cls(
            kind=d["kind"],
            q=d["q"],
            terms=tuple(d["terms"]),
            phrase=bool(d.get("phrase")),
            sort=d.get("sort", "relevance"),
            sources=tuple(d.get("sources") or ()),
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
        )


def _title_words(cut, title: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [w for w in cut(title) if _CJK_WORD.match(w)]


def _schedule(n: int) -> list[str]:
    total = sum(s for _, s in KIND_SHARES)
    kinds: list[str] = []
    for kind, share in KIND_SHARES:
        kinds += [kind] * max(1, round(n * share / total))
    return kinds


def make_queries(records: Sequence[dict[str, Any]], n: int, seed: int = 42) -> list[BenchQuery]:
    """Up to ``n`` distinct queries (fewer only when the corpus is too small to give that many)."""
    import opencc
    import rjieba

    s2t = opencc.OpenCC("s2t")
    rng = random.Random(seed)
    wanted = _schedule(n)
    rng.shuffle(wanted)
    out: list[BenchQuery] = []
    seen: set[tuple] = set()
    attempts = 0
    i = 0
    # news titles rarely hold Latin tokens: mixed-script queries come from the records that have some
    latin = [r for r in records if _ASCII_TOKEN.search(_latin_text(r))] or list(records)
    while len(out) < n and attempts < n * 40 and records:
        kind = wanted[i % len(wanted)]
        attempts += 1
        i += 1  # a kind the corpus cannot give is not retried forever
        pool = latin if kind == "mixed" else records
        rec = pool[rng.randrange(len(pool))]
        query = _one(kind, rec, rjieba.cut, s2t, rng)
        if query is None or query.key() in seen:
            continue
        seen.add(query.key())
        out.append(query)
    return out


def _latin_text(rec: dict[str, Any]) -> str:
    return (rec.get("title") or "") + " " + (rec.get("body") or "")[:400]


def _one(kind: str, rec: dict[str, Any], cut, s2t, rng: random.Random) -> BenchQuery | None:  # type: ignore[no-untyped-def]
    title = rec.get("title") or ""
    words = _title_words(cut, title)
    keywords = [k.strip() for k in (rec.get("keywords") or "").split(",") if _CJK_WORD.match(k.strip())]
    pool = list(dict.fromkeys(words + keywords))
    date = (rec.get("date") or "")[:10]

    def plain(k: int) -> tuple[str, ...] | None:
        if len(pool) < k:
            return None
        return tuple(rng.sample(pool, k))

    if kind in ("one", "two", "three"):
        k = {"one": 1, "two": 2, "three": 3}[kind]
        distinct = list(dict.fromkeys(words))
        if len(distinct) < k:
            return None
        terms = tuple(distinct[i] for i in sorted(rng.sample(range(len(distinct)), k)))
        return BenchQuery(kind, " ".join(terms), terms)
    if kind == "phrase":
        if len(words) < 2:
            return None
        for _ in range(4):
            k = rng.choice((2, 3))
            start = rng.randrange(max(1, len(words) - k + 1))
            run = "".join(words[start : start + k])
            if 4 <= len(run) <= 10 and run in title:
                return BenchQuery(kind, f'"{run}"', (run,), phrase=True)
        return None
    if kind == "body_phrase":
        run = _body_phrase(cut, rec.get("body") or "", rng)
        return BenchQuery(kind, f'"{run}"', (run,), phrase=True) if run else None
    if kind == "traditional":
        terms = plain(rng.choice((1, 2)))
        if not terms:
            return None
        trad = tuple(s2t.convert(t) for t in terms)
        if trad == terms:
            return None
        return BenchQuery(kind, " ".join(trad), trad)
    if kind == "mixed":
        latin = _ASCII_TOKEN.findall(title) or _ASCII_TOKEN.findall(_latin_text(rec))
        if not latin or not pool:
            return None
        terms = (rng.choice(latin), rng.choice(pool))
        return BenchQuery(kind, " ".join(terms), terms)
    if kind == "filtered":
        terms = plain(rng.choice((1, 2)))
        if not terms or len(date) != 10:
            return None
        year = int(date[:4])
        source = (rec.get("source") or "").strip()
        return BenchQuery(
            kind,
            " ".join(terms),
            terms,
            sources=(source,) if source else (),
            date_from=f"{year - rng.randint(0, 1)}-01-01",
            date_to=f"{year}-12-31",
        )
    if kind == "name_part":
        # a part of a name as typed, across the segmenter's cut: the end of a title word and the start of the
        # next (湾港 of 岚湾/港区), unquoted; its words are often found nowhere together (search.typed)
        pairs = [(a, b) for a, b in zip(words, words[1:], strict=False) if a + b in title]
        if not pairs:
            return None
        a, b = pairs[rng.randrange(len(pairs))]
        part = a[-1] + b[: rng.choice((1, 2))]
        return BenchQuery(kind, part, (part,))
    if kind == "newest":
        terms = plain(rng.choice((1, 2)))
        return BenchQuery(kind, " ".join(terms), terms, sort="newest") if terms else None
    raise ValueError(kind)


def _body_phrase(cut, body: str, rng: random.Random) -> str | None:  # type: ignore[no-untyped-def]
    """2–3 whole consecutive words (rjieba, precise mode) of a clause of ``body``: Chinese words only, the first
    and the last of two or more characters, 4–10 characters in all; None when a few tries find none."""
    clauses = [c for c in _SENTENCE.findall(body) if len(c) >= 4]
    for _ in range(4):
        if not clauses:
            return None
        tokens = list(cut(clauses[rng.randrange(len(clauses))]))
        k = rng.choice((2, 3))
        if len(tokens) < k:
            continue
        start = rng.randrange(len(tokens) - k + 1)
        words = tokens[start : start + k]
        run = "".join(words)
        edges = len(words[0]) >= 2 and len(words[-1]) >= 2
        if edges and all(_CJK_RUN.match(w) for w in words) and 4 <= len(run) <= 10:
            return run
    return None


def kinds_count(queries: Sequence[BenchQuery]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for q in queries:
        counts[q.kind] = counts.get(q.kind, 0) + 1
    return counts
