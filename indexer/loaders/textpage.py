"""Saved news pages as plain text (``.txt``): a portal page copied with its furniture around the article.

The layout is recognised by pattern, not by site:

* title: the first non-empty line (a breadcrumb line such as ``首页 > 新闻`` before it is skipped);
* header: metadata lines right under the title (a date, ``来源：``, ``作者：``, ``字号``, ``浏览`` ...), read and dropped;
* body: one paragraph a line, up to the first footer line;
* footer: from the first ``来源:``/``发布者:``/``责任编辑：``/``版权所有``/``分享到``/``上一篇``/``相关推荐``/``发表回复``/
  ``联系我们``... line to the end. Source, author, url and date are read from its metadata lines; the dates of the
  ``上一篇``/``下一篇`` links bound the article's own date; a related-articles list (``相关推荐``, ``相关阅读``...)
  becomes partial stub articles; everything else is dropped.

The article's ``published`` is the page's own date (a header date or a ``发布时间：`` field). Failing that, when the
``上一篇`` and ``下一篇`` posts were both published on the same day, the article was too: ``published`` is that
``date`` (day only; the time is unknown). Otherwise ``published`` is ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from indexer.articles import Article, make_stub_id, page_id
from indexer.loaders.dates import parse_date, search_date
from indexer.loaders.encoding import decode, read_bytes
from indexer.loaders.problem import LoadError, Problem

#: Longest line inspected for metadata; longer lines are always text (keeps every pattern linear and cheap).
_MAX_META = 300
_MAX_TITLE = 100
_HEADER_LINES = 6

# Metadata keys, by what their value means. "skip" values are read past and dropped.
_KEYS = {
    "source": ("文章来源", "本文来源", "稿件来源", "信息来源", "新闻来源", "来源", "稿源"),
    "author": ("作者", "发布者", "发布人", "记者", "撰稿", "撰文", "供稿"),
    "url": ("原文链接", "本文链接", "原文地址", "本文地址", "文章链接", "原文网址", "注明出处", "出处", "链接"),
    "published": ("发布时间", "发表时间", "发布日期", "发表日期", "更新时间", "发布于", "发表于", "时间", "日期"),
    "category": ("栏目", "分类", "频道", "类别"),
    "tags": ("标签", "关键词", "关键字"),
    "editor": ("责任编辑", "值班编辑", "编辑", "责编", "审核", "校对", "编审", "监制", "通讯员", "摄影"),
    "statement": ("平台声明", "免责声明", "版权声明", "特别声明", "声明"),
    "skip": (
        "原标题", "字号", "浏览次数", "浏览量", "浏览", "阅读量", "阅读数", "阅读", "点击量", "点击", "评论", "分享到", "分享",
        "联系电话", "电话", "电子邮件", "邮件", "邮箱", "在线咨询", "工作时间", "地址", "传真", "邮编", "热线",
    ),
}  # fmt: skip
_GROUP = {key: group for group, keys in _KEYS.items() for key in keys}
_KEY_RE = re.compile("(" + "|".join(sorted(_GROUP, key=len, reverse=True)) + r")\s*[:：]\s*")
#: Keys whose line ends the body when met after it (a "时间：" line may be part of an event notice).
_ENDS_BODY = {"source", "author", "url", "editor", "statement"}
_VALUE_END = re.compile(r"[,，;；|｜【】\[\]]|\s{2,}|\u3000")
_URL = re.compile(r"https?://[^\s,，。;；<>\"'）)】\]]+")
_NAME_LIKE_MAX = 30
_SENTENCE = re.compile(r"[。！？!?]")
#: Words that make up furniture lines around the title: 【字号：大 中 小】【打印】【关闭】...
_FURNITURE_WORDS = re.compile(
    r"大|中|小|打印|关闭窗口|关闭|收藏|点赞|纠错|放大|缩小|默认|微信|微博|QQ空间|QQ|[(（]?\d+[)）]?|[^\w]",
    re.IGNORECASE,
)
_SECTIONS = {
    "related": (
        "相关推荐", "相关阅读", "相关文章", "相关新闻", "推荐阅读", "延伸阅读", "热门推荐", "热门文章", "热门新闻",
        "热点推荐", "猜你喜欢", "你可能还喜欢", "你可能喜欢", "你可能感兴趣", "为你推荐", "精彩推荐", "更多阅读",
    ),
    "other": (
        "发表回复", "发表评论", "网友评论", "评论", "留言", "联系我们", "关注我们", "扫一扫", "返回顶部", "返回首页",
        "打印本页", "关闭窗口", "版权所有", "版权声明", "免责声明", "相关链接", "最新文章", "最新资讯",
    ),
}  # fmt: skip
_SECTION_OF = {word: kind for kind, words in _SECTIONS.items() for word in words}
_SECTION_RE = re.compile(
    r"[【\[(（]?("
    + "|".join(sorted(_SECTION_OF, key=len, reverse=True))
    + r")[】\])）]?\s*[:：]?\s*(?:[(（]\d+[)）])?"
)
_NEIGHBOUR = re.compile(r"(?:上一篇|下一篇|上一条|下一条|上篇|下篇)\s*[:：]?\s*")
#: Copyright footers: checked on lines of at most _MAX_COPYRIGHT characters only (an article may discuss 版权).
_COPYRIGHT = re.compile(
    r"^[【\[(（]?(?:版权所有|copyright|©)|版权所有|all rights reserved|ICP[备证]", re.IGNORECASE
)
_MAX_COPYRIGHT = 120
_SHARE = re.compile(r"[【\[]?分享到")
_LONE_FURNITURE = re.compile(
    r"[(（]\d+[)）]|[(（]完[)）]|.{1,40}的头像.{0,40}|[【\[]?(?:纠错|打印|关闭|收藏|点赞|返回顶部)[】\]]?"
)
#: A reprint notice on its own line: 转载请注明出处。 (本文)(如需)转载请注明来源 【转载请注明出处】
_REPRINT = re.compile(
    r"[【\[(（]?\s*(?:本文|文章)?(?:如需|如要|欢迎)?转载[，,]?\s*请注明(?:出处|来源)[。.!！]?\s*[】\])）]?"
)
_BREADCRUMB = re.compile(r"当前位置|您的位置|^首页\s*[>»/]")
_BULLET = re.compile(r"(?:[•·●○◆◇■□▪▶►*]|[-–—](?=\s)|\d{1,2}[.、](?=\D))\s*")
_COUNTER = re.compile(
    r"[(（]?\s*(?:阅读|浏览|点击|评论|views?)?\s*[:：]?\s*\d+(?:\.\d+)?\s*[万千kKwW]?\+?\s*"
    r"(?:次|人|阅读|浏览|views?)?\s*[)）]?",
    re.IGNORECASE,
)
_STRIP = " \t\u00a0\u3000\u200b\ufeff"


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
    lines = [(number, line.strip(_STRIP)) for number, line in enumerate(_split_lines(text), start=1)]
    lines = [(number, line) for number, line in lines if line]
    if not lines:
        yield Problem(path, None, "missing title and body", "empty page: no text")
        return
    page = _Page(path)
    start = 0
    while start < len(lines) - 1 and _BREADCRUMB.search(lines[start][1][:_MAX_META]):
        start += 1
    title = ""
    if len(lines[start][1]) <= _MAX_TITLE:
        title = " ".join(lines[start][1].split())
        start += 1
    start = page.read_header(lines, start)
    end = _body_end(lines, start)
    body = "\n".join(line for _, line in lines[start:end] if not _is_lone_furniture(line))
    page.read_footer(lines[end:])
    if not title and not body:
        yield Problem(path, None, "missing title and body", "page has no title and no text")
        return
    yield Article(
        id=page_id(page.fields.get("url", ""), name, title, body),
        title=title,
        body=body,
        url=page.fields.get("url", ""),
        source=page.fields.get("source", ""),
        author=page.fields.get("author", ""),
        category=page.fields.get("category", ""),
        published=page.published(),
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

    def read_header(self, lines: list[tuple[int, str]], start: int) -> int:
        """Read the metadata lines under the title; return the index of the first body line."""
        index = start
        while index < len(lines) and index - start < _HEADER_LINES:
            meta = _meta(lines[index][1])
            if meta is None:
                break
            self._take(meta)
            index += 1
        return index

    def read_footer(self, lines: list[tuple[int, str]]) -> None:
        # None: metadata lines; "related": a related-articles list; "other": comments, contacts...
        section = None
        related: list[tuple[int, str]] = []
        for number, line in lines:
            head = line[:_MAX_META]
            neighbour = _NEIGHBOUR.match(head)
            kind = _section(head) or ("other" if _is_copyright(line) else None)
            if neighbour or kind:
                self.stubs.extend(_stubs(related, self.path))
                related = []
                section = kind or ("other" if section == "related" else section)
                if neighbour and (found := search_date(head[neighbour.end() :])):
                    self.neighbours.append(found[0])
                continue
            if section == "related":
                related.append((number, line))
            elif section is None:
                meta = _meta(line)
                if meta is not None:
                    self._take(meta)
        self.stubs.extend(_stubs(related, self.path))

    def published(self) -> datetime | date | None:
        if self.dates:
            return self.dates[0]
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
    ``2025年3月6日 下午2:15 来源：新华网 作者：王希``; ``None`` for any other line."""
    meta = _meta(line.strip(_STRIP))
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


