"""Saved pages from Taiwan and Hong Kong portals (issue 26): traditional furniture labels, bare-title related lists,
news agency datelines, and such pages in Big5 and GBK/GB18030, read through the normal loader path."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from indexer.articles import CHINA_TZ, Article, make_stub_id
from indexer.ingest.loaders import Problem, load_file
from indexer.ingest.loaders.dates import date_in_url, parse_date, parse_dateline, search_date
from indexer.ingest.loaders.textpage import is_reprint_notice, read_metadata_line


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHINA_TZ)


def load(path: Path) -> tuple[list[Article], list[Problem]]:
    articles: list[Article] = []
    problems: list[Problem] = []
    for item in load_file(path):
        (problems if isinstance(item, Problem) else articles).append(item)
    return articles, problems


def load_page(tmp_path: Path, text: str, encoding: str = "utf-8") -> tuple[Article, list[Article]]:
    path = tmp_path / "page.txt"
    path.write_bytes(text.encode(encoding))
    articles, problems = load(path)
    assert problems == []
    page, *stubs = articles
    assert not page.partial and all(stub.partial for stub in stubs)
    return page, stubs


def stub_rows(stubs: list[Article]) -> list[tuple[str, date | None, str, int]]:
    for stub in stubs:
        assert stub.id == make_stub_id(stub.title, stub.published)
    return [(s.title, s.published, s.body, s.line) for s in stubs]  # type: ignore[misc]


# --- dates in traditional characters, datelines ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年10月1日 下午2時15分", cst(2024, 10, 1, 14, 15)),
        ("2024年10月1日 晚間8點", cst(2024, 10, 1, 20, 0)),
        ("2024年10月1日 午後3時", cst(2024, 10, 1, 15, 0)),
        ("2024年10月1日（週二）", date(2024, 10, 1)),
        ("2024年10月1號", date(2024, 10, 1)),
        ("2024/10/01 14:15 (北京時間)", cst(2024, 10, 1, 14, 15)),
    ],
)
def test_traditional_date_forms(text: str, expected: datetime | date) -> None:
    assert parse_date(text) == expected
    found = search_date(f"發佈時間：{text} 來源：聯合報")
    assert found is not None and found[0] == expected and found[1] == 5


@pytest.mark.parametrize(
    ("line", "near", "expected"),
    [
        ("新华社北京2025年4月12日电（记者 张三）国务院新闻办公室12日发布……", None, date(2025, 4, 12)),
        ("中央社記者陳怡君台北2024年10月1日電）立法院今天三讀通過……", None, date(2024, 10, 1)),
        ("（中央社記者陳怡君台北2024年10月1日電）立法院今天三讀通過……", None, date(2024, 10, 1)),
        ("中新社香港2024年9月3日電 香港特區政府今日公布……", None, date(2024, 9, 3)),
        ("新华社记者张三、李四北京2025年4月12日电", None, date(2025, 4, 12)),
        ("据新华社华盛顿2025年3月5日电 美国……", None, date(2025, 3, 5)),
        ("央视网北京2025年3月5日消息 今天……", None, date(2025, 3, 5)),
        ("本报北京2025年3月5日讯（记者 王五）", None, date(2025, 3, 5)),
        ("中新网２０２５年３月５日电", None, date(2025, 3, 5)),
        # no year in the dateline: undated, unless another date of the page lies within two months
        ("（记者 张三）人民网北京3月5日电 全国两会……", None, None),
        ("（记者 张三）人民网北京3月5日电 全国两会……", date(2025, 3, 7), date(2025, 3, 5)),
        ("人民網北京3月5日電", cst(2025, 3, 4, 9, 0), date(2025, 3, 5)),
        ("新华社北京12月31日电", date(2026, 1, 2), date(2025, 12, 31)),
        ("人民网北京3月5日电", date(2025, 9, 1), None),
        # no dateline
        ("本報訊 立法院今天……", date(2025, 3, 7), None),
        ("本报讯（记者 李四）3月5日，江城召开……", date(2025, 3, 7), None),
        ("央视网消息（新闻联播）：今天……", date(2025, 3, 7), None),
        ("2025年3月5日，公安部召开新闻发布会。", None, None),
        ("公安部新闻发言人张明2025年3月5日电话采访时表示", None, None),
        ("新华社北京2025年2月30日电", None, None),
        ("国务院新闻办公室12日发布，新华社北京2025年4月12日电", None, None),  # not at the start
    ],
)
def test_parse_dateline(line: str, near: date | None, expected: date | None) -> None:
    assert parse_dateline(line, near) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://politics.people.com.cn/n1/2025/0305/c1001-40432.html", date(2025, 3, 5)),
        ("https://www.news.cn/politics/20250412/3f2a/c.html", date(2025, 4, 12)),
        ("http://www.xinhuanet.com/2025-03/05/c_1130.htm", date(2025, 3, 5)),
        ("https://www.rmltwz.com/shangye/32386.html", None),
        ("https://example.cn/a/20251399.html", None),
    ],
)
def test_date_in_url(url: str, expected: date | None) -> None:
    assert date_in_url(url) == expected


# --- furniture labels in traditional characters ------------------------------------------------------------------

TW_BODY = [
    "立法院今天三讀通過食品安全衛生管理法部分條文修正案，加重違規業者罰則。",
    "衛福部表示，新法將於公布後三個月施行，並將加強邊境查驗。",
]
TW_STUBS = [
    ("食藥署公布最新抽驗結果", date(2024, 9, 30), "", 18),
    ("颱風假怎麼放？各縣市標準一次看", date(2024, 9, 29), "", 19),
]


@pytest.mark.parametrize(
    ("date_label", "source_label", "author_label", "related", "neighbour"),
    [
        ("發布時間", "來源", "記者", "相關推薦", "上一篇"),
        ("發佈時間", "文章來源", "發佈者", "相關閱讀", "上一則"),
        ("發表時間", "稿件來源", "發布者", "延伸閱讀", "上一篇"),
        ("發佈於", "新聞來源", "作者", "你可能會喜歡", "上篇"),
    ],
)
def test_traditional_labels(
    tmp_path: Path, date_label: str, source_label: str, author_label: str, related: str, neighbour: str
) -> None:
    page, stubs = load_page(
        tmp_path,
        "首頁 > 政治 > 正文\n"
        "立法院三讀通過食安法修正案\n"
        f"{date_label}：2024年10月1日 下午2時15分\n"
        f"{source_label}：聯合報　{author_label}：王小明\n"
        "【字級：大 中 小】【列印】【關閉】\n\n"
        f"{TW_BODY[0]}\n\n{TW_BODY[1]}\n\n"
        "轉載請註明出處。\n"
        "【責任編輯：李大同】\n"
        "分享到：臉書 LINE\n"
        f"{neighbour}：颱風山陀兒逼近 氣象署發布海上警報\n"
        "下一篇：股市收盤 加權指數上漲百點\n\n"
        f"{related}\n"
        "• 食藥署公布最新抽驗結果（2024-09-30）\n"
        "• 颱風假怎麼放？各縣市標準一次看 2024-09-29\n\n"
        "發表評論\n請文明發言。\n聯絡我們\n電話：02-1234-5678\n"
        "版權所有 © 2024 聯合新聞網\n",
    )
    assert page.title == "立法院三讀通過食安法修正案"
    assert page.source == "聯合報"  # kept as written; search folds it
    assert page.author == "王小明"
    assert page.published == cst(2024, 10, 1, 14, 15)
    assert page.body == "\n".join(TW_BODY)
    assert stub_rows(stubs) == TW_STUBS


def test_traditional_labels_in_the_footer(tmp_path: Path) -> None:
    """The sample page's layout in traditional characters: source, publisher and date under the body."""
    page, stubs = load_page(
        tmp_path,
        "立法院三讀通過食安法修正案\n\n"
        f"{TW_BODY[0]}\n{TW_BODY[1]}\n"
        "本文轉載請註明出處\n\n"
        "來源:聯合報\n"
        "發佈者：udn編輯台\n"
        "發佈時間：2024年10月1日 14:15\n"
        "原文連結：https://udn.com/news/story/6656/8263\n"
        "平台聲明:該文觀點僅代表作者本人\n"
        "(0)\n"
        "上一篇 2024年9月30日 下午2:15\n"
        "下一篇 2024年10月1日 下午4:24\n\n"
        "相關推薦\n\n"
        "食藥署公布最新抽驗結果\n\n"
        "食藥署今天公布市售蔬果農藥殘留抽驗結果，不合格率……\n\n"
        "2024年9月30日\n"
        "4500\n\n"
        "聯繫我們\n",
    )
    assert (page.title, page.source, page.author) == ("立法院三讀通過食安法修正案", "聯合報", "udn編輯台")
    assert page.url == "https://udn.com/news/story/6656/8263"
    assert page.published == cst(2024, 10, 1, 14, 15)
    assert page.body == "\n".join(TW_BODY)
    assert stub_rows(stubs) == [
        (
            "食藥署公布最新抽驗結果",
            date(2024, 9, 30),
            "食藥署今天公布市售蔬果農藥殘留抽驗結果，不合格率……",
            18,
        )
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "2024年10月1日 下午2時15分 來源：聯合報 作者：王小明",
            ({"source": "聯合報", "author": "王小明"}, cst(2024, 10, 1, 14, 15)),
        ),
        ("欄目：政治　標籤：立法院、食安", ({"category": "政治", "tags": "立法院,食安"}, None)),
        ("記者：請問部長新法何時施行？", None),
    ],
)
def test_read_metadata_line_traditional(line: str, expected: object) -> None:
    assert read_metadata_line(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("轉載請註明出處", True),
        ("【轉載請註明出處】", True),
        ("本文如需轉載，請註明來源。", True),
        ("轉載請註明出處，違者必究，本報保留追究法律責任的權利。", False),
    ],
)
def test_reprint_notice_traditional(line: str, expected: bool) -> None:
    assert is_reprint_notice(line) is expected


