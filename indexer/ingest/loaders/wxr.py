"""WordPress export files (WXR, ``.xml`` from Tools → Export), and the mapping of a WordPress post to an article.

The mapping is shared with ``zhsearch sync wordpress`` (:mod:`indexer.ingest.wordpress`), so an export and a sync
of the same site give the same ids: ``wp-<site host>-<post id>``, the host (with its port, if any) of the site's
home url (the export's channel ``<link>``, the REST API's ``home``). A post is a JSON article record
(:func:`wp_record`) read by the JSON loader's :func:`~indexer.ingest.loaders.jsonfmt.record_to_article`: title,
permalink, date in the site's time zone (from the local and the GMT date WordPress stores), category names, tags,
the author's display name, the content as text (markup, block comments and shortcodes removed, one paragraph a
line) and the site's name as the source.

Only published posts are read (``wp:post_type`` post, ``wp:status`` publish), as the sync reads them. The file is
parsed with the standard library's ``xml.etree`` (expat refuses external entities and bounds entity expansion);
an XML file that is not a WordPress export is a problem, "not a WordPress export".
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from indexer.articles import Article
from indexer.ingest.loaders.jsonfmt import normalise_paragraphs, record_to_article
from indexer.ingest.loaders.problem import Problem

__all__ = ["html_text", "load_wxr", "site_host", "wp_id", "wp_published", "wp_record"]

_WP_NS = "http://wordpress.org/export/"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"

_DROPPED = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_BREAKS = re.compile(
    r"<br\s*/?>|</?(?:p|div|h[1-6]|li|ul|ol|blockquote|figure|figcaption|table|tr|pre|section|article|header"
    r"|footer|aside|dl|dd|dt|hr|address|details|summary)\b[^>]*>",
    re.I,
)
_TAGS = re.compile(r"<[^>]*>")
# [caption id="..."], [/caption], [gallery ids="1,2"]: a name of ASCII letters, so [图] and [1] stay
_SHORTCODES = re.compile(r"\[/?[A-Za-z][\w-]*(?:\s[^\[\]]*)?/?\]")


def site_host(url: str) -> str:
    """The host of a site url as ids use it: lower case, with its port when it has one."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def wp_id(host: str, post_id: int | str) -> str:
    """The article id of a WordPress post: ``wp-<site host>-<post id>``."""
    return f"wp-{host}-{post_id}"


def html_text(markup: str) -> str:
    """The text of a post's content (rendered HTML or the stored content with its block comments and
    shortcodes): one paragraph a line, entities decoded."""
    text = _DROPPED.sub("", markup)
    text = _BREAKS.sub("\n", text)
    text = _TAGS.sub("", text)
    text = _SHORTCODES.sub("", text)
    return normalise_paragraphs(html.unescape(text).replace("\xa0", " "))


def wp_published(local: str, gmt: str) -> datetime | None:
    """A post's date in the site's time zone, from the local and the GMT dates WordPress stores
    (``2024-03-01 10:00:00`` or ``2024-03-01T10:00:00``); None when the local date is not a date."""
    try:
        at = datetime.fromisoformat(local.strip().replace(" ", "T"))
    except ValueError:
        return None
    try:
        utc = datetime.fromisoformat(gmt.strip().replace(" ", "T"))
    except ValueError:
        utc = None
    if utc is None or utc.year < 1000:  # 0000-00-00 00:00:00: never published in GMT terms
        return at
    minutes = round((at - utc).total_seconds() / 60)
    return at.replace(tzinfo=timezone(timedelta(minutes=minutes)))


def wp_record(
    host: str,
    post_id: int | str,
    *,
    title: str,
    link: str,
    published: datetime | None,
    categories: Sequence[str],
    tags: Sequence[str],
    author: str,
    content: str,
    site: str,
) -> dict[str, Any]:
    """A post as an article record (the object of a JSON Lines line); ``title`` and ``content`` as HTML."""
    return {
        "id": wp_id(host, post_id),
        "title": html_text(title).replace("\n", " "),
        "body": html_text(content),
        "url": link,
        "source": site,
        "author": author,
        "category": ", ".join(name for name in categories if name),
        "published": published.isoformat() if published else None,
        "tags": [tag for tag in tags if tag],
    }


def _local(tag: str) -> tuple[str, str]:
    """``(namespace, local name)`` of an ElementTree tag."""
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _wp(element: ET.Element, name: str) -> str:
    for child in element:
        ns, local = _local(child.tag)
        if local == name and ns.startswith(_WP_NS):
            return (child.text or "").strip()
    return ""


def _text(element: ET.Element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "") if found is not None else ""


def load_wxr(path: Path) -> Iterator[Article | Problem]:
    """The published posts of a WordPress export file, as articles; a problem for a file that is not one."""
    where = str(path)
    host = site = ""
    authors: dict[str, str] = {}
    is_wxr = titled = False
    count = 0
    try:
        for _event, element in ET.iterparse(path, events=("end",)):
            ns, name = _local(element.tag)
            if ns.startswith(_WP_NS) and name in ("wxr_version", "base_site_url"):
                is_wxr = True
            elif ns.startswith(_WP_NS) and name == "author":
                authors[_wp(element, "author_login")] = _wp(element, "author_display_name")
            elif not ns and name == "link" and not host:
                host = site_host(element.text or "")  # the channel's link comes before the items
            elif not ns and name == "title" and not titled:
                titled, site = True, " ".join((element.text or "").split())
            elif not ns and name == "item":
                count += 1
                if is_wxr or _wp(element, "post_id"):
                    is_wxr = True
                    got = _item(element, host, site, authors, where, count)
                    if got is not None:
                        yield got
                element.clear()
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        yield Problem(where, line, "bad XML", f"bad XML: {exc}")
        return
    except OSError as exc:
        yield Problem(where, None, "unreadable file", f"cannot read: {exc.strerror or exc}")
        return
    if not is_wxr:
        yield Problem(
            where, None, "not a WordPress export", "an XML file that is not a WordPress export (WXR)"
        )


def _item(
    item: ET.Element, host: str, site: str, authors: dict[str, str], where: str, number: int
) -> Article | Problem | None:
    """The article of one ``<item>``, None for what is not a published post."""
    if _wp(item, "post_type") != "post" or _wp(item, "status") != "publish":
        return None
    post_id = _wp(item, "post_id")
    if not post_id.isdigit() or not host:
        return Problem(where, None, "bad field", f"item {number}: no post id or no site link")
    categories = [
        " ".join((c.text or "").split()) for c in item.findall("category") if c.get("domain") == "category"
    ]
    tags = [
        " ".join((c.text or "").split()) for c in item.findall("category") if c.get("domain") == "post_tag"
    ]
    login = _text(item, _CREATOR).strip()
    record = wp_record(
        host,
        int(post_id),
        title=html.escape(_text(item, "title"), quote=False),  # plain text in the export
        link=_text(item, "link").strip(),
        published=wp_published(_wp(item, "post_date"), _wp(item, "post_date_gmt")),
        categories=categories,
        tags=tags,
        author=authors.get(login) or login,
        content=_text(item, _CONTENT),
        site=site,
    )
    return record_to_article(record, where, 0)
