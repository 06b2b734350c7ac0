"""Saved news pages as plain text (``.txt``): a portal page copied with its furniture around the article.

The layout is recognised by pattern, not by site, in simplified or traditional characters (labels are matched on
the line folded to simplified: ``來源：``, ``相關推薦``, ``上一篇``; see :mod:`indexer.ingest.loaders.pagelabels`):

* title: the first non-empty line (a breadcrumb line such as ``首页 > 新闻`` before it is skipped);
* header: metadata lines right under the title (a date, ``来源：``, ``作者：``, ``字号``, ``浏览`` ...), read and dropped;
* body: one paragraph a line, up to the first footer line;
* footer: from the first ``来源:``/``发布者:``/``责任编辑：``/``版权所有``/``分享到``/``上一篇``/``相关推荐``/``发表回复``/
  ``联系我们``... line to the end. Source, author, url and date are read from its metadata lines; the dates of the
  ``上一篇``/``下一篇`` links bound the article's own date; a related-articles list (``相关推荐``, ``相关阅读``...)
  becomes partial stub articles (:mod:`indexer.ingest.loaders.related`); everything else is dropped.

The article's ``published`` is the page's own date (a header date or a ``发布时间：`` field). Failing that, the date
of a news agency's dateline opening the body (``新华社北京2025年4月12日电``, ``中央社記者陳怡君台北2024年10月1日電``; one
without a year takes it from the url's date or a neighbour's, see :func:`~indexer.ingest.loaders.dates.parse_dateline`).
Failing that, when the ``上一篇`` and ``下一篇`` posts were both published on the same day, the article was too:
``published`` is that ``date`` (day only; the time is unknown). Otherwise ``published`` is ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from indexer.articles import Article, page_id
from indexer.ingest.loaders.dates import date_in_url, parse_date, parse_dateline, search_date
from indexer.ingest.loaders.encoding import decode, read_bytes
from indexer.ingest.loaders.pagelabels import (
    BREADCRUMB,
    ENDS_BODY,
    FURNITURE_WORDS,
    GROUP,
    KEY_RE,
    MAX_META,
    NEIGHBOUR,
    SHARE,
    STRIP,
    PageLine,
    is_copyright,
    is_lone_furniture,
    is_reprint_notice,
    page_line,
    section,
)
from indexer.ingest.loaders.problem import LoadError, Problem
from indexer.ingest.loaders.related import related_stubs

__all__ = ["is_reprint_notice", "load_text_page", "parse_text_page", "read_metadata_line"]

_MAX_TITLE = 100
_HEADER_LINES = 6
#: Body lines searched for a news agency's dateline (新华社北京4月12日电) when the page gives no date of its own.
_DATELINE_LINES = 3
_VALUE_END = re.compile(r"[,，;；|｜【】\[\]]|\s{2,}|\u3000")
_URL = re.compile(r"https?://[^\s,，。;；<>\"'）)】\]]+")
_NAME_LIKE_MAX = 30
_SENTENCE = re.compile(r"[。！？!?]")


def load_text_page(path: Path, name: str | None = None) -> Iterator[Article | Problem]:
    """The article of a saved page, then the stubs of its related-articles list; ``name`` (default: the file's
    name) is the path the id of a page without a url is derived from."""
    where = str(path)
    try:
        text = decode(read_bytes(path))
    except LoadError as exc:
        yield exc.problem(where)
        return
    yield from parse_text_page(text, where, name or path.name)


def parse_text_page(text: str, path: str = "", name: str = "") -> Iterator[Article | Problem]:
    """Parse the text of a saved page (see the module docstring); ``name``: see :func:`page_id`."""
    text = text.replace("\xa0", " ")
    stripped = ((number, line.strip(STRIP)) for number, line in enumerate(_split_lines(text), start=1))
    lines = [page_line(number, line) for number, line in stripped if line]
    if not lines:
        yield Problem(path, None, "missing title and body", "empty page: no text")
        return
    page = _Page(path)
    start = 0
    while start < len(lines) - 1 and BREADCRUMB.search(lines[start].key[:MAX_META]):
        start += 1
    title = ""
    if len(lines[start].text) <= _MAX_TITLE:
        title = " ".join(lines[start].text.split())
        start += 1
    start = page.read_header(lines, start)
    end = _body_end(lines, start)
    body_lines = [line.text for line in lines[start:end] if not is_lone_furniture(line.key)]
    body = "\n".join(body_lines)
    page.read_footer(lines[end:])
    if not title and not body:
        yield Problem(path, None, "missing title and body", "page has no title and no text")
        return
    url = page.fields.get("url", "")
    yield Article(
        id=page_id(url, name, title, body),
        title=title,
        body=body,
        url=url,
        source=page.fields.get("source", ""),
        author=page.fields.get("author", ""),
        category=page.fields.get("category", ""),
        published=page.published(body_lines[:_DATELINE_LINES], url),
        tags=page.tags,
        path=path,
        line=1,
    )
    yield from page.stubs


def _split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


class _Page:
    """What the header and footer say about the article."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fields: dict[str, str] = {}
        self.tags: list[str] = []
        self.dates: list[datetime | date] = []  # the page's own dates, header first
        self.neighbours: list[datetime | date] = []  # dates of the 上一篇 / 下一篇 posts
        self.stubs: list[Article] = []

    def read_header(self, lines: list[PageLine], start: int) -> int:
        """Read the metadata lines under the title; return the index of the first body line."""
        index = start
        while index < len(lines) and index - start < _HEADER_LINES:
            meta = _meta(lines[index])
            if meta is None:
                break
            self._take(meta)
            index += 1
        return index

    def read_footer(self, lines: list[PageLine]) -> None:
        # None: metadata lines; "related": a related-articles list; "other": comments, contacts...
        kind_now = None
        related: list[PageLine] = []
        for line in lines:
            head = line.key[:MAX_META]
            neighbour = NEIGHBOUR.match(head)
            kind = section(head) or ("other" if is_copyright(line.key) else None)
            if neighbour or kind:
                self.stubs.extend(related_stubs(related, self.path))
                related = []
                kind_now = kind or ("other" if kind_now == "related" else kind_now)
                if neighbour and (found := search_date(head[neighbour.end() :])):
                    self.neighbours.append(found[0])
                continue
            if kind_now == "related":
                related.append(line)
            elif kind_now is None:
                meta = _meta(line)
                if meta is not None:
                    self._take(meta)
        self.stubs.extend(related_stubs(related, self.path))

    def published(self, first_lines: list[str], url: str) -> datetime | date | None:
        """The page's own date, else its dateline's (``first_lines``: the body's), else the day both neighbours
        were published on."""
        if self.dates:
            return self.dates[0]
        near = date_in_url(url) or (self.neighbours[0] if self.neighbours else None)
        for line in first_lines:
            if (day := parse_dateline(line, near)) is not None:
                return day
        days = {_day(value) for value in self.neighbours}
        if len(self.neighbours) >= 2 and len(days) == 1:
            return days.pop()
        return None

    def _take(self, meta: _Meta) -> None:
        if meta.date is not None:
            self.dates.append(meta.date)
        for group, value in meta.fields:
            if group == "tags":
                self.tags.extend(
                    tag for tag in re.split(r"[,，、;；\s]+", value) if tag and tag not in self.tags
                )
            elif group == "published":
                value_date = parse_date(value) or (found[0] if (found := search_date(value)) else None)
                if value_date is not None:
                    self.dates.insert(0, value_date)
            elif group in ("source", "author", "url", "category"):
                self.fields.setdefault(group, value)


