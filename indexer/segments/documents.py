"""An article as the Whoosh document of the index: its fields, the key its partial stubs are matched by.

:func:`article_document` is what every reindex writes (full and incremental); :func:`title_date_key` is the key
under which a partial stub and the full article it stands for meet, and :func:`stored_date` reads the day back
from a stored document.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

from indexer.articles import CHINA_TZ, Article
from indexer.normalize import fold

__all__ = ["MAX_INDEXED_CHARS", "article_document", "stored_date", "title_date_key"]


def title_date_key(title: str, published: datetime | date | None) -> str:
    """The key under which a partial stub and the full article it stands for meet: folded title + day."""
    day = published.date() if isinstance(published, datetime) else published
    text = fold(" ".join(title.split())) + "|" + (day.isoformat() if day else "")
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()


#: Characters of a body that are analysed; a longer body (a whole book pasted into one record) is stored in full
#: and found by its first part. Analysing 50 MB takes about a minute and makes postings no query needs.
MAX_INDEXED_CHARS = 1_000_000


def article_document(article: Article, sig: str, content_hash: str | None = None) -> dict[str, Any]:
    """The Whoosh document for an article (fields with no value are left out); ``sig``: the signature of the
    file it is read from, ``content_hash``: :meth:`Article.content_hash` when the caller has it already."""
    indexed_body = article.body[:MAX_INDEXED_CHARS]
    doc: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "body": indexed_body,
        "title_ng": article.title,
        "body_ng": indexed_body,
        "partial": article.partial,
        "hash": content_hash or article.content_hash(),
        "path": article.path,
        "line": article.line,
        "sig": sig,
        "tdkey": title_date_key(article.title, article.published),
    }
    if len(article.body) > MAX_INDEXED_CHARS:
        doc["_stored_body"] = article.body  # Whoosh stores this value in place of the analysed one
    for name in ("url", "source", "category", "author"):
        value = getattr(article, name)
        if value:
            doc[name] = value
    published = article.published_utc()
    if published is not None:
        doc["published"] = published
        local = article.published.year if article.published else published.year
        doc["year"] = local
    if article.tags:
        doc["tags"] = ",".join(t.replace(",", " ") for t in article.tags if t)
    return doc


def stored_date(fields: dict[str, Any]) -> date | None:
    """The local (China time) day of a stored ``published`` value."""
    value = fields.get("published")
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC).astimezone(CHINA_TZ).date()


#: The columns a document's stored fields do not hold, which :func:`stored_document` takes besides them.
DOCUMENT_COLUMNS = ("hash", "sig", "year")


def stored_document(fields: dict[str, Any], columns: dict[str, Any]) -> dict[str, Any]:
    """The document :func:`article_document` made, back from what the index keeps of it: ``fields`` its stored
    fields, ``columns`` its :data:`DOCUMENT_COLUMNS` values. A merge that drops deleted documents writes the
    others again from these. (The title-and-day key takes the day in China time, as the stubs' keys do.)"""
    doc = dict(fields)
    title = doc.get("title") or ""
    body = doc.get("body") or ""
    doc["title"] = title
    doc["title_ng"] = title
    if len(body) > MAX_INDEXED_CHARS:
        doc["_stored_body"] = body
        body = body[:MAX_INDEXED_CHARS]
    doc["body"] = body
    doc["body_ng"] = body
    doc["hash"] = columns["hash"]
    doc["sig"] = columns["sig"]
    if isinstance(doc.get("published"), datetime):
        doc["year"] = columns["year"]
    doc["tdkey"] = title_date_key(title, stored_date(fields))
    return doc
