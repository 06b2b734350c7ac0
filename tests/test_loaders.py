"""The article loaders: files in, Article objects and Problem reports out (indexer.ingest.loaders)."""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from indexer.articles import CHINA_TZ, Article, make_id, make_path_id, make_stub_id
from indexer.ingest.loaders import SUPPORTED_SUFFIXES, Problem, iter_source_files, load_file
from indexer.ingest.loaders.encoding import decode
from indexer.ingest.loaders.jsonfmt import LONE_SURROGATE_NOTE
from indexer.ingest.loaders.problem import LoadError

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PAGE = ROOT / "index_data" / "articles" / "000_0ca705d7dfbd1930.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "loaders"
XWLB = ROOT.parent / "shared" / "corpora" / "xwlb" / "articles.jsonl.gz"

# Real Chinese news text (from the shipped press release) and its traditional form (OpenCC s2tw), for encodings.
NEWS_SHORT = (
    "2025年初,公安部在京召开专题新闻发布会,通报一年来全国公安机关维护国家政治安全和社会稳定,"
    "以高水平安全保障高质量发展,为推进中国式现代化保驾护航取得的成效等情况。公安部新闻发言人张明通报有关情况并回答记者提问。"
)
NEWS_LONG = (
    "张明回答了记者提问。她表示,2023年7月部署开展打击缅北涉我电信网络诈骗犯罪专项工作以来,公安部依托中缅执法安全合作"
    "机制,指挥全国多地公安机关联合作战,全力开展案件侦办。截至2024年底,已累计抓获中国籍涉诈犯罪嫌疑人5.3万余名,彻底"
    "摧毁臭名昭著的缅北果敢“四大家族”犯罪集团,临近我边境一侧的缅北地区规模化电诈园区被全部铲除,专项工作取得阶段性"
    "重大战果,带动全国电信网络诈骗立案数和损失大幅下降。目前,“四大家族”犯罪集团案件已经陆续进入诉讼环节。"
)
NEWS_SHORT_TW = (
    "2025年初,公安部在京召開專題新聞發佈會,通報一年來全國公安機關維護國家政治安全和社會穩定,"
    "以高水平安全保障高質量發展,為推進中國式現代化保駕護航取得的成效等情況。公安部新聞發言人張明通報有關情況並回答記者提問。"
)
NEWS_LONG_TW = (
    "張明回答了記者提問。她表示,2023年7月部署開展打擊緬北涉我電信網絡詐騙犯罪專項工作以來,公安部依託中緬執法安全合作"
    "機制,指揮全國多地公安機關聯合作戰,全力開展案件偵辦。截至2024年底,已累計抓獲中國籍涉詐犯罪嫌疑人5.3萬餘名,徹底"
    "摧毀臭名昭著的緬北果敢“四大家族”犯罪集團,臨近我邊境一側的緬北地區規模化電詐園區被全部剷除,專項工作取得階段性"
    "重大戰果,帶動全國電信網絡詐騙立案數和損失大幅下降。目前,“四大家族”犯罪集團案件已經陸續進入訴訟環節。"
)


def load(path: Path) -> tuple[list[Article], list[Problem]]:
    articles: list[Article] = []
    problems: list[Problem] = []
    for item in load_file(path):
        (problems if isinstance(item, Problem) else articles).append(item)
    return articles, problems


def write_jsonl(path: Path, lines: list[object]) -> Path:
    text = "\n".join(
        line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines
    )
    path.write_text(text + "\n", encoding="utf-8")
    return path


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHINA_TZ)


# --- the shipped saved page -------------------------------------------------------------------------------------

FURNITURE = [
    "平台声明",
    "发布者",
    "上一篇",
    "下一篇",
    "相关推荐",
    "发表回复",
    "联系我们",
    "在线咨询",
    "400-800-8888",
    "您的邮箱",
    "来源:",
    "转转请注明出处",
    "rmltwz",
    "(0)",
    "关注微信",
    "工作时间",
    "香港2024年临时零售统计数字",
]


@pytest.fixture(scope="module")
def sample_page() -> tuple[list[Article], list[Problem]]:
    return load(SAMPLE_PAGE)


