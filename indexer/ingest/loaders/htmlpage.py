"""HTML news pages (``.html``, ``.htm``): main text and metadata extracted with trafilatura.

trafilatura (2.x) gives the title, the main text (one paragraph a line), the canonical/og url, the site name, the
categories and tags, and a date read from the page's markup (meta tags, JSON-LD, ``<time>``, the url). Two gaps are
filled from the page's own metadata block (elements with a date/time/info/meta/source class or id), read with the
text-page metadata reader: trafilatura drops author names without a space (all Chinese names), and htmldate's
free-text date search does not read ``2025年3月6日 下午2:15`` reliably (it falls back to a copyright year as
January 1st, which is discarded here).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from indexer.articles import Article, page_id
from indexer.ingest.loaders.dates import parse_date
from indexer.ingest.loaders.encoding import decode, read_bytes
from indexer.ingest.loaders.jsonfmt import normalise_paragraphs
from indexer.ingest.loaders.problem import LoadError, Problem
from indexer.ingest.loaders.textpage import is_reprint_notice, read_metadata_line

_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_META_XPATH = (
    "//time | //*[@class or @id][contains(@class, 'date') or contains(@class, 'time') or contains(@class, 'info')"
    " or contains(@class, 'meta') or contains(@class, 'pub') or contains(@class, 'source')"
    " or contains(@class, 'author') or contains(@id, 'date') or contains(@id, 'time') or contains(@id, 'pub')"
    " or contains(@id, 'info') or contains(@id, 'source')]"
)
_AUTHOR_XPATH = "//meta[@name='author' or @property='article:author' or @name='article:author']/@content"
_MAX_META_ELEMENTS = 30
_MAX_META_TEXT = 200
_MIN_CONFIDENT = 200
_EDGE_LINES = 4
_YEAR_ONLY = re.compile(r"\d{4}-01-01T00:00:00")


def load_html_page(path: Path, name: str | None = None) -> Iterator[Article | Problem]:
    """The article of an HTML page, or a problem when no text can be extracted; ``name`` (default: the file's
    name) is the path the id of a page without a url is derived from."""
    where = str(path)
    try:
        html = decode(read_bytes(path), html=True)
    except LoadError as exc:
        yield exc.problem(where)
        return
    yield parse_html_page(html, where, name or path.name)


def parse_html_page(html: str, path: str = "", name: str = "") -> Article | Problem:
    """Extract the article of an HTML page (see the module docstring); ``name``: see :func:`page_id`."""
    import trafilatura  # slow to import (~0.5 s): only when an HTML file is loaded

    if not html.strip():
        return Problem(path, None, "no article text", "empty HTML page")
    html = _without_xml_declaration(html)
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params={
            "extensive_search": False,
            "original_date": True,
            "outputformat": _DATE_FORMAT,
        },
    )
    if doc is None:
        return Problem(path, None, "no article text", "no article text found in the HTML page")
    title = " ".join((doc.title or "").split())
    lines = normalise_paragraphs(doc.text or "").split("\n")
    if lines and lines[0] == title:
        lines = lines[1:]
    body = "\n".join(_without_metadata_lines(lines))
    if len(body) < _MIN_CONFIDENT and not trafilatura.extract(html, fast=True, favor_precision=True):
        # trafilatura's last-resort fallback returns the page's whole text, menus included: a short result
        # counts only when the precise extractor, without fallbacks, finds text too
        body = ""
    if not body:
        return Problem(path, None, "no article text", "no article text found in the HTML page")
    published = _date(doc.date)
    author = doc.author or ""
    source = doc.sitename or ""
    if not isinstance(published, datetime) or not author or not source:
        page_fields, page_date = _page_metadata(html)
        if isinstance(page_date, datetime) and (published is None or published == page_date.date()):
            published = page_date  # htmldate found the day but dropped the time of day
        published = published or page_date or _free_text_date(html)
        author = author or page_fields.get("author", "")
        source = source or page_fields.get("source", "")
    url = doc.url or ""
    return Article(
        id=page_id(url, name, title, body),
        title=title,
        body=body,
        url=url,
        source=source,
        author=author,
        category=", ".join(doc.categories or []),
        published=published,
        tags=list(dict.fromkeys(tag.strip() for tag in doc.tags or [] if tag.strip())),
        path=path,
        line=0,
    )


def _without_metadata_lines(lines: list[str]) -> list[str]:
    """The text without the metadata lines (date, 来源, 作者, 责任编辑...) trafilatura may keep at its start or end."""
    start, end = 0, len(lines)
    while start < end and start < _EDGE_LINES and read_metadata_line(lines[start]) is not None:
        start += 1
    while end > start and len(lines) - end < _EDGE_LINES and read_metadata_line(lines[end - 1]) is not None:
        end -= 1
    return [line for line in lines[start:end] if line and not is_reprint_notice(line)]


def _without_xml_declaration(html: str) -> str:
    # lxml refuses str input that starts with an encoding declaration; the text is already decoded.
    if html.lstrip().startswith("<?xml"):
        return html[html.index("?>") + 2 :] if "?>" in html else html
    return html


def _date(value: Any) -> datetime | date | None:
    if not value:
        return None
    parsed = parse_date(value)
    if isinstance(parsed, datetime) and parsed.tzinfo is not None and value.endswith("T00:00:00"):
        return parsed.date()  # htmldate writes a day-only date with a midnight time and no offset
    return parsed


def _page_metadata(html: str) -> tuple[dict[str, str], datetime | date | None]:
    """Author, source and date from the page's metadata elements and ``<meta name="author">``."""
    from trafilatura import load_html

    tree = load_html(html)
    fields: dict[str, str] = {}
    found_date = None
    if tree is None:
        return fields, None
    for content in tree.xpath(_AUTHOR_XPATH):
        if content.strip() and not content.strip().startswith("http"):
            fields["author"] = content.strip()
            break
    for element in tree.xpath(_META_XPATH)[:_MAX_META_ELEMENTS]:
        text = " ".join((element.get("datetime") or element.text_content()).split())
        if not text or len(text) > _MAX_META_TEXT:
            continue
        read = read_metadata_line(text)
        if read is None:
            continue
        line_fields, line_date = read
        for key, value in line_fields.items():
            fields.setdefault(key, value)
        found_date = found_date or line_date
    return fields, found_date


def _free_text_date(html: str) -> datetime | date | None:
    import htmldate

    value = htmldate.find_date(html, extensive_search=True, original_date=True, outputformat=_DATE_FORMAT)
    if not value or _YEAR_ONLY.fullmatch(value):
        return None  # a copyright year turned into January 1st is no publication date
    return _date(value)
