"""The furniture labels of a saved news page (``.txt``): metadata keys, footer sections, neighbour links, notices.

Labels are written here in simplified characters and matched against the line folded by
:func:`indexer.normalize.t2s` (traditional -> simplified, one character for one): ``來源：``, ``發佈時間：``,
``相關推薦``, ``上一篇`` and ``轉載請註明出處`` are read like ``来源：``, ``发布时间：``, ``相关推荐``, ``上一篇`` and
``转载请注明出处``. Values are cut from the original line at the same offsets, so they are kept as written
(``聯合報``); search folds them. The few Taiwan and Hong Kong words that folding does not turn into the mainland
label (聯絡我們, 上一則, 原文連結, 列印, 字級) are listed as folded.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from indexer.normalize import t2s

#: Longest line inspected for metadata; longer lines are always text (keeps every pattern linear and cheap).
MAX_META = 300
STRIP = " \t\u00a0\u3000\u200b\ufeff"

# Metadata keys, by what their value means. "skip" values are read past and dropped.
_KEYS = {
    "source": ("文章来源", "本文来源", "稿件来源", "信息来源", "新闻来源", "来源", "稿源"),
    "author": ("作者", "发布者", "发布人", "记者", "撰稿", "撰文", "供稿"),
    "url": (
        "原文链接", "本文链接", "原文地址", "本文地址", "文章链接", "原文网址", "原文连结", "本文连结", "注明出处", "出处",
        "链接", "连结",
    ),
    "published": ("发布时间", "发表时间", "发布日期", "发表日期", "更新时间", "发布于", "发表于", "时间", "日期"),
    "category": ("栏目", "分类", "频道", "类别"),
    "tags": ("标签", "关键词", "关键字"),
    "editor": ("责任编辑", "值班编辑", "编辑", "责编", "审核", "校对", "编审", "监制", "通讯员", "摄影"),
    "statement": ("平台声明", "免责声明", "版权声明", "特别声明", "声明"),
    "skip": (
        "原标题", "字号", "字级", "浏览次数", "浏览量", "浏览", "阅读量", "阅读数", "阅读", "点阅", "点击量", "点击", "评论",
        "分享到", "分享", "联系电话", "电话", "电子邮件", "邮件", "邮箱", "在线咨询", "工作时间", "地址", "传真", "邮编",
        "热线",
    ),
}  # fmt: skip
GROUP = {key: group for group, keys in _KEYS.items() for key in keys}
KEY_RE = re.compile("(" + "|".join(sorted(GROUP, key=len, reverse=True)) + r")\s*[:：]\s*")
#: Keys whose line ends the body when met after it (a "时间：" line may be part of an event notice).
ENDS_BODY = {"source", "author", "url", "editor", "statement"}
#: Words that make up furniture lines around the title: 【字号：大 中 小】【打印】【关闭】...
FURNITURE_WORDS = re.compile(
    r"大|中|小|打印|列印|关闭窗口|关闭|收藏|点赞|纠错|放大|缩小|默认|微信|微博|QQ空间|QQ|[(（]?\d+[)）]?|[^\w]",
    re.IGNORECASE,
)
_SECTIONS = {
    "related": (
        "相关推荐", "相关阅读", "相关文章", "相关新闻", "推荐阅读", "延伸阅读", "热门推荐", "热门文章", "热门新闻",
        "热点推荐", "猜你喜欢", "你可能还喜欢", "你可能喜欢", "你可能会喜欢", "你可能感兴趣", "为你推荐", "精彩推荐",
        "更多阅读",
    ),
    "other": (
        "发表回复", "发表评论", "网友评论", "评论", "留言", "联系我们", "联络我们", "关注我们", "扫一扫", "返回顶部",
        "返回首页", "打印本页", "关闭窗口", "版权所有", "版权声明", "免责声明", "相关链接", "最新文章", "最新资讯",
    ),
}  # fmt: skip
_SECTION_OF = {word: kind for kind, words in _SECTIONS.items() for word in words}
_SECTION_RE = re.compile(
    r"[【\[(（]?("
    + "|".join(sorted(_SECTION_OF, key=len, reverse=True))
    + r")[】\])）]?\s*[:：]?\s*(?:[(（]\d+[)）])?"
)
NEIGHBOUR = re.compile(r"(?:上一篇|下一篇|上一条|下一条|上一则|下一则|上篇|下篇)\s*[:：]?\s*")
#: Copyright footers: checked on lines of at most _MAX_COPYRIGHT characters only (an article may discuss 版权).
_COPYRIGHT = re.compile(
    r"^[【\[(（]?(?:版权所有|copyright|©)|版权所有|all rights reserved|ICP[备证]", re.IGNORECASE
)
_MAX_COPYRIGHT = 120
SHARE = re.compile(r"[【\[]?分享到")
_LONE_FURNITURE = re.compile(
    r"[(（]\d+[)）]|[(（]完[)）]|.{1,40}的头像.{0,40}|[【\[]?(?:纠错|打印|列印|关闭|收藏|点赞|返回顶部)[】\]]?"
)
#: A reprint notice on its own line: 转载请注明出处。 (本文)(如需)转载请注明来源 【转载请注明出处】
_REPRINT = re.compile(
    r"[【\[(（]?\s*(?:本文|文章)?(?:如需|如要|欢迎)?转载[，,]?\s*请注明(?:出处|来源)[。.!！]?\s*[】\])）]?"
)
BREADCRUMB = re.compile(r"当前位置|您的位置|^首页\s*[>»/]")
BULLET = re.compile(r"(?:[•·‧●○◆◇■□▪▶►*]|[-–—](?=\s)|\d{1,2}[.、](?=\D))\s*")
COUNTER = re.compile(
    r"[(（]?\s*(?:阅读|浏览|点击|点阅|评论|views?)?\s*[:：]?\s*\d+(?:\.\d+)?\s*[万千kKwW]?\+?\s*"
    r"(?:次|人|阅读|浏览|views?)?\s*[)）]?",
    re.IGNORECASE,
)


class PageLine(NamedTuple):
    """A non-empty line of a page: its number (from 1), its text as written, and ``key``: the text folded to
    simplified characters (same length, same offsets), which labels are matched against."""

    number: int
    text: str
    key: str


def page_line(number: int, text: str) -> PageLine:
    return PageLine(number, text, t2s(text))


def section(key: str) -> str | None:
    """``"related"`` for a related-articles heading (相关推荐), ``"other"`` for another footer section heading
    (发表回复, 联系我们...), else ``None``."""
    match = _SECTION_RE.fullmatch(key[:MAX_META])
    return _SECTION_OF[match.group(1)] if match else None


def is_copyright(key: str) -> bool:
    return len(key) <= _MAX_COPYRIGHT and _COPYRIGHT.search(key) is not None


def is_reprint_notice(line: str) -> bool:
    """Whether ``line`` is only a reprint notice (转载请注明出处, 轉載請註明出處), which is dropped from a body."""
    return len(line) <= 40 and _REPRINT.fullmatch(t2s(line.strip(STRIP))) is not None


def is_lone_furniture(key: str) -> bool:
    """A line of its own that is page furniture: (0), （完）, 【打印】, a reprint notice, punctuation only."""
    if len(key) > 100:
        return False
    return (
        bool(_LONE_FURNITURE.fullmatch(key)) or is_reprint_notice(key) or not any(ch.isalnum() for ch in key)
    )
