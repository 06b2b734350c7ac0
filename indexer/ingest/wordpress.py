"""A WordPress site's published posts, mirrored as a JSON Lines file for ``zhsearch sync wordpress``.

The sync does not write the index itself: it brings a mirror of the site's posts up to date
(``<state dir>/wp-<site host>.jsonl``, one post a line in post id order, each line the article record of
:func:`~indexer.ingest.loaders.wxr.wp_record` with the post's ``modified`` time), and the reindex reads that file
like any other: unchanged lines are not parsed again, only new and edited posts are written, the posts no
longer in the file are deleted, and the derived data follow (see :mod:`indexer.writer`).

Through the REST API (``?rest_route=``, which answers whether or not the site has pretty permalinks): the site's
name and home url (``/``), then the ids and ``modified_gmt`` of every published post, a hundred a page
(``_fields``: a few bytes a post), then the new and changed posts only, a hundred a request, with their author
and terms embedded (``_embed=author,wp:term``). A post that is no longer listed (trashed, drafted, deleted, made
private) leaves the mirror.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from indexer.ingest.fetch import FetchError, fetch
from indexer.ingest.loaders.wxr import site_host, wp_published, wp_record

__all__ = ["MirrorChange", "WordPressSite", "discover", "list_posts", "mirror_wordpress"]

PER_PAGE = 100
#: A post fetched less than this many seconds after its ``modified_gmt`` is fetched again at the next sync.
SETTLE_SECONDS = 2
_GMT = "%Y-%m-%dT%H:%M:%S"
_POST_FIELDS = "id,date,date_gmt,modified_gmt,link,title,content,author,_links,_embedded"


@dataclass(frozen=True)
class WordPressSite:
    """Where the REST API answers (``root``), the site's home url, its host as ids use it, and its name."""

    root: str
    home: str
    host: str
    name: str

    def route(self, route: str, **params: str | int) -> str:
        query = "".join(f"&{key}={quote(str(value), safe=',:')}" for key, value in params.items())
        return f"{self.root}?rest_route={quote(route, safe='/')}{query}"


@dataclass
class MirrorChange:
    """What a sync changed in the mirror: posts added, updated (modified since), deleted, left as they were."""

    path: Path
    site: WordPressSite
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)


def _root(url: str) -> str:
    """The site url the REST API is asked at: ``url`` without its query, ``/wp-json/...`` or ``index.php``."""
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    path = parts.path
    for tail in ("/wp-json", "/index.php"):
        if tail in path:
            path = path[: path.index(tail)]
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/") + "/", "", ""))


def _json(url: str) -> tuple[Any, Any]:
    """The JSON value at ``url`` and the answer's headers; :class:`FetchError` when it is not JSON."""
    answer = fetch(url, headers={"Accept": "application/json"})
    try:
        return json.loads(answer.body.decode("utf-8-sig")), answer.headers
    except (UnicodeDecodeError, json.JSONDecodeError):
        kind = answer.content_type or "no content type"
        raise FetchError(
            f"{url}: answered {answer.status} {kind}, not JSON: not a WordPress REST API "
            "(is this a WordPress site, with its REST API on?)"
        ) from None


def discover(url: str) -> WordPressSite:
    """The WordPress site at ``url`` (its home, or any url under it); :class:`FetchError` when it is not one."""
    root = _root(url)
    index_url = f"{root}?rest_route=/&_fields=name,home,url,namespaces"
    try:
        info, _ = _json(index_url)
    except FetchError as exc:
        if "404 Not Found" in str(exc):
            raise FetchError(f"{exc}: not a WordPress site, or its REST API is turned off") from None
        raise
    if not isinstance(info, dict) or "wp/v2" not in (info.get("namespaces") or []):
        raise FetchError(f"{index_url}: answered JSON without the wp/v2 namespace: not a WordPress REST API")
    home = str(info.get("home") or info.get("url") or root)
    return WordPressSite(root=root, home=home, host=site_host(home), name=str(info.get("name") or ""))


def list_posts(site: WordPressSite) -> dict[int, str]:
    """Every published post's id and ``modified_gmt``, a hundred a request (oldest id first)."""
    listed: dict[int, str] = {}
    page = pages = 1
    while page <= pages:
        url = site.route(
            "/wp/v2/posts", _fields="id,modified_gmt", per_page=PER_PAGE, page=page, orderby="id", order="asc"
        )
        posts, headers = _json(url)
        if not isinstance(posts, list):
            raise FetchError(f"{url}: answered JSON that is not a list of posts")
        for post in posts:
            listed[int(post["id"])] = str(post.get("modified_gmt") or "")
        pages = int(headers.get("X-WP-TotalPages") or 1)
        page += 1
    return listed