def test_sample_page_article(sample_page: tuple[list[Article], list[Problem]]) -> None:
    articles, problems = sample_page
    assert problems == []
    page = articles[0]
    assert page.title == "公安部:坚持不懈盯着打、追着打,坚决摧毁境外诈骗窝点"
    assert page.source == "公安部刑侦局微信公众号"
    assert page.author == "rmltwz"
    assert page.url == "https://www.rmltwz.com/shangye/32386.html"
    assert page.id == make_id(url="https://www.rmltwz.com/shangye/32386.html")
    assert page.partial is False
    assert (page.path, page.line) == (str(SAMPLE_PAGE), 1)
    assert page.category == "" and page.tags == []
    # The page has no date of its own; the 上一篇 and 下一篇 posts (2025年3月6日 下午2:15 and 下午2:24) bound it
    # to that day, so the article gets the day, without a time.
    assert page.published == date(2025, 3, 6) and type(page.published) is date


def test_sample_page_body(sample_page: tuple[list[Article], list[Problem]]) -> None:
    body = sample_page[0][0].body
    paragraphs = body.split("\n")
    assert len(paragraphs) == 12
    assert paragraphs[0] == (
        "2025年初,公安部在京召开专题新闻发布会,通报一年来全国公安机关维护国家政治安全和社会稳定,以高水平安全保障高"
        "质量发展,为推进中国式现代化保驾护航取得的成效等情况。公安部新闻发言人张明通报有关情况并回答记者提问。"
    )
    assert paragraphs[1] == "发布会"  # a lone image caption: kept, it cannot be told from a short paragraph
    assert paragraphs[3].endswith("下一步,公安部还将如何打击电信网络诈骗犯罪?")  # trailing NBSP stripped
    assert paragraphs[-1].startswith("张明表示,针对严峻复杂的犯罪形势")
    assert paragraphs[-1].endswith("切实保护人民群众的“钱袋子”。")
    assert all(p == p.strip() and p for p in paragraphs)
    for furniture in FURNITURE:
        assert furniture not in body, furniture


def test_sample_page_related_stubs(sample_page: tuple[list[Article], list[Problem]]) -> None:
    stubs = sample_page[0][1:]
    assert [(s.title, s.published) for s in stubs] == [
        ("香港2024年临时零售统计数字按年跌7.3%", date(2025, 2, 4)),
        ("的士 | 周国强:业界对上一任局长“有怨气”,仅能给“2星”评价", date(2024, 12, 10)),
        ("澳门候任行政长官岑浩辉:有信心实现“四大愿景”", date(2024, 12, 12)),
        ("上海街头申花国安球迷爆冲突,有人掩面倒地", date(2025, 3, 3)),
        ("美方威胁对中国输美产品再加征10%关税,外交部回应", date(2025, 3, 1)),
    ]
    assert [s.line for s in stubs] == [38, 44, 50, 56, 62]
    for stub in stubs:
        assert stub.partial is True
        assert stub.id == make_stub_id(stub.title, stub.published)
        assert (stub.url, stub.source, stub.author) == ("", "", "")
        assert stub.path == str(SAMPLE_PAGE)
        assert type(stub.published) is date
        # the summary is the body, kept as shown, with its "…" (it says the text is cut short); no view count
        assert stub.body.endswith("…") and "\n" not in stub.body
    assert stubs[0].body.startswith("香港新闻网2月3日电 香港特区政府统计处3日发表最新的零售业销货额数字")
    assert "4500" not in stubs[0].body and "2025年2月4日" not in stubs[0].body


def test_sample_page_is_stable(sample_page: tuple[list[Article], list[Problem]]) -> None:
    again, _ = load(SAMPLE_PAGE)
    assert [a.content_hash() for a in again] == [a.content_hash() for a in sample_page[0]]


# --- other saved pages: recognised by pattern ------------------------------------------------------------------