# --- related lists of bare titles --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "items", "expected"),
    [
        (
            "相关推荐",
            ["江城地铁5号线今日开通运营", "江城图书馆新馆对外开放", "查看更多>>"],
            [("江城地铁5号线今日开通运营", None, "", 5), ("江城图书馆新馆对外开放", None, "", 6)],
        ),
        (
            "相關推薦：",
            ["颱風山陀兒逼近 氣象署發布海上警報", "股市收盤 加權指數上漲百點", "換一換"],
            [("颱風山陀兒逼近 氣象署發布海上警報", None, "", 5), ("股市收盤 加權指數上漲百點", None, "", 6)],
        ),
        (  # bullets, one line each
            "【相关阅读】",
            ["· 江城地铁5号线今日开通运营", "· 江城图书馆新馆对外开放", "· 更多"],
            [("江城地铁5号线今日开通运营", None, "", 5), ("江城图书馆新馆对外开放", None, "", 6)],
        ),
        (  # a date at the end of each line: the stub's date
            "延伸閱讀",
            ["食藥署公布最新抽驗結果（2024-09-30）", "颱風假怎麼放？各縣市標準一次看 2024/09/29"],
            [
                ("食藥署公布最新抽驗結果", date(2024, 9, 30), "", 5),
                ("颱風假怎麼放？各縣市標準一次看", date(2024, 9, 29), "", 6),
            ],
        ),
        (  # a teaser line goes with the title above it
            "热门推荐",
            ["江城地铁5号线今日开通运营", "3月6日上午，江城地铁5号线正式开通……", "江城图书馆新馆对外开放"],
            [
                ("江城地铁5号线今日开通运营", None, "3月6日上午，江城地铁5号线正式开通……", 5),
                ("江城图书馆新馆对外开放", None, "", 7),
            ],
        ),
    ],
)
def test_related_list_of_bare_titles(
    tmp_path: Path, heading: str, items: list[str], expected: list[tuple[str, date | None, str, int]]
) -> None:
    page, stubs = load_page(tmp_path, "标题\n\n正文。\n" + heading + "\n" + "\n".join(items) + "\n发表回复\n")
    assert (page.title, page.body) == ("标题", "正文。")
    assert stub_rows(stubs) == expected