def read_metadata_line(line: str) -> tuple[dict[str, str], datetime | date | None] | None:
    """The fields (source, author, url, category, tags) and date of a line that holds only metadata, such as
    ``2025年3月6日 下午2:15 来源：新华网 作者：王希`` (or ``來源：聯合報``); ``None`` for any other line."""
    meta = _meta(page_line(0, line.strip(STRIP)))
    if meta is None:
        return None
    page = _Page("")
    page._take(meta)
    fields = dict(page.fields)
    if page.tags:
        fields["tags"] = ",".join(page.tags)
    return fields, page.dates[0] if page.dates else None


class _Meta:
    __slots__ = ("fields", "date", "groups")

    def __init__(self) -> None:
        self.fields: list[tuple[str, str]] = []
        self.date: datetime | date | None = None
        self.groups: set[str] = set()


def _meta(line: PageLine) -> _Meta | None:
    """The metadata in a line that holds nothing else (``2025-03-09 来源：新华网 作者：王希``), else ``None``. Keys are
    found in the folded line, values cut from the line as written."""
    text, key = line.text, line.key
    if len(text) > MAX_META:
        return None
    meta = _Meta()
    matches = list(KEY_RE.finditer(key))
    prefix_end = matches[0].start() if matches else len(key)
    for i, match in enumerate(matches):
        group = GROUP[match.group(1)]
        raw = text[match.end() : matches[i + 1].start() if i + 1 < len(matches) else len(text)]
        value = _value(group, raw)
        if value is None:
            return None  # e.g. "记者：请问……？": a sentence, not a name
        meta.groups.add(group)
        if value:
            meta.fields.append((group, value))
    prefix = key[:prefix_end]
    found = search_date(prefix)
    if found:
        meta.date = found[0]
        prefix = prefix[: found[1]] + prefix[found[2] :]
    if FURNITURE_WORDS.sub("", prefix):
        return None  # text other than metadata
    return meta


def _value(group: str, raw: str) -> str | None:
    """A key's value cut at the next separator; "" when unusable, ``None`` when it shows the line is prose."""
    if group == "url":
        match = _URL.search(raw)
        return match.group().rstrip(".") if match else ""
    if group in ("statement", "skip", "editor"):
        return ""
    if group == "published":
        return raw.strip(STRIP)
    value = _VALUE_END.split(raw, maxsplit=1)[0].strip(STRIP).rstrip("。.")
    found = search_date(value)
    if found:
        value = value[: found[1]].strip(STRIP)
    if value.endswith((")", "）")) and not any(ch in value for ch in "(（"):
        value = value[:-1]
    if group in ("source", "author") and (len(value) > _NAME_LIKE_MAX or _SENTENCE.search(value)):
        return None
    if group == "source" and value.startswith("http"):
        return ""
    return value


def _body_end(lines: list[PageLine], start: int) -> int:
    """Index of the first footer line after at least one body line (``len(lines)`` when there is none)."""
    for index in range(start + 1, len(lines)):
        head = lines[index].key[:MAX_META]
        if NEIGHBOUR.match(head) or section(head) or SHARE.match(head):
            return index
        if is_copyright(lines[index].key):
            return index
        if len(lines[index].text) <= MAX_META:
            meta = _meta(lines[index])
            if meta is not None and meta.groups & ENDS_BODY:
                return index
    return len(lines)


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value