def test_other_portal_page() -> None:
    path = FIXTURES / "other_portal.txt"
    articles, problems = load(path)
    assert problems == []
    page, *stubs = articles
    assert page.title == "江城市今年将新建改造城市公园30个"  # the breadcrumb line before it is skipped
    assert page.source == "江城在线"
    assert page.author == "王希"
    assert page.url == ""
    assert page.published == cst(2025, 3, 9, 9, 30)
    paragraphs = page.body.split("\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("江城在线讯（记者 王希）3月8日")  # full-width indent stripped
    # a "时间：" inside the text is not metadata
    assert paragraphs[2] == "活动时间：3月15日至4月30日，市民可通过“江城园林”公众号预约参加义务植树。"
    assert paragraphs[-1].endswith("覆盖率达到90%以上。")
    for furniture in [
        "字号",
        "打印",
        "（完）",
        "责任编辑",
        "分享到",
        "相关阅读",
        "网友评论",
        "版权所有",
        "ICP",
        "027",
    ]:
        assert furniture not in page.body, furniture
    assert [(s.title, s.published, s.body, s.line) for s in stubs] == [
        ("江城地铁5号线今日开通运营", date(2025, 3, 6), "", 19),
        ("江城图书馆新馆对外开放", date(2025, 2, 28), "", 20),
    ]
    assert all(s.partial for s in stubs)


def test_plain_text_page_without_furniture(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("标题一\n\n\n第一段。\n  第二段。  \n\n\n第三段。\n", encoding="utf-8")
    [article], problems = load(path)
    assert problems == []
    assert (article.title, article.body) == ("标题一", "第一段。\n第二段。\n第三段。")
    assert article.published is None
    assert article.id == make_path_id("plain.txt")  # no url: the id comes from the path


def test_text_page_header_fields(tmp_path: Path) -> None:
    path = tmp_path / "header.txt"
    path.write_text(
        "江城召开春季运动会\n发布时间：2025年3月6日 上午11:05\n来源：江城日报  作者：张三\n栏目：体育  标签：运动会、江城\n"
        "\n3月6日上午，江城春季运动会开幕。\n\n原文链接：https://example.cn/a/1.html\n",
        encoding="utf-8",
    )
    [article], problems = load(path)
    assert problems == []
    assert article.published == cst(2025, 3, 6, 11, 5)
    assert (article.source, article.author, article.category) == ("江城日报", "张三", "体育")
    assert article.tags == ["运动会", "江城"]
    assert article.url == "https://example.cn/a/1.html"
    assert article.body == "3月6日上午，江城春季运动会开幕。"


@pytest.mark.parametrize(
    ("neighbours", "expected"),
    [
        (["上一篇 2025年3月5日 下午2:15", "下一篇 2025年3月6日 上午9:00"], None),  # different days: unknown
        (["下一篇 2025年3月6日 上午9:00"], None),  # one bound says little
        (["上一篇：江城图书馆新馆开放", "下一篇：江城地铁开通"], None),  # titles, not dates
        (["上一篇 2025-03-06 09:00", "下一篇 2025-03-06 10:00"], date(2025, 3, 6)),
    ],
)
def test_text_page_date_from_neighbours(tmp_path: Path, neighbours: list[str], expected: date | None) -> None:
    path = tmp_path / "page.txt"
    path.write_text("标题\n\n正文第一段。\n\n" + "\n".join(neighbours) + "\n", encoding="utf-8")
    [article], problems = load(path)
    assert (problems, article.published, article.body) == ([], expected, "正文第一段。")


def test_interview_lines_are_not_metadata(tmp_path: Path) -> None:
    path = tmp_path / "interview.txt"
    path.write_text(
        "专访江城市长\n\n记者：今年的工作重点是什么？\n\n市长：稳就业、惠民生。\n", encoding="utf-8"
    )
    [article], _ = load(path)
    assert article.body == "记者：今年的工作重点是什么？\n市长：稳就业、惠民生。"
    assert article.author == ""


def test_related_list_without_bullets(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(
        "标题\n\n正文。\n\n猜你喜欢\n\n第一篇标题\n第一篇摘要…\n2025-01-02\n阅读 1.2万\n第二篇标题\n2025年1月3日\n",
        encoding="utf-8",
    )
    [article, first, second], problems = load(path)
    assert problems == [] and article.body == "正文。"
    assert (first.title, first.body, first.published, first.line) == (
        "第一篇标题",
        "第一篇摘要…",
        date(2025, 1, 2),
        7,
    )
    assert (second.title, second.body, second.published, second.line) == (
        "第二篇标题",
        "",
        date(2025, 1, 3),
        11,
    )


def test_empty_text_page(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text(" \n\n\u3000\n", encoding="utf-8")
    assert load(path) == ([], [Problem(str(path), None, "missing title and body", "empty page: no text")])


# --- encodings ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "title", "body"),
    [
        ("gb18030", "公安部通报打击电信网络诈骗犯罪成效", NEWS_LONG),
        ("gb18030", "公安部召开新闻发布会", NEWS_SHORT),
        ("gbk", "公安部召开新闻发布会", NEWS_SHORT),
        ("big5", "公安部通報打擊電信網絡詐騙犯罪成效", NEWS_LONG_TW),
        ("big5", "公安部召開新聞發佈會", NEWS_SHORT_TW),
        ("utf-8", "公安部召开新闻发布会", NEWS_SHORT),
        ("utf-8-sig", "公安部召开新闻发布会", NEWS_SHORT),
        ("utf-16", "公安部召开新闻发布会", NEWS_SHORT),
    ],
)
def test_text_page_encodings(tmp_path: Path, encoding: str, title: str, body: str) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(f"{title}\r\n\r\n{body}\r\n".encode(encoding))
    [article], problems = load(path)
    assert problems == []
    assert (article.title, article.body) == (title, body)


def test_short_big5_is_not_read_as_gb18030() -> None:
    data = NEWS_SHORT_TW[:40].encode("big5")
    data.decode("gb18030")  # the trap: this "works", into nonsense
    assert decode(data) == NEWS_SHORT_TW[:40]


def test_utf8_with_a_damaged_byte_stays_utf8() -> None:
    data = NEWS_LONG.encode("utf-8")
    damaged = data[:30] + b"\xff" + data[30:]
    text = decode(damaged)
    assert text.count("\ufffd") == 1 and text.replace("\ufffd", "") == NEWS_LONG


def test_binary_file_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(4096))
    assert load(path) == (
        [],
        [Problem(str(path), None, "not a text file", "binary data (control bytes), not text")],
    )


def test_undecodable_bytes_never_crash(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(
        "标题\n\n".encode() + NEWS_SHORT.encode("gb18030") + b"\n" + NEWS_SHORT_TW.encode("big5")
    )
    articles, problems = load(path)
    assert (
        len(articles) + len(problems) >= 1
    )  # whatever is detected, it is an article or a problem, no exception


def test_decode_rejects_nothing_silently() -> None:
    with pytest.raises(LoadError) as caught:
        decode(b"\x00\x01\x02\x03" * 100)
    assert caught.value.reason == "not a text file"


# --- JSON Lines and JSON ------------------------------------------------------------------------------------------


def test_jsonl_bad_line_in_the_middle(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"id": "a1", "title": "第一条", "body": "正文一"},
            '{"id": "a2", "title": "坏',
            {"id": "a3", "title": "第三条"},
        ],
    )
    articles, problems = load(path)
    assert [(a.id, a.line) for a in articles] == [("a1", 1), ("a3", 3)]
    assert [(p.line, p.reason) for p in problems] == [(2, "bad JSON")]
    assert str(problems[0]).startswith(f"{path}:2: bad JSON: ")


def test_jsonl_fields_and_aliases(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {
                "id": 42,
                "title": "  江城地铁5号线开通  ",
                "content": "\n第一段。\n\n\n  第二段。\r\n第三段。  \n",
                "url": "https://example.cn/1",
                "source": "江城日报",
                "author": "李晓明",
                "category": "城市",
                "date": "2025-03-06 14:15",
                "keywords": "地铁，交通、江城,地铁",
                "tags": ["轨道交通"],
            },
            {"title": "标题二", "text": "正文二", "publish_time": 1741241700},
            {"title": "标题三", "body": "正文三", "pubdate": "2025年3月6日 下午2:15", "tags": "甲,乙"},
            {"title": "标题四", "body": ["段一", "段二"], "published": "2025-03-06"},
        ],
    )
    [first, second, third, fourth], problems = load(path)
    assert problems == []
    assert first == Article(
        id="42",
        title="江城地铁5号线开通",
        body="第一段。\n第二段。\n第三段。",
        url="https://example.cn/1",
        source="江城日报",
        author="李晓明",
        category="城市",
        published=cst(2025, 3, 6, 14, 15),
        tags=["轨道交通", "地铁", "交通", "江城"],
        path=str(path),
        line=1,
    )
    assert (second.body, second.published) == ("正文二", cst(2025, 3, 6, 14, 15))
    assert (third.published, third.tags) == (cst(2025, 3, 6, 14, 15), ["甲", "乙"])
    assert (fourth.body, fourth.published) == ("段一\n段二", date(2025, 3, 6))


