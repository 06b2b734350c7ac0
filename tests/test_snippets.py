"""Snippets and marked titles: exact expected HTML (table-driven), and the fast fold matching the exact one."""

from __future__ import annotations

import re

import pytest

from indexer.analysis import ChineseTokenizer
from indexer.normalize import fold_with_offsets_reference as fold_with_offsets
from search.highlights import HighlightTerm
from search.plan import QueryBuilder
from search.query import parse
from search.snippets import Highlighter, fold_text, opening

BUILDER = QueryBuilder(ChineseTokenizer())


def highlighter(query: str) -> Highlighter:
    return Highlighter(BUILDER.compile(parse(query)).highlights)


SCRIPT_BODY = '某公司官网被植入<script>alert("x")</script>恶意代码，技术人员表示“A&B”两套系统均已修复。'
LONG_BODY = (
    "2025年初，公安部在京召开新闻发布会，通报一年来全国公安机关维护国家安全和社会稳定取得的成效。"
    "公安部新闻发言人介绍，2024年全国刑事案件同比下降25.7%，治安案件同比基本持平，社会治安形势持续保持平稳。\n\n"
    "在打击电信网络诈骗方面，公安机关联合四部门出台惩戒办法，打击电信网络诈骗犯罪取得显著成效。"
    "截至2024年底，已累计抓获涉诈犯罪嫌疑人5.3万余名，彻底摧毁多个境外诈骗窝点。\n\n"
    "下一步，公安部将会同有关部门持续推进行业治理，全面加强预警防范，织严织密防控网络，"
    "最大限度预防案件发生，切实保护人民群众的“钱袋子”。"
)
NO_PUNCTUATION = "这是一段没有标点的很长的文字" * 12 + "中国" + "后面还有很长的一段没有标点的文字" * 8