# --- datelines ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lead", "footer", "expected"),
    [
        ("新华社北京2025年4月12日电（记者 张三）国务院新闻办公室12日发布白皮书。", "", date(2025, 4, 12)),
        ("（中央社記者陳怡君台北2024年10月1日電）立法院今天三讀通過修正案。", "", date(2024, 10, 1)),
        ("中新社香港2024年9月3日電 香港特區政府今日公布零售數字。", "", date(2024, 9, 3)),
        ("（记者 张三）人民网北京3月5日电 全国两会今天开幕。", "", None),
        (  # the year from the url
            "（记者 张三）人民网北京3月5日电 全国两会今天开幕。",
            "原文链接：http://politics.people.com.cn/n1/2025/0305/c1001-40432.html",
            date(2025, 3, 5),
        ),
        (  # the year from the neighbours (which, on different days, give no date themselves)
            "人民网北京3月5日电 全国两会今天开幕。",
            "上一篇 2025-03-04 09:00\n下一篇 2025-03-06 10:00",
            date(2025, 3, 5),
        ),
        ("本報訊 立法院今天三讀通過修正案。", "上一篇 2025-03-04 09:00\n下一篇 2025-03-06 10:00", None),
    ],
)
def test_page_dated_by_its_dateline(tmp_path: Path, lead: str, footer: str, expected: date | None) -> None:
    page, stubs = load_page(tmp_path, f"标题\n\n{lead}\n第二段。\n\n{footer}\n")
    assert (page.title, page.body, stubs) == ("标题", f"{lead}\n第二段。", [])
    assert page.published == expected and type(page.published) is type(expected)


