"""A saved page's related-articles list (相关推荐, 相關推薦, 相关阅读...) as partial stub articles.

Three layouts are read:

* bulleted items (``• 标题``, ``1. 标题``): an item is its bullet line and the lines up to the next bullet;
* items closed by a date line: ``标题`` / ``摘要…`` / ``2025年2月4日`` / ``4500`` (views), teaser and views optional;
* bare titles, one a line, when no line of the list holds only a date: ``标题`` or ``标题（2025-02-09）``; a teaser
  line (ending in ``…`` or longer than a title) goes with the title above it.

A stub's title is the item's first line (with its trailing date cut off and taken as the stub's date), its body the
teaser; view counts are dropped. A one-line item must look like a title: no 更多 / 换一换 link.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from indexer.articles import Article, make_stub_id
from indexer.ingest.loaders.dates import search_date
from indexer.ingest.loaders.pagelabels import BULLET, COUNTER, STRIP, PageLine

#: A bare title has at least this many letters or digits, and at most _MAX_TITLE characters.
_MIN_TITLE = 4
_MAX_TITLE = 60
_MORE = re.compile(r"(?:查看|加载|点击|阅读|显示)?更多.{0,6}|换一[换批].{0,4}|展开全部|.*(?:>>|»|›)\s*")
_TEASER_END = ("…", "...", "……")


def related_stubs(lines: list[PageLine], path: str) -> list[Article]:
    """Partial articles from the lines of a related-articles list (see the module docstring)."""
    if not lines:
        return []
    items: list[list[PageLine]] = []
    if any(BULLET.match(line.text) for line in lines):
        for line in lines:
            bullet = BULLET.match(line.text)
            if bullet:
                items.append([line._replace(text=line.text[bullet.end() :], key=line.key[bullet.end() :])])
            elif items:
                items[-1].append(line)
    elif any(_date_line(line.key) is not None for line in lines):
        closed = True  # an item ends with its date line (and the view count after it)
        for line in lines:
            if closed and not (items and COUNTER.fullmatch(line.key)):
                items.append([])
                closed = False
            items[-1].append(line)
            if _date_line(line.key) is not None:
                closed = True
    else:
        for line in lines:
            if items and (COUNTER.fullmatch(line.key) or _is_teaser(line.text)):
                items[-1].append(line)
            else:
                items.append([line])
    return [stub for item in items if (stub := _stub(item, path)) is not None]


def _is_teaser(text: str) -> bool:
    return text.endswith(_TEASER_END) or len(text) > _MAX_TITLE


def _stub(item: list[PageLine], path: str) -> Article | None:
    number, title, key = item[0]
    published = None
    found = search_date(key)
    if found and not key[found[2] :].strip(" )）]】"):  # "标题（2025-02-09）"
        published = found[0]
        title, key = title[: found[1]].rstrip(" (（[【-—|"), key[: found[1]].rstrip(" (（[【-—|")
    title = " ".join(title.split())
    summary = []
    for line in item[1:]:
        day = _date_line(line.key)
        if day is not None:
            published = published or day
        elif not COUNTER.fullmatch(line.key):
            summary.append(line.text)
    if not title or (not summary and published is None and not _looks_like_title(key)):
        return None
    return Article(
        id=make_stub_id(title, published),
        title=title,
        body="\n".join(summary),
        published=published,
        partial=True,
        path=path,
        line=number,
    )


def _looks_like_title(key: str) -> bool:
    key = key.strip(STRIP)
    return (
        len(key) <= _MAX_TITLE
        and sum(ch.isalnum() for ch in key) >= _MIN_TITLE
        and not _MORE.fullmatch(key)
        and not COUNTER.fullmatch(key)
    )


def _date_line(key: str) -> datetime | date | None:
    """The date of a line that holds only a date (and maybe a view count), else ``None``."""
    if len(key) > 60:
        return None
    found = search_date(key)
    if found is None:
        return None
    rest = (key[: found[1]] + " " + key[found[2] :]).strip(STRIP + "·|/-")
    return found[0] if not rest or COUNTER.fullmatch(rest) else None
