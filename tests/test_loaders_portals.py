"""Saved pages from Taiwan and Hong Kong portals (issue 26): dates in traditional characters, news agency datelines."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from indexer.articles import CHINA_TZ, Article, make_stub_id
from indexer.loaders import Problem, load_file
from indexer.loaders.dates import date_in_url, parse_date, parse_dateline, search_date


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