def test_the_page_date_wins_over_the_dateline(tmp_path: Path) -> None:
    page, _ = load_page(tmp_path, "标题\n发布时间：2025-04-13 08:00\n\n新华社北京2025年4月12日电 正文。\n")
    assert page.published == cst(2025, 4, 13, 8, 0)


# --- Big5 and GBK/GB18030 pages ----------------------------------------------------------------------------------

BIG5_PAGE = (
    "立法院三讀通過食安法修正案\n"
    "發佈時間：2024年10月1日 下午2時15分\n"
    "來源：中央社　記者：陳怡君\n\n"
    "（中央社記者陳怡君台北2024年10月1日電）立法院今天三讀通過食品安全衛生管理法部分條文修正案，加重違規業者罰則，"
    "最高可處新台幣2億元罰鍰。\n"
    "衛福部表示，新法將於公布後三個月施行，並將加強邊境查驗，對於屢次違規的進口業者將暫停其輸入許可。\n\n"
    "轉載請註明出處\n"
    "上一則：颱風山陀兒逼近 氣象署發布海上警報\n"
    "下一則：股市收盤 加權指數上漲百點\n\n"
    "相關推薦\n"
    "食藥署公布最新抽驗結果\n"
    "颱風假怎麼放？各縣市標準一次看\n"
    "聯絡我們\n"
)
GBK_PAGE = (
    "江城市今年将新建改造城市公园30个\n\n"
    "新华社江城2025年3月8日电（记者 王希）江城市园林和林业局8日召开新闻发布会，介绍2025年城市绿化工作安排。"
    "今年全市计划新建和改造城市公园30个，新增绿道120公里。\n"
    "据介绍，新建的公园将优先布局在老城区和人口密集的居住片区，重点解决部分社区周边缺少休闲空间的问题。\n\n"
    "来源：新华网\n"
    "发布者：江城在线\n"
    "转载请注明出处\n"
    "上一篇：江城地铁5号线今日开通运营\n"
    "下一篇：江城图书馆新馆对外开放\n\n"
    "相关推荐\n"
    "江城召开春季运动会\n"
    "江城启动老旧小区改造\n"
    "发表回复\n"
)


