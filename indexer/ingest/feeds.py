"""An RSS or Atom feed's articles, mirrored as a JSON Lines file for ``zhsearch sync feed``.

Like the WordPress sync (:mod:`indexer.ingest.wordpress`), the sync keeps a mirror in the state directory
(``feed-<host>-<digest of the url>.jsonl``, one article a line) that the reindex reads like any file. A feed
lists its latest entries only, so an entry that leaves the feed stays in the mirror (and the index). The feed is
read with feedparser; an entry's text is its full content when the feed carries it, else the article page's
main text (trafilatura, through the HTML loader), fetched only for new and changed entries. Politely: one request
at a time, a User-Agent naming zhsearch, ``If-Modified-Since`` and ``If-None-Match`` from the last answer (kept
in a hidden file beside the mirror), so an unchanged feed costs one 304.

Ids are the ids of an article with that url in any article file (``make_id(url=link)``).
"""

from __future__ import annotations

import calendar
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser

from indexer.articles import Article, make_id
from indexer.ingest.fetch import FetchError, fetch
from indexer.ingest.loaders.encoding import decode
from indexer.ingest.loaders.htmlpage import parse_html_page
from indexer.ingest.loaders.problem import LoadError
from indexer.ingest.loaders.wxr import html_text, site_host

__all__ = ["FeedChange", "mirror_feed"]


@dataclass
class FeedChange:
    """What a sync changed in a feed's mirror (entries that left the feed are kept: never deleted)."""

    path: Path
    url: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


def mirror_name(url: str) -> str:
    """The mirror's file name for a feed url: its host and a digest of the whole url."""
    digest = hashlib.blake2b(url.encode("utf-8"), digest_size=4).hexdigest()
    return f"feed-{site_host(url).replace(':', '-') or 'local'}-{digest}.jsonl"


def _when(entry: Any) -> str | None:
    # dict.get: feedparser's own get maps a missing updated to published, with a DeprecationWarning
    parsed = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()


def _page(link: str, log: Callable[[str], None]) -> Article | None:
    """The article of the page at ``link`` (trafilatura), None when it cannot be fetched or read."""
    try:
        answer = fetch(link, headers={"Accept": "text/html"})
    except FetchError as exc:
        log(f"warning: {exc}; the feed's summary is indexed instead")
        return None
    try:
        got = parse_html_page(decode(answer.body, html=True), link, "")
    except LoadError as exc:
        log(f"warning: {link}: {exc}; the feed's summary is indexed instead")
        return None
    return got if isinstance(got, Article) else None


def entry_record(entry: Any, source: str, log: Callable[[str], None]) -> dict[str, Any] | None:
    """A feed entry as an article record: its content when the feed carries more than a summary, else the
    main text of its page; None for an entry without a link or an id."""
    link = str(entry.get("link") or "")
    key = link or str(entry.get("id") or "")
    if not key:
        return None
    summary = html_text(str(entry.get("summary") or ""))
    contents = [html_text(str(c.get("value") or "")) for c in entry.get("content") or []]
    body = max(contents, key=len, default="")
    published = _when(entry)
    author = str(entry.get("author") or "")
    if len(body) <= len(summary) and link:  # a summary only: the article is on its page
        page = _page(link, log)
        if page is not None and len(page.body) > len(summary):
            body = page.body
            published = published or (page.published.isoformat() if page.published else None)
            author = author or page.author
    return {
        "id": make_id(url=key),
        "title": html_text(str(entry.get("title") or "")).replace("\n", " "),
        "body": body or summary,
        "url": link,
        "source": source,
        "author": author,
        "category": ", ".join(str(t.get("term") or "") for t in entry.get("tags") or [] if t.get("term")),
        "published": published,
    }


def _load(path: Path) -> dict[str, tuple[str, str]]:
    """The mirror's lines by id, each with the entry's ``modified`` mark."""
    lines: dict[str, tuple[str, str]] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return lines
    for line in text.splitlines():
        try:
            record = json.loads(line)
            lines[str(record["id"])] = (str(record.get("modified") or ""), line)
        except (ValueError, KeyError, TypeError):
            continue
    return lines


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # hidden: a reindex of the directory skips it
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _get_feed(url: str, state: dict[str, str]) -> tuple[Any, Any] | None:
    """The parsed feed and the answer's headers; None when it is not modified since the last answer."""
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8"}
    if state.get("last_modified"):
        headers["If-Modified-Since"] = state["last_modified"]
    if state.get("etag"):
        headers["If-None-Match"] = state["etag"]
    answer = fetch(url, headers=headers)
    if answer.status == 304:
        return None
    parsed = feedparser.parse(answer.body)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        kind = answer.content_type or "no content type"
        raise FetchError(f"{url}: answered {answer.status} {kind}, not an RSS or Atom feed")
    return parsed, answer.headers


def mirror_feed(url: str, state_dir: Path, log: Callable[[str], None] = lambda message: None) -> FeedChange:
    """Bring the mirror of the feed at ``url`` in ``state_dir`` up to date (see the module docs)."""
    path = Path(state_dir) / mirror_name(url)
    state_path = path.with_name(f".{path.stem}.state.json")
    try:
        state = json.loads(state_path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        state = {}
    before = _load(path)
    change = FeedChange(path, url, unchanged=len(before))
    got = _get_feed(url, state)
    if got is None:
        change.not_modified = True
        return change
    parsed, headers = got
    source = " ".join(str(parsed.feed.get("title") or "").split())
    lines = {key: line for key, (_, line) in before.items()}
    for entry in parsed.entries:
        key = make_id(url=str(entry.get("link") or entry.get("id") or ""))
        when = dict.get(entry, "updated") or dict.get(entry, "published") or ""
        mark = f"{when}|{entry.get('title') or ''}"
        if key in before and before[key][0] == mark:
            continue
        record = entry_record(entry, source, log)
        if record is None:
            continue
        if key in before:
            change.updated += 1
        else:
            change.added += 1
        lines[record["id"]] = json.dumps({**record, "modified": mark}, ensure_ascii=False)
    change.unchanged = len(lines) - change.added - change.updated
    if not lines:
        raise FetchError(f"{url}: the feed holds no entries to index")
    path.parent.mkdir(parents=True, exist_ok=True)
    if change.changed or not path.exists():
        _write(path, "".join(line + "\n" for line in lines.values()))
    remembered = {"last_modified": headers.get("Last-Modified") or "", "etag": headers.get("ETag") or ""}
    _write(state_path, json.dumps(remembered))
    return change