def fetch_posts(site: WordPressSite, ids: Iterable[int]) -> Iterable[tuple[int, str, str, dict[str, Any]]]:
    """``(post id, modified_gmt, the answer's time, article record)`` of the posts ``ids``, a hundred a
    request (the time as ``modified_gmt`` is written: the server's ``Date``, else this machine's clock)."""
    wanted = sorted(ids)
    for start in range(0, len(wanted), PER_PAGE):
        chunk = wanted[start : start + PER_PAGE]
        url = site.route(
            "/wp/v2/posts",
            include=",".join(map(str, chunk)),
            per_page=PER_PAGE,
            _embed="author,wp:term",
            _fields=_POST_FIELDS,
        )
        posts, headers = _json(url)
        if not isinstance(posts, list):
            raise FetchError(f"{url}: answered JSON that is not a list of posts")
        fetched = _answer_time(headers)
        for post in posts:
            yield int(post["id"]), str(post.get("modified_gmt") or ""), fetched, post_record(site, post)


def _answer_time(headers: Any) -> str:
    """When the server answered, in GMT as WordPress writes ``modified_gmt`` (``2025-03-06T14:15:00``)."""
    try:
        when = parsedate_to_datetime(str(headers.get("Date") or ""))
    except (TypeError, ValueError):
        when = datetime.now(UTC)
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime(_GMT)


def _unsettled(modified: str, fetched: str) -> bool:
    """A post fetched less than :data:`SETTLE_SECONDS` after it was modified: ``modified_gmt`` counts whole
    seconds, so an edit in that second would not change it; the post is fetched again at the next sync."""
    try:
        gap = datetime.strptime(fetched, _GMT) - datetime.strptime(modified, _GMT)
    except ValueError:
        return True
    return gap.total_seconds() < SETTLE_SECONDS


def _rendered(value: Any) -> str:
    return str(value.get("rendered") or "") if isinstance(value, dict) else str(value or "")


def post_record(site: WordPressSite, post: dict[str, Any]) -> dict[str, Any]:
    """A REST API post (with ``_embedded`` author and terms) as an article record."""
    embedded = post.get("_embedded") or {}
    authors = [a for a in embedded.get("author") or [] if isinstance(a, dict) and a.get("name")]
    terms = [t for group in embedded.get("wp:term") or [] for t in group or [] if isinstance(t, dict)]
    return wp_record(
        site.host,
        int(post["id"]),
        title=_rendered(post.get("title")),
        link=str(post.get("link") or ""),
        published=wp_published(str(post.get("date") or ""), str(post.get("date_gmt") or "")),
        categories=[str(t.get("name") or "") for t in terms if t.get("taxonomy") == "category"],
        tags=[str(t.get("name") or "") for t in terms if t.get("taxonomy") == "post_tag"],
        author=str(authors[0]["name"]) if authors else "",
        content=_rendered(post.get("content")),
        site=site.name,
    )


def mirror_name(host: str) -> str:
    """The mirror's file name for a site host (a port's colon made a dash)."""
    return f"wp-{host.replace(':', '-')}.jsonl"


def _read_mirror(path: Path) -> dict[int, tuple[str, str]]:
    """The mirror's lines by post id, each with the post's ``modified`` time ("" for a post to fetch again:
    one fetched too soon after its last edit, see :func:`_unsettled`)."""
    lines: dict[int, tuple[str, str]] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return lines
    for line in text.splitlines():
        try:
            record = json.loads(line)
            post_id = int(str(record["id"]).rsplit("-", 1)[1])
        except (ValueError, KeyError, IndexError, TypeError):
            continue  # a damaged line: the post is fetched again
        modified = str(record.get("modified") or "")
        if _unsettled(modified, str(record.get("fetched") or "")):
            modified = ""
        lines[post_id] = (modified, line)
    return lines


def _write_atomically(path: Path, lines: Iterable[str]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # hidden: a reindex of the directory skips it
    with open(tmp, "w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def mirror_wordpress(
    url: str, state_dir: Path, log: Callable[[str], None] = lambda message: None
) -> MirrorChange:
    """Bring the mirror of the WordPress site at ``url`` in ``state_dir`` up to date (see the module docs);
    the file is rewritten only when a post was added, edited or removed."""
    site = discover(url)
    path = Path(state_dir) / mirror_name(site.host)
    before = _read_mirror(path)
    listed = list_posts(site)
    wanted = [post_id for post_id, modified in listed.items() if before.get(post_id, ("",))[0] != modified]
    change = MirrorChange(path, site)
    lines = {post_id: line for post_id, (_, line) in before.items() if post_id in listed}
    change.deleted = len(before) - len(lines)
    if wanted:
        log(f"{site.home}: {len(wanted):,} new or changed posts of {len(listed):,} to fetch")
    confirmed = False
    for post_id, modified, fetched, record in fetch_posts(site, wanted):
        line = json.dumps({**record, "modified": modified, "fetched": fetched}, ensure_ascii=False)
        old = before.get(post_id)
        if old is None:
            change.added += 1
        elif json.loads(old[1]) | {"fetched": fetched} != json.loads(line):
            change.updated += 1
        else:  # fetched again to be sure (see _unsettled) and the same: kept, with the time it was confirmed
            confirmed = True
        lines[post_id] = line
    change.unchanged = len(lines) - change.added - change.updated
    if not lines and not before:
        raise FetchError(f"{site.home}: no published posts to index")
    if change.changed or confirmed or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, (lines[post_id] for post_id in sorted(lines)))
    return change