def _meta(line: str) -> _Meta | None:
    """The metadata in a line that holds nothing else (``2025-03-09 来源：新华网 作者：王希``), else ``None``."""
    if len(line) > _MAX_META:
        return None
    meta = _Meta()
    matches = list(_KEY_RE.finditer(line))
    prefix_end = matches[0].start() if matches else len(line)
    for i, match in enumerate(matches):
        group = _GROUP[match.group(1)]
        raw = line[match.end() : matches[i + 1].start() if i + 1 < len(matches) else len(line)]
        value = _value(group, raw)
        if value is None:
            return None  # e.g. "记者：请问……？": a sentence, not a name
        meta.groups.add(group)
        if value:
            meta.fields.append((group, value))
    prefix = line[:prefix_end]
    found = search_date(prefix)
    if found:
        meta.date = found[0]
        prefix = prefix[: found[1]] + prefix[found[2] :]
    if _FURNITURE_WORDS.sub("", prefix):
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
        return raw.strip(_STRIP)
    value = _VALUE_END.split(raw, maxsplit=1)[0].strip(_STRIP).rstrip("。.")
    found = search_date(value)
    if found:
        value = value[: found[1]].strip(_STRIP)
    if value.endswith((")", "）")) and not any(ch in value for ch in "(（"):
        value = value[:-1]
    if group in ("source", "author") and (len(value) > _NAME_LIKE_MAX or _SENTENCE.search(value)):
        return None
    if group == "source" and value.startswith("http"):
        return ""
    return value