# (query, body, expected snippet_html)
SNIPPET_CASES = [
    pytest.param(
        "诈骗",
        "近期冒充电商客服的电信诈骗案件高发，警方提醒不要轻信所谓退款链接。",
        "近期冒充电商客服的电信<mark>诈骗</mark>案件高发，警方提醒不要轻信所谓退款链接。",
        id="one-word",
    ),
    pytest.param(
        "马克思",
        "研讨会围绕马克思主义中国化时代化展开讨论。与会专家认为，马克思的思想至今仍有重要现实意义。",
        "研讨会围绕<mark>马克思</mark>主义中国化时代化展开讨论。与会专家认为，<mark>马克思</mark>的思想至今仍有重要现实意义。",
        id="longest-span-not-sub-words",
    ),
    pytest.param(
        "公安部",
        "公安部新闻发言人表示，全国公安机关将持续打击犯罪。",
        "<mark>公安部</mark>新闻发言人表示，全国公安机关将持续打击犯罪。",  # not the sub-word 公安 alone
        id="word-not-its-sub-words",
    ),
    pytest.param(
        "公安部 部长",
        "公安部长表示，部长会议明天召开。",
        "<mark>公安部长</mark>表示，<mark>部长</mark>会议明天召开。",  # 公安部 + 部长 overlap: one mark
        id="overlapping-words-merge",
    ),
    pytest.param(
        "电信 诈骗",
        "中国电信今天发布5G新套餐。另据报道，警方提醒市民警惕网络诈骗。",
        "中国<mark>电信</mark>今天发布5G新套餐。另据报道，警方提醒市民警惕网络<mark>诈骗</mark>。",
        id="two-words-two-sentences",
    ),
    pytest.param(
        "电信诈骗",
        "警方破獲電信網絡詐騙集團，拘捕十二名男女。",
        "警方破獲<mark>電信</mark>網絡<mark>詐騙</mark>集團，拘捕十二名男女。",
        id="traditional-text-marked-in-original-characters",
    ),
    pytest.param(
        "script",
        SCRIPT_BODY,
        "某公司官网被植入&lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt;恶意代码，"
        "技术人员表示“A&amp;B”两套系统均已修复。",
        id="html-escaped-around-marks",
    ),
    pytest.param(
        "修复",
        SCRIPT_BODY,
        "某公司官网被植入&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;恶意代码，"
        "技术人员表示“A&amp;B”两套系统均已<mark>修复</mark>。",
        id="script-and-ampersand-render-as-text",
    ),
    pytest.param(
        "缅北",
        "近期冒充电商客服的电信诈骗案件高发，警方提醒不要轻信所谓退款链接。",
        "近期冒充电商客服的电信诈骗案件高发，警方提醒不要轻信所谓退款链接。",
        id="no-body-match-opening",
    ),
    pytest.param(
        "ai",
        "人工智能（AI）正在改变新闻生产方式。有专家said这只是开始。",
        "人工智能（<mark>AI</mark>）正在改变新闻生产方式。有专家said这只是开始。",
        id="ascii-word-boundaries",
    ),
    pytest.param(
        '"诈骗窝点"',
        "被告人长期在境外欺诈骗窝点内从事电话推销工作。",
        "被告人长期在境外欺<mark>诈骗窝点</mark>内从事电话推销工作。",
        id="phrase-across-jieba-words",
    ),
    pytest.param(
        '"ω-force"',
        "由光荣和ω-force开发的系列作品。",
        "由光荣和<mark>ω-force</mark>开发的系列作品。",
        id="phrase-with-connector",
    ),
    pytest.param(
        "ｉＰｈｏｎｅ",
        "苹果公司推出新款iPhone 16。",
        "苹果公司推出新款<mark>iPhone</mark> 16。",
        id="full-width-query",
    ),
    pytest.param(
        "电信网络诈骗 缅北",
        LONG_BODY,
        "在打击<mark>电信网络诈骗</mark>方面，公安机关联合四部门出台惩戒办法，打击<mark>电信网络诈骗</mark>犯罪取得显著成效。"
        "截至2024年底，已累计抓获涉诈犯罪嫌疑人5.3万余名，彻底摧毁多个境外<mark>诈骗</mark>窝点。",
        id="long-body-densest-paragraph",
    ),
    pytest.param(
        "诈骗窝点 钱袋子 治安",
        LONG_BODY,
        "…<mark>治安</mark>案件同比基本持平，社会<mark>治安</mark>形势持续保持平稳。在打击电信网络<mark>诈骗</mark>方面，"
        "公安机关联合四部门出台惩戒办法，打击电信网络<mark>诈骗</mark>犯罪取得显著成效。截至2024年底，"
        "已累计抓获涉诈犯罪嫌疑人5.3万余名，彻底摧毁多个境外<mark>诈骗窝点</mark>。…下一步，"
        "公安部将会同有关部门持续推进行业治理，全面加强预警防范，织严织密防控网络，最大限度预防案件发生，"
        "切实保护人民群众的“<mark>钱袋子</mark>”。",
        id="long-body-two-fragments",
    ),
    pytest.param(
        "天气",
        LONG_BODY,
        "2025年初，公安部在京召开新闻发布会，通报一年来全国公安机关维护国家安全和社会稳定取得的成效。"
        "公安部新闻发言人介绍，2024年全国刑事案件同比下降25.7%，治安案件同比基本持平，社会治安形势持续保持平稳。",
        id="long-body-no-match-opening-to-a-sentence-end",
    ),
    pytest.param(
        "中国",
        NO_PUNCTUATION,
        "…的很长的文字这是一段没有标点的很长的文字这是一段没有标点的很长的文字这是一段没有标点的很长的文字<mark>中国</mark>"
        "后面还有很长的一段没有标点的文字后面还有很长的一段没有标点的文字后面还有很长的一段没有标点的文字"
        "后面还有很长的一段没有标点的文字后面还有很长…",
        id="no-punctuation-hard-cut",
    ),
    pytest.param(
        "",
        "正文 <b>粗体</b>",
        "正文 &lt;b&gt;粗体&lt;/b&gt;",
        id="empty-query",
    ),
]


@pytest.mark.parametrize(("query", "body", "expected"), SNIPPET_CASES)
def test_snippet(query: str, body: str, expected: str) -> None:
    assert highlighter(query).snippet(body) == expected


@pytest.mark.parametrize(
    ("query", "title", "expected"),
    [
        ("诈骗", "网站遭遇<script>攻击 & 诈骗", "网站遭遇&lt;script&gt;攻击 &amp; <mark>诈骗</mark>"),
        ("攻击", "网站遭遇<script>攻击 & 数据泄露", "网站遭遇&lt;script&gt;<mark>攻击</mark> &amp; 数据泄露"),
        ("電信詐騙", "警方破获电信网络诈骗集团", "警方破获<mark>电信</mark>网络<mark>诈骗</mark>集团"),
        ("电信诈骗", "警方破獲電信網絡詐騙集團", "警方破獲<mark>電信</mark>網絡<mark>詐騙</mark>集團"),
        ("电信 诈骗", "警惕电信诈骗", "警惕<mark>电信诈骗</mark>"),  # touching marks merge
        ("缅北", 'Q&A: "引号"', "Q&amp;A: &quot;引号&quot;"),
    ],
)
def test_title_marking(query: str, title: str, expected: str) -> None:
    assert highlighter(query).mark(title) == expected


