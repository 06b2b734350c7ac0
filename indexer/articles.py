"""The article model shared by every loader, the index writer and the searcher."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

#: Chinese news is published in China Standard Time; naive times in the input are read as such.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


@dataclass
class Article:
    """One article as loaded from a file, before analysis.

    ``published`` is a timezone-aware datetime, or a plain date when the source gives no time of day.
    ``path`` and ``line`` say where the article came from (``line`` is 1-based, 0 when not meaningful).
    ``partial`` marks a stub (title + summary + date) taken from a "related articles" list; a full article
    with the same url, or the same title and date, replaces it.
    """

    id: str
    title: str
    body: str
    url: str = ""
    source: str = ""
    author: str = ""
    category: str = ""
    published: datetime | date | None = None
    tags: list[str] = field(default_factory=list)
    partial: bool = False
    path: str = ""
    line: int = 0
    #: ``(reason, message)`` of what the loader changed to index it (e.g. an unparseable date left out).
    notes: list[tuple[str, str]] = field(default_factory=list, compare=False, repr=False)
    #: A digest of the JSON line it was read from (:func:`indexer.ingest.loaders.jsonfmt.line_digest`), by which a later
    #: run knows the line.
    line_digest: str = field(default="", compare=False, repr=False)

    def published_utc(self) -> datetime | None:
        """``published`` as a naive UTC datetime (what Whoosh's DATETIME field stores)."""
        return to_utc_naive(self.published)

    def content_hash(self) -> str:
        """A hash over everything that is indexed (not over where the article was read from)."""
        payload = json.dumps(
            [
                self.id,
                self.title,
                self.body,
                self.url,
                self.source,
                self.author,
                self.category,
                self.published.isoformat() if self.published else None,
                list(self.tags),
                self.partial,
            ],
            ensure_ascii=False,
        )
        return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()


def to_utc_naive(value: datetime | date | None) -> datetime | None:
    """Convert a date or datetime to a naive UTC datetime; naive values are read as China time."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=CHINA_TZ)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=CHINA_TZ)
    return value.astimezone(UTC).replace(tzinfo=None)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()


def make_id(*, url: str = "", title: str = "", body: str = "") -> str:
    """A stable id for an article that has none: from its url, else from its content."""
    if url.strip():
        return "u" + _digest(url.strip())
    return "c" + _digest(title.strip() + "\n" + body.strip())


def make_path_id(name: str) -> str:
    """A stable id for a saved page without a url: from its path relative to the directory given (editing the
    page keeps its id)."""
    return "p" + _digest(name.replace("\\", "/"))


def page_id(url: str, name: str, title: str, body: str) -> str:
    """The id of a saved page (.txt, .html): from its url, else from its ``name`` (relative path), else from its
    content (a page parsed from text alone)."""
    if url.strip() or not name:
        return make_id(url=url, title=title, body=body)
    return make_path_id(name)


def make_stub_id(title: str, published: datetime | date | None) -> str:
    """A stable id for a partial stub article (a related-articles entry), from its title and date."""
    day = published.date() if isinstance(published, datetime) else published
    return "s" + _digest(title.strip() + "\n" + (day.isoformat() if day else ""))