def test_jsonl_missing_id_is_derived_and_stable(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"title": "有链接", "body": "正文", "url": "https://example.cn/x"},
            {"title": "无链接", "body": "正文", "id": ""},
        ],
    )
    first_load, _ = load(path)
    assert [a.id for a in first_load] == [
        make_id(url="https://example.cn/x"),
        make_id(title="无链接", body="正文"),
    ]
    assert [a.id for a in load(path)[0]] == [a.id for a in first_load]


@pytest.mark.parametrize(
    ("record", "reason", "message"),
    [
        (
            {"id": "x", "url": "https://example.cn"},
            "missing title and body",
            "record has neither a title nor a body",
        ),
        ({"title": " ", "body": "\n"}, "missing title and body", "record has neither a title nor a body"),
        ({"title": {"zh": "t"}}, "bad field", "field 'title' has an unusable value {'zh': 't'}"),
        ({"title": "t", "id": [1]}, "bad field", "field 'id' has an unusable value [1]"),
        ({"title": "t", "tags": 5}, "bad field", "field 'tags' has an unusable value 5"),
    ],
)
def test_jsonl_bad_records(tmp_path: Path, record: dict, reason: str, message: str) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [record, {"title": "下一条"}])
    articles, problems = load(path)
    assert [a.title for a in articles] == ["下一条"]
    assert problems == [Problem(str(path), 1, reason, message)]