def _section(head: str) -> str | None:
    match = _SECTION_RE.fullmatch(head)
    return _SECTION_OF[match.group(1)] if match else None


def _body_end(lines: list[tuple[int, str]], start: int) -> int:
    """Index of the first footer line after at least one body line (``len(lines)`` when there is none)."""
    for index in range(start + 1, len(lines)):
        head = lines[index][1][:_MAX_META]
        if _NEIGHBOUR.match(head) or _section(head) or _SHARE.match(head):
            return index
        if _is_copyright(lines[index][1]):
            return index
        if len(lines[index][1]) <= _MAX_META:
            meta = _meta(head)
            if meta is not None and meta.groups & _ENDS_BODY:
                return index
    return len(lines)


def _is_copyright(line: str) -> bool:
    return len(line) <= _MAX_COPYRIGHT and _COPYRIGHT.search(line) is not None


def is_reprint_notice(line: str) -> bool:
    """Whether ``line`` is only a reprint notice (转载请注明出处), which is dropped from a body."""
    return len(line) <= 40 and _REPRINT.fullmatch(line.strip(_STRIP)) is not None


def _is_lone_furniture(line: str) -> bool:
    if len(line) > 100:
        return False
    return (
        bool(_LONE_FURNITURE.fullmatch(line))
        or is_reprint_notice(line)
        or not any(ch.isalnum() for ch in line)
    )


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _stubs(lines: list[tuple[int, str]], path: str) -> list[Article]:
    """Partial articles from a related-articles list: title, summary, date (view counts dropped)."""
    if not lines:
        return []
    items: list[list[tuple[int, str]]] = []
    if any(_BULLET.match(line) for _, line in lines):
        for number, line in lines:
            bullet = _BULLET.match(line)
            if bullet:
                items.append([(number, line[bullet.end() :])])
            elif items:
                items[-1].append((number, line))
    else:  # no bullets: an item ends with its date line (and the view count after it)
        closed = True
        for number, line in lines:
            if closed and not (items and _COUNTER.fullmatch(line)):
                items.append([])
                closed = False
            items[-1].append((number, line))
            if _date_line(line) is not None:
                closed = True
    return [stub for item in items if (stub := _stub(item, path)) is not None]


def _stub(item: list[tuple[int, str]], path: str) -> Article | None:
    number, title = item[0]
    published = None
    found = search_date(title)
    if found and not title[found[2] :].strip(" )）]】"):  # "标题（2025-02-09）"
        published = found[0]
        title = title[: found[1]].rstrip(" (（[【-—|")
    title = " ".join(title.split())
    summary = []
    for _, line in item[1:]:
        day = _date_line(line)
        if day is not None:
            published = published or day
        elif not _COUNTER.fullmatch(line):
            summary.append(line)
    if not title or (not summary and published is None):
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


def _date_line(line: str) -> datetime | date | None:
    """The date of a line that holds only a date (and maybe a view count), else ``None``."""
    if len(line) > 60:
        return None
    found = search_date(line)
    if found is None:
        return None
    rest = (line[: found[1]] + " " + line[found[2] :]).strip(_STRIP + "·|/-")
    return found[0] if not rest or _COUNTER.fullmatch(rest) else None