@pytest.mark.parametrize(
    ("encoding", "text", "title", "source", "author", "published", "body_start", "stub_titles"),
    [
        (
            "big5",
            BIG5_PAGE,
            "立法院三讀通過食安法修正案",
            "中央社",
            "陳怡君",
            cst(2024, 10, 1, 14, 15),
            "（中央社記者陳怡君台北2024年10月1日電）立法院今天三讀通過",
            [("食藥署公布最新抽驗結果", 13), ("颱風假怎麼放？各縣市標準一次看", 14)],
        ),
        (
            "big5",
            BIG5_PAGE.replace("發佈時間：2024年10月1日 下午2時15分\n", ""),
            "立法院三讀通過食安法修正案",
            "中央社",
            "陳怡君",
            date(2024, 10, 1),  # from the dateline
            "（中央社記者陳怡君台北2024年10月1日電）立法院今天三讀通過",
            [("食藥署公布最新抽驗結果", 12), ("颱風假怎麼放？各縣市標準一次看", 13)],
        ),
        (
            "gbk",
            GBK_PAGE,
            "江城市今年将新建改造城市公园30个",
            "新华网",
            "江城在线",
            date(2025, 3, 8),
            "新华社江城2025年3月8日电（记者 王希）江城市园林和林业局8日召开",
            [("江城召开春季运动会", 13), ("江城启动老旧小区改造", 14)],
        ),
        (
            "gb18030",
            GBK_PAGE,
            "江城市今年将新建改造城市公园30个",
            "新华网",
            "江城在线",
            date(2025, 3, 8),
            "新华社江城2025年3月8日电（记者 王希）江城市园林和林业局8日召开",
            [("江城召开春季运动会", 13), ("江城启动老旧小区改造", 14)],
        ),
    ],
)
def test_legacy_encoded_pages(
    tmp_path: Path,
    encoding: str,
    text: str,
    title: str,
    source: str,
    author: str,
    published: datetime | date,
    body_start: str,
    stub_titles: list[tuple[str, int]],
) -> None:
    data = text.encode(encoding)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    page, stubs = load_page(tmp_path, text, encoding)
    assert (page.title, page.source, page.author) == (title, source, author)
    assert page.published == published and type(page.published) is type(published)
    assert page.body.startswith(body_start)
    assert len(page.body.split("\n")) == 2
    for furniture in ("轉載", "转载", "上一", "下一", "來源", "来源", "發佈", "发布者", "聯絡", "发表回复"):
        assert furniture not in page.body, furniture
    assert [(s.title, s.line) for s in stubs] == stub_titles
    assert all((s.body, s.published) == ("", None) for s in stubs)


def test_stubs_of_a_big5_page_are_searchable(tmp_path: Path) -> None:
    """Through the reindex: the bare-title stubs of a Big5 page are found by a simplified query, and so is the
    page by its source written in traditional characters."""
    from indexer.writer import reindex
    from search import Searcher

    src = tmp_path / "pages"
    src.mkdir()
    (src / "page.txt").write_bytes(BIG5_PAGE.encode("big5"))
    index_dir = tmp_path / "index"
    summary = reindex([src], index_dir, jobs=1)
    assert summary.added == 3
    searcher = Searcher(index_dir)
    stub = make_stub_id("食藥署公布最新抽驗結果", None)
    hits = searcher.search("抽验结果", collapse=False).hits
    assert [(h.id, h.title, h.published) for h in hits] == [(stub, "食藥署公布最新抽驗結果", None)]
    hits = searcher.search("台风假", collapse=False).hits
    assert [h.title for h in hits] == ["颱風假怎麼放？各縣市標準一次看"]
    hits = searcher.search("中央社 三读", collapse=False).hits
    assert [(h.title, h.source) for h in hits] == [("立法院三讀通過食安法修正案", "中央社")]


def test_a_traditional_source_label_is_read_and_found_in_either_script(tmp_path: Path) -> None:
    """Through the reindex: 來源：聯合報 of a UTF-8 page is its source, kept as written, and ``source:`` finds it
    typed in either script; the label is not left in the body (issue 26: ``source:联合报`` found nothing)."""
    from indexer.writer import reindex
    from search import Searcher

    src = tmp_path / "pages"
    src.mkdir()
    (src / "tw.txt").write_text(
        "立法院三讀通過食安法修正案\n發布時間：2024年10月1日 下午2時15分\n來源：聯合報　記者：王小明\n\n"
        f"{TW_BODY[0]}\n\n轉載請註明出處。\n上一篇：颱風山陀兒逼近\n下一篇：股市收盤\n",
        encoding="utf-8",
    )
    assert reindex([src], tmp_path / "index", jobs=1).added == 1
    searcher = Searcher(tmp_path / "index")
    for query in ("source:联合报", "source:聯合報", "source:联合报 食安法"):
        hits = searcher.search(query, collapse=False).hits
        assert [(h.title, h.source, h.published) for h in hits] == [
            ("立法院三讀通過食安法修正案", "聯合報", "2024-10-01T14:15:00+08:00")
        ], query
    for furniture in ("来源", "转载", "上一篇"):
        assert searcher.search(furniture, collapse=False).total == 0, furniture