@pytest.mark.parametrize("raw", ["昨天下午", "2025-02-30"])
def test_jsonl_bad_date_is_dropped_with_a_note(tmp_path: Path, raw: str) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{"title": "t", "date": raw}])
    articles, problems = load(path)
    assert problems == []
    assert [(a.title, a.published, a.notes) for a in articles] == [
        ("t", None, [("unparseable date", f"unparseable date {raw!r}: indexed without a date")])
    ]


@pytest.mark.parametrize(
    ("name", "text", "titles", "bodies"),
    [
        # JSON Lines: a lone high half, a lone low half; a whole pair (an emoji) is kept
        (
            "a.jsonl",
            '{"id": "s1", "title": "诈\\ud800骗", "body": "正文"}\n{"id": "s2", "title": "好\\uDC00", "body": "\\ud83d\\ude00"}\n',
            ["诈\ufffd骗", "好\ufffd"],
            ["正文", "\U0001f600"],
        ),
        (
            "b.json",
            '[{"id": "s3", "title": "标题", "tags": ["\\udfff"], "body": "正\\uDBFF文"}]',
            ["标题"],
            ["正\ufffd文"],
        ),
        ("c.jsonl", '{"id": "s4", "title": "\\ud83d\\ude00", "body": "x"}\n', ["\U0001f600"], ["x"]),
    ],
)
def test_json_lone_surrogates_are_replaced_with_a_note(
    tmp_path: Path, name: str, text: str, titles: list[str], bodies: list[str]
) -> None:
    """A \\uD800-\\uDFFF escape without its pair decodes to text no UTF-8 file can hold (hashing or storing it
    fails): it is replaced by U+FFFD and the article is noted (a warning naming the file and line)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    articles, problems = load(path)
    assert problems == []
    assert [a.title for a in articles] == titles and [a.body for a in articles] == bodies
    noted = [[LONE_SURROGATE_NOTE]] if name != "c.jsonl" else [[]]  # a whole pair is no problem
    assert [a.notes for a in articles] == noted * len(articles)
    for a in articles:
        a.content_hash()  # every text encodes


def test_jsonl_non_objects_and_blank_lines(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", ["[1, 2]", "", "   ", '"text"', "null", {"title": "ok"}])
    articles, problems = load(path)
    assert [a.line for a in articles] == [6]
    assert [(p.line, p.reason) for p in problems] == [
        (1, "not an object"),
        (4, "not an object"),
        (5, "not an object"),
    ]


def test_deeply_nested_json(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = write_jsonl(tmp_path / "a.jsonl", [deep, '{"title": "t", "body": ' + deep + "}", {"title": "ok"}])
    articles, problems = load(path)
    assert [a.title for a in articles] == ["ok"]
    assert [(p.line, p.reason) for p in problems] == [(1, "too deeply nested"), (2, "too deeply nested")]
    whole = tmp_path / "deep.json"
    whole.write_text(deep, encoding="utf-8")
    assert [p.reason for p in load(whole)[1]] == ["too deeply nested"]


def test_jsonl_gz(tmp_path: Path) -> None:
    records = [
        {"id": f"n{i}", "title": f"标题{i}", "body": NEWS_SHORT, "date": "2012-07-01 19:00:00"}
        for i in range(3)
    ]
    path = tmp_path / "a.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    articles, problems = load(path)
    assert problems == []
    assert [(a.id, a.line, a.published) for a in articles] == [
        (f"n{i}", i + 1, cst(2012, 7, 1, 19)) for i in range(3)
    ]


def test_truncated_gz_keeps_what_was_read(tmp_path: Path) -> None:
    lines = "".join(
        json.dumps({"id": f"n{i}", "title": NEWS_LONG[: 20 + i % 50]}) + "\n" for i in range(2000)
    )
    data = gzip.compress(lines.encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    articles, problems = load(path)
    assert 0 < len(articles) < 2000
    assert problems[-1].reason == "corrupt gzip"
    assert all(p.reason in ("bad JSON", "corrupt gzip") for p in problems)


def test_not_gzip_at_all(tmp_path: Path) -> None:
    path = tmp_path / "fake.jsonl.gz"
    path.write_text('{"title": "t"}\n', encoding="utf-8")
    assert [p.reason for p in load(path)[1]] == ["corrupt gzip"]


def test_json_object_and_array(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(
        json.dumps({"id": "o", "title": "单篇", "body": "正文"}, ensure_ascii=False), encoding="utf-8"
    )
    assert [(a.id, a.line) for a in load(one)[0]] == [("o", 1)]
    many = tmp_path / "many.json"
    many.write_text(
        json.dumps([{"title": "一"}, 7, {"body": "三"}, {}], ensure_ascii=False, indent=2), encoding="utf-8"
    )
    articles, problems = load(many)
    assert [(a.title, a.body, a.line) for a in articles] == [("一", "", 1), ("", "三", 3)]
    assert [(p.line, p.reason) for p in problems] == [(2, "not an object"), (4, "missing title and body")]


def test_json_scalar_bad_and_jsonl_content(tmp_path: Path) -> None:
    scalar = tmp_path / "scalar.json"
    scalar.write_text('"just text"', encoding="utf-8")
    assert [p.reason for p in load(scalar)[1]] == ["not an object"]
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "title": "t",\n  oops\n}', encoding="utf-8")
    assert [(p.line, p.reason) for p in load(bad)[1]] == [(3, "bad JSON")]
    lines = tmp_path / "lines.json"
    lines.write_text('{"title": "a"}\n{"title": "b"}\n', encoding="utf-8")
    assert [(a.title, a.line) for a in load(lines)[0]] == [("a", 1), ("b", 2)]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "big5"])
def test_json_encodings(tmp_path: Path, encoding: str) -> None:
    text = NEWS_LONG_TW if encoding == "big5" else NEWS_LONG
    records = [{"title": text[:12], "body": text}, {"title": text[12:30], "body": text[::-1]}]
    path = tmp_path / "a.jsonl"
    path.write_bytes("\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode(encoding))
    articles, problems = load(path)
    assert problems == []
    assert [(a.title, a.body) for a in articles] == [(r["title"], r["body"]) for r in records]


def test_huge_body_loads(tmp_path: Path) -> None:
    paragraph = NEWS_LONG * 20  # ~4,500 characters
    body = "\n\n".join([paragraph] * 4_000)  # ~18 M characters, ~51 MB of UTF-8
    jsonl = tmp_path / "big.jsonl"
    jsonl.write_text(json.dumps({"title": "大", "body": body}, ensure_ascii=False), encoding="utf-8")
    page = tmp_path / "big.txt"
    page.write_text("大\n\n" + body + "\n\n来源：江城日报\n", encoding="utf-8")
    assert jsonl.stat().st_size > 50_000_000
    started = time.perf_counter()
    [from_json], json_problems = load(jsonl)
    [from_page], page_problems = load(page)
    assert time.perf_counter() - started < 10
    assert json_problems == page_problems == []
    assert from_json.body == from_page.body == body.replace("\n\n", "\n")
    assert from_page.source == "江城日报"


# --- HTML -----------------------------------------------------------------------------------------------------------

HTML_PAGE = FIXTURES / "news_page.html"


def test_html_news_page() -> None:
    [article], problems = load(HTML_PAGE)
    assert problems == []
    assert article.title == "江城地铁5号线今日开通运营"
    assert article.url == "https://news.example.cn/city/2025/0306/5-line.html"
    assert article.source == "江城日报网"
    assert article.author == "李晓明"
    assert article.category == "城市"
    assert article.tags == ["地铁", "交通"]
    assert article.published == datetime(2025, 3, 6, 14, 15, tzinfo=timezone(timedelta(hours=8)))
    assert article.id == make_id(url=article.url)
    assert (article.path, article.line, article.partial) == (str(HTML_PAGE), 0, False)
    paragraphs = article.body.split("\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("本报讯（记者 李晓明）3月6日上午10时")
    assert paragraphs[-1].endswith("现在坐地铁直达，方便多了。”")
    for furniture in [
        "首页",
        "热门新闻",
        "春季招聘会",
        "版权所有",
        "027-12345678",
        "来源：",
        "江城地铁5号线今日开通运营",
    ]:
        assert furniture not in article.body, furniture


def test_html_date_from_the_page_text_and_gbk(tmp_path: Path) -> None:
    html = HTML_PAGE.read_text(encoding="utf-8")
    html = html.replace('<meta property="article:published_time" content="2025-03-06T14:15:00+08:00">', "")
    html = html.replace("/2025/0306/", "/a/").replace('charset="utf-8"', 'charset="gbk"')
    path = tmp_path / "page.htm"
    path.write_bytes(html.encode("gb18030"))  # declared as GBK, its subset: "©" is only in GB18030
    [article], problems = load(path)
    assert problems == []
    assert article.published == cst(2025, 3, 6, 14, 15)  # read from "2025年3月6日 下午2:15 来源：…"
    assert article.title == "江城地铁5号线今日开通运营"
    assert "西部新城" in article.body


def test_short_xhtml_page_with_metadata_block(tmp_path: Path) -> None:
    path = tmp_path / "brief.html"
    path.write_bytes(
        '<?xml version="1.0" encoding="gb2312"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        "<title>短讯</title></head><body><div class='info'>发布时间：2025-03-06 09:10 作者：张三</div>"
        "<p>江城今天举行春季植树活动，三千多名市民参加。</p><p>（责任编辑：李四）</p></body></html>".encode(
            "gb18030"
        )
    )
    [article], problems = load(path)
    assert problems == []
    assert (article.title, article.body) == ("短讯", "江城今天举行春季植树活动，三千多名市民参加。")
    assert (article.author, article.published) == ("张三", cst(2025, 3, 6, 9, 10))


@pytest.mark.parametrize(
    "html", ["", "<html><head><title>空</title></head><body><nav>首页</nav></body></html>"]
)
def test_html_without_text(tmp_path: Path, html: str) -> None:
    path = tmp_path / "empty.html"
    path.write_text(html, encoding="utf-8")
    [problem] = load(path)[1]
    assert problem.reason == "no article text"


# --- finding files --------------------------------------------------------------------------------------------------


def make_tree(root: Path) -> None:
    for name in ["b/2.txt", "b/1.json", "a.jsonl", "c/d/deep.html", "c/x.htm", "c/y.jsonl.gz", "UPPER.TXT"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("t", encoding="utf-8")
    for name in ["notes.md", "b/data.csv", ".hidden/skip.txt", "b/.skip.txt", "c/archive.tar.gz"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("t", encoding="utf-8")


def test_iter_source_files_order_and_filter(tmp_path: Path) -> None:
    make_tree(tmp_path)
    found = list(iter_source_files([tmp_path]))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "UPPER.TXT",
        "a.jsonl",
        "b/1.json",
        "b/2.txt",
        "c/d/deep.html",
        "c/x.htm",
        "c/y.jsonl.gz",
    ]
    assert list(iter_source_files([str(tmp_path)])) == found


def test_iter_source_files_each_file_once(tmp_path: Path) -> None:
    make_tree(tmp_path)
    (tmp_path / "link.txt").symlink_to(tmp_path / "b" / "2.txt")
    (tmp_path / "b" / "again").symlink_to(tmp_path / "c")
    found = list(
        iter_source_files([tmp_path / "b" / "2.txt", tmp_path, tmp_path / "c", tmp_path / "a.jsonl"])
    )
    names = [p.relative_to(tmp_path).as_posix() for p in found]
    assert names == ["b/2.txt", "UPPER.TXT", "a.jsonl", "b/1.json", "b/again/d/deep.html", "b/again/x.htm",
                     "b/again/y.jsonl.gz"]  # fmt: skip


def test_iter_source_files_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "a" / "sub").mkdir(parents=True)
    (tmp_path / "a" / "sub" / "x.txt").write_text("t", encoding="utf-8")
    (tmp_path / "a" / "sub" / "up").symlink_to(tmp_path / "a")  # a directory cycle
    (tmp_path / "a" / "self.txt").symlink_to(tmp_path / "a" / "self.txt")  # a link to itself
    (tmp_path / "a" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")  # dangling
    (tmp_path / "a" / "gone.md").symlink_to(tmp_path / "nowhere.md")  # dangling, and ignored anyway
    (tmp_path / "a" / "z.json").write_text("t", encoding="utf-8")
    found = list(iter_source_files([tmp_path / "a", tmp_path / "a" / "self.txt"]))
    summary = [
        (item.reason, Path(item.path).relative_to(tmp_path).as_posix())
        if isinstance(item, Problem)
        else item.relative_to(tmp_path).as_posix()
        for item in found
    ]
    assert summary == [
        ("not found", "a/gone.txt"),
        ("symlink loop", "a/self.txt"),
        ("symlink loop", "a/sub/up"),
        "a/sub/x.txt",
        "a/z.json",
        ("symlink loop", "a/self.txt"),
    ]
    assert str(found[0]) == f"{tmp_path / 'a' / 'gone.txt'}: broken symbolic link"


def test_iter_source_files_missing_and_unsupported(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("t", encoding="utf-8")
    (tmp_path / "ok.txt").write_text("t", encoding="utf-8")
    found = list(iter_source_files([tmp_path / "nope", tmp_path / "notes.md", tmp_path / "ok.txt"]))
    assert found == [
        Problem(str(tmp_path / "nope"), None, "not found", "no such file or directory"),
        Problem(
            str(tmp_path / "notes.md"),
            None,
            "unsupported file type",
            f"not one of {', '.join(SUPPORTED_SUFFIXES)}",
        ),
        tmp_path / "ok.txt",
    ]
    assert str(found[0]) == f"{tmp_path / 'nope'}: no such file or directory"


def test_iter_source_files_unreadable_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path)
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        if Path(path) == tmp_path / "b":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = list(iter_source_files([tmp_path]))
    assert (
        Problem(
            str(tmp_path / "b"), None, "unreadable directory", "cannot list the directory: Permission denied"
        )
        in found
    )
    assert tmp_path / "c" / "x.htm" in found  # the walk goes on


def test_iter_source_files_skips_pipes(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block forever
    os.mkfifo(tmp_path / "pipe.md")
    (tmp_path / "z.txt").write_text("t", encoding="utf-8")
    assert list(iter_source_files([tmp_path])) == [
        Problem(
            str(tmp_path / "pipe.txt"),
            None,
            "not a regular file",
            "not a regular file (a device, pipe or socket)",
        ),
        tmp_path / "z.txt",
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file_and_directory(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text("t", encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("t", encoding="utf-8")
    locked.chmod(0)
    page.chmod(0)
    try:
        assert [p.reason for p in iter_source_files([locked]) if isinstance(p, Problem)] == [
            "unreadable directory"
        ]
        assert [p.reason for p in load(page)[1]] == ["unreadable file"]
    finally:
        locked.chmod(0o755)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "page.txt"
    page.write_text("t", encoding="utf-8")

    def read_bytes(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert load(page) == (
        [],
        [Problem(str(page), None, "unreadable file", "cannot read the file: Permission denied")],
    )


# --- load_file dispatch -------------------------------------------------------------------------------------------


def test_load_file_dispatch(tmp_path: Path) -> None:
    for name in ["a.JSONL", "b.Json", "c.TXT"]:
        (tmp_path / name).write_text('{"title": "t"}' if "j" in name.lower() else "t", encoding="utf-8")
        assert [a.title for a in load(tmp_path / name)[0]] == ["t"]
    shutil.copy(HTML_PAGE, tmp_path / "d.HTM")
    assert len(load(tmp_path / "d.HTM")[0]) == 1
    assert load(tmp_path / "e.md") == ([], [Problem(str(tmp_path / "e.md"), None, "unsupported file type",
                                                    f"not one of {', '.join(SUPPORTED_SUFFIXES)}")])  # fmt: skip
    assert [p.reason for p in load(tmp_path / "missing.txt")[1]] == ["not found"]


def test_loader_bug_is_reported_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import indexer.ingest.loaders.textpage as textpage

    def broken(text: str, path: str = "", name: str = ""):
        raise KeyError("oops")
        yield  # pragma: no cover

    monkeypatch.setattr(textpage, "parse_text_page", broken)
    path = tmp_path / "a.txt"
    path.write_text("t", encoding="utf-8")
    assert load(path) == ([], [Problem(str(path), None, "loader error", "unexpected KeyError: 'oops'")])


def test_problem_str() -> None:
    assert (
        str(Problem("a.jsonl", 3, "bad JSON", "bad JSON: Expecting value"))
        == "a.jsonl:3: bad JSON: Expecting value"
    )
    assert str(Problem("a.txt", None, "not found", "no such file")) == "a.txt: no such file"


# --- the real corpus (in ../shared, absent from a user's clone) ----------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not XWLB.exists(), reason="../shared corpora not present")
def test_xwlb_corpus_loads() -> None:
    started = time.perf_counter()
    articles = problems = dates = 0
    for item in load_file(XWLB):
        if isinstance(item, Problem):
            problems += 1
        else:
            articles += 1
            dates += item.published is not None
    elapsed = time.perf_counter() - started
    assert (articles, problems, dates) == (75_458, 0, 75_458)
    assert elapsed < 15, f"{elapsed:.1f} s"
