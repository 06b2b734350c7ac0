"""The objects a search returns: plain dataclasses with ``to_dict()`` (a result page: ``to_api_dict()``) for JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from indexer.articles import CHINA_TZ

if TYPE_CHECKING:
    from search.snippets import Highlighter
    from search.spelling import Suggestion

#: Facet value lists: ``[(value, count), ...]``. Sources and categories by count (then value); years newest first;
#: months (``"2025-03"``, China time) oldest first.
Facets = dict[str, list[tuple[Any, int]]]
#: The facets of every result page, in this order.
FACETS = ("source", "category", "year", "month")


@dataclass(frozen=True, slots=True)
class Hit:
    """One article of a result page. ``published`` is ISO 8601 in China time (``…+08:00``) or None."""

    id: str
    title: str
    title_html: str
    url: str
    source: str
    category: str
    published: str | None
    snippet_html: str
    score: float
    #: the other copies of this story (results collapse them into this hit): ``Copy`` objects
    duplicates: tuple[Copy, ...] = ()
    #: the article's author (stored with it; the feeds show it, the API's hit leaves it out)
    author: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "title_html": self.title_html,
            "url": self.url,
            "source": self.source,
            "category": self.category,
            "published": self.published,
            "snippet_html": self.snippet_html,
            "score": round(self.score, 4),
            "duplicates": [c.to_dict() for c in self.duplicates],
        }


@dataclass(frozen=True, slots=True)
class Copy:
    """Another article of the same story: where it appeared and when."""

    id: str
    title: str
    source: str
    published: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "source": self.source, "published": self.published}


def copy_from_fields(fields: dict[str, Any]) -> Copy:
    return Copy(
        fields.get("id", ""),
        fields.get("title") or "",
        fields.get("source") or "",
        iso_published(fields.get("published")),
    )


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A page of results.

    ``total`` counts every match (after the date/source/category filters), ``stories`` the ranked ones (copies of
    a story collapsed into its first hit are not), ``facets`` count every match per source,
    category, year and month; ``relaxed`` is True when no article had all the words and these results have only
    some of them (the UI says 没有同时包含全部关键词的结果). ``cached`` is True when the page came from the searcher's
    result cache (``took_ms`` is then the time of the lookup).
    """

    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    relaxed: bool
    hits: list[Hit]
    facets: Facets = field(default_factory=dict)
    max_results: int = 1000
    cached: bool = False
    #: what the reader may have meant (:mod:`search.spelling`); None when every word stands as typed
    suggestion: Suggestion | None = None
    #: True when ``hits`` are the suggestion's results (``query`` stays as typed)
    corrected: bool = False
    #: matches left out of the ranking as copies of a story shown (each hit lists its ``duplicates``)
    collapsed: int = 0

    @property
    def stories(self) -> int:
        """The results that are ranked: every match less the copies collapsed into another hit."""
        return self.total - self.collapsed

    @property
    def pages(self) -> int:
        """Number of pages that can be served (results beyond ``max_results`` are not)."""
        served = min(self.stories, self.max_results)
        return (served + self.per_page - 1) // self.per_page

    def to_api_dict(self) -> dict[str, Any]:
        """The JSON of ``/api/search`` and of ``zhsearch search --json``: ``{"query", "total", "stories", "page", "per_page",
        "took_ms", "relaxed", "suggestion": {"query", "reason"} | null, "corrected", "results": [hit, ...], "facets": {"source"|"category"|"year"|"month": [{"value", "count"}]}}``
        (every facet present, empty when nothing matched)."""
        return {
            "query": self.query,
            "total": self.total,
            "stories": self.stories,
            "page": self.page,
            "per_page": self.per_page,
            "took_ms": round(self.took_ms, 1),
            "relaxed": self.relaxed,
            "suggestion": self.suggestion.to_dict() if self.suggestion is not None else None,
            "corrected": self.corrected,
            "results": [h.to_dict() for h in self.hits],
            "facets": {
                name: [{"value": value, "count": count} for value, count in self.facets.get(name, ())]
                for name in FACETS
            },
        }


@dataclass(frozen=True, slots=True)
class Document:
    """A whole stored article (``Searcher.get``)."""

    id: str
    title: str
    body: str
    url: str
    source: str
    category: str
    author: str
    published: str | None
    tags: list[str]
    partial: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "url": self.url,
            "source": self.source,
            "category": self.category,
            "author": self.author,
            "published": self.published,
            "tags": list(self.tags),
            "partial": self.partial,
        }


def iso_published(value: Any) -> str | None:
    """A stored ``published`` (naive UTC) as ISO 8601 in China time."""
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC).astimezone(CHINA_TZ).isoformat()


def hits_from_fields(page: list[tuple[dict[str, Any], float]], highlighter: Highlighter) -> list[Hit]:
    """A result page's hits from each article's stored fields and score, the snippets made for the whole page
    at once (``Highlighter.snippets``)."""
    snippets = highlighter.snippets([fields.get("body") or "" for fields, _ in page])
    titles = highlighter.marks([fields.get("title") or "" for fields, _ in page])
    return [
        hit_from_fields(fields, score, highlighter, (title, snippet))
        for (fields, score), title, snippet in zip(page, titles, snippets, strict=True)
    ]


def hit_from_fields(
    fields: dict[str, Any], score: float, highlighter: Highlighter, marked: tuple[str, str] | None = None
) -> Hit:
    """A result page's hit from an article's stored fields, its title and snippet marked (``marked``: the two,
    made already, see :func:`hits_from_fields`)."""
    title = fields.get("title") or ""
    if marked is None:
        marked = (highlighter.mark(title), highlighter.snippet(fields.get("body") or ""))
    return Hit(
        id=fields.get("id", ""),
        title=title,
        title_html=marked[0],
        url=fields.get("url") or "",
        source=fields.get("source") or "",
        category=fields.get("category") or "",
        published=iso_published(fields.get("published")),
        snippet_html=marked[1],
        score=float(score),
        author=fields.get("author") or "",
    )


def document_from_fields(fields: dict[str, Any], doc_id: str) -> Document:
    """The whole article from its stored fields."""
    tags = [t.strip() for t in (fields.get("tags") or "").split(",") if t.strip()]
    return Document(
        id=fields.get("id", doc_id),
        title=fields.get("title") or "",
        body=fields.get("body") or "",
        url=fields.get("url") or "",
        source=fields.get("source") or "",
        category=fields.get("category") or "",
        author=fields.get("author") or "",
        published=iso_published(fields.get("published")),
        tags=tags,
        partial=bool(fields.get("partial")),
    )