def test_fragment_length_and_count() -> None:
    body = "。".join(f"第{i}段提到诈骗和窝点还有其他很多内容用来填充这一句话的长度" for i in range(40)) + "。"
    html = highlighter("诈骗 窝点 第39段").snippet(body)
    text = html.replace("<mark>", "").replace("</mark>", "")
    fragments = [f for f in text.split("…") if f]
    assert 1 <= len(fragments) <= 3
    assert all(len(f) <= 120 for f in fragments)


def test_single_characters_marked_only_when_nothing_longer() -> None:
    assert highlighter("猫").mark("一只猫") == "一只<mark>猫</mark>"
    assert highlighter("猫 宠物").mark("一只猫是宠物") == "一只猫是<mark>宠物</mark>"
    assert highlighter('"猫" 宠物').mark("一只猫是宠物") == "一只<mark>猫</mark>是<mark>宠物</mark>"


def test_excluded_words_are_not_marked() -> None:
    assert highlighter("诈骗 -缅北").mark("缅北诈骗") == "缅北<mark>诈骗</mark>"


def test_merge() -> None:
    assert Highlighter.merge([(0, 2, 0), (0, 3, 0), (1, 3, 0), (5, 6, 1), (6, 8, 1), (10, 11, 2)]) == [
        (0, 3),
        (5, 8),
        (10, 11),
    ]


def test_opening() -> None:
    assert opening("") == ""
    assert opening("  \n ") == ""
    assert opening("第一句。第二句！") == "第一句。第二句！"
    assert opening("甲，" * 100).endswith("甲…")


def test_phrase_pattern_terms() -> None:
    terms = BUILDER.compile(parse('"open ai" "诈骗，窝点"')).highlights
    h = Highlighter(terms)
    assert h.mark("openai 与 open-ai 与 open ai") == "openai 与 <mark>open-ai</mark> 与 <mark>open ai</mark>"
    assert h.mark("诈骗，窝点") == "<mark>诈骗，窝点</mark>"  # a phrase with punctuation is marked whole
    assert h.mark("诈骗 与 窝点") == "诈骗 与 窝点"  # its parts apart are not the phrase
    assert all(isinstance(t, HighlightTerm) for t in terms)


@pytest.mark.parametrize(
    "text",
    [
        "普通的简体中文，带全角标点！",
        "繁體中文：電信網絡詐騙",
        "ＡＢＣ１２３ and ABC",
        "省略号……和㎏、ﬁ、½、Ⅲ",
        "İstanbul ΣΑΣ ς",
        "e\u0301 and \u304b\u3099 and \u1100\u1161",
        "astral 𠮷 and 😀 and 𝐀",
        "",
    ],
)
def test_fold_text_is_fold_with_offsets(text: str) -> None:
    folded, offsets = fold_text(text)
    ref_folded, ref_offsets = fold_with_offsets(text)
    assert folded == ref_folded
    identity = list(range(len(text) + 1))
    assert (offsets or identity) == (ref_offsets or identity)


def test_fold_text_every_bmp_character() -> None:
    bad = []
    for cp in range(0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        text = "a" + chr(cp) + "中"
        folded, offsets = fold_text(text)
        ref_folded, ref_offsets = fold_with_offsets(text)
        identity = list(range(len(text) + 1))
        if folded != ref_folded or (offsets or identity) != (ref_offsets or identity):
            bad.append(hex(cp))
    assert bad == []


def test_a_phrase_allows_between_units_exactly_what_the_index_ignores_there() -> None:
    """The separator of :func:`search.highlights.phrase_regex` (an alternation, cheap to compile) matches the
    index's connectors and whitespace, and no other character of the BMP."""
    from indexer.analysis import _CONNECTORS
    from search.highlights import _SEPARATORS

    separator = re.compile(_SEPARATORS)
    matched = {chr(cp) for cp in range(0x10000) if not 0xD800 <= cp < 0xE000 and separator.fullmatch(chr(cp))}
    assert matched == set(_CONNECTORS) | {
        c for c in map(chr, range(0x10000)) if c.isspace() or re.fullmatch(r"\s", c)
    }
