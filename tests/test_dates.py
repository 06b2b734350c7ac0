"""Date parsing for Chinese news: indexer.ingest.loaders.dates."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.articles import CHINA_TZ
from indexer.ingest.loaders.dates import find_date, parse_date, search_date


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHINA_TZ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Chinese forms, with 上午/下午 and friends
        ("2025年3月6日 下午2:15", cst(2025, 3, 6, 14, 15)),
        ("2025年3月6日 上午11:05", cst(2025, 3, 6, 11, 5)),
        ("2025年3月6日下午2:15", cst(2025, 3, 6, 14, 15)),
        ("2025年3月6日 中午12:30", cst(2025, 3, 6, 12, 30)),
        ("2025年3月6日 中午1:00", cst(2025, 3, 6, 13, 0)),
        ("2025年3月6日 凌晨12:30", cst(2025, 3, 6, 0, 30)),
        ("2025年3月6日 晚上8点", cst(2025, 3, 6, 20, 0)),
        ("2025年3月6日 下午12:10", cst(2025, 3, 6, 12, 10)),
        ("2025年03月06日 14时15分", cst(2025, 3, 6, 14, 15)),
        ("2025年03月06日 14:15:30", cst(2025, 3, 6, 14, 15, 30)),
        ("2025年3月6日 星期四 14:15", cst(2025, 3, 6, 14, 15)),
        ("2025年3月6日", date(2025, 3, 6)),
        ("2025年3月6号", date(2025, 3, 6)),
        ("2025年3月6日（周四）", date(2025, 3, 6)),
        ("二〇二五年三月六日", date(2025, 3, 6)),
        ("二〇二四年十二月三十一日", date(2024, 12, 31)),
        ("２０２５年３月６日", date(2025, 3, 6)),
        # numeric forms
        ("2025-03-06 14:15", cst(2025, 3, 6, 14, 15)),
        ("2012-07-01 19:00:00", cst(2012, 7, 1, 19, 0)),
        ("2025-3-6 9:05", cst(2025, 3, 6, 9, 5)),
        ("2025/3/6", date(2025, 3, 6)),
        ("2025/03/06 14:15", cst(2025, 3, 6, 14, 15)),
        ("2025-03-06", date(2025, 3, 6)),
        ("2025.03.06", date(2025, 3, 6)),
        ("20250306", date(2025, 3, 6)),
        ("20250306141500", cst(2025, 3, 6, 14, 15)),
        ("2025-03-06 2:15 PM", cst(2025, 3, 6, 14, 15)),
        ("  2025-03-06\n", date(2025, 3, 6)),
        # ISO 8601 with offsets keep their offset
        ("2025-03-06T14:15:00+08:00", datetime(2025, 3, 6, 14, 15, tzinfo=timezone(timedelta(hours=8)))),
        ("2025-03-06T14:15:00+0800", datetime(2025, 3, 6, 14, 15, tzinfo=timezone(timedelta(hours=8)))),
        ("2025-03-06T06:15:00Z", datetime(2025, 3, 6, 6, 15, tzinfo=UTC)),
        ("2025-03-06T06:15:00.123Z", datetime(2025, 3, 6, 6, 15, 0, 123000, tzinfo=UTC)),
        ("2025-03-06T14:15:00", cst(2025, 3, 6, 14, 15)),
        ("2025-03-06 14:15 (北京时间)", cst(2025, 3, 6, 14, 15)),
        ("2025/03/06 14:15 GMT+8", datetime(2025, 3, 6, 14, 15, tzinfo=timezone(timedelta(hours=8)))),
        # unix timestamps: seconds and milliseconds, numbers or digit strings
        (1741241700, cst(2025, 3, 6, 14, 15)),
        (1741241700000, cst(2025, 3, 6, 14, 15)),
        (1741241700.5, cst(2025, 3, 6, 14, 15, 0, 500000)),
        ("1741241700", cst(2025, 3, 6, 14, 15)),
        ("1741241700000", cst(2025, 3, 6, 14, 15)),
    ],
)
def test_parse_date(text: object, expected: datetime | date) -> None:
    value = parse_date(text)
    assert value == expected
    assert type(value) is type(expected)  # a day stays a date; a time makes a datetime
    if isinstance(value, datetime):
        assert value.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "bogus",
        "昨天",
        "3小时前",
        "3月6日",  # no year: unknowable
        "2025年",
        "2025-13-01",
        "2025-02-30",
        "2025年3月6日 下午25:00",
        "2025-03/06",
        "0001-01-01",  # junk, and would overflow a UTC conversion
        "9999-12-31",
        "12345",
        None,
        True,
        -5,
        float("nan"),
        float("inf"),
        10**20,
        [2025, 3, 6],
        {"date": "2025-03-06"},
    ],
)
def test_parse_date_rejects(text: object) -> None:
    assert parse_date(text) is None


def test_naive_times_are_china_time() -> None:
    value = parse_date("2025-03-06 14:15")
    assert value.tzinfo is CHINA_TZ
    assert value.astimezone(UTC) == datetime(2025, 3, 6, 6, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("上一篇 2025年3月6日 下午2:15", cst(2025, 3, 6, 14, 15)),
        ("2025-03-09 09:30:00　来源：新华网　作者：王希", cst(2025, 3, 9, 9, 30)),
        ("标题（2025-02-09）", date(2025, 2, 9)),
        ("发布时间：２０２５年３月６日", date(2025, 3, 6)),
        ("2025-13-45 then 2025-03-06", date(2025, 3, 6)),  # an impossible date is skipped, not fatal
        ("截至2024年底,已累计抓获", None),
        ("同比下降25.7%,2024年", None),
        ("电话 12025-03-061", None),  # digits glued to the date: not a date
        ("", None),
    ],
)
def test_find_date(line: str, expected: datetime | date | None) -> None:
    assert find_date(line) == expected


def test_search_date_gives_the_span() -> None:
    line = "江城地铁5号线今日开通运营（2025-03-06）"
    value, start, end = search_date(line)
    assert value == date(2025, 3, 6)
    assert line[start:end] == "2025-03-06"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.integers(), st.floats()))
def test_never_raises(value: object) -> None:
    result = parse_date(value)
    assert result is None or isinstance(result, date)
    if isinstance(value, str):
        assert find_date(value) is None or isinstance(find_date(value), date)


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)))
def test_round_trips_chinese_form(moment: datetime) -> None:
    hour12 = moment.hour % 12 or 12
    marker = "上午" if moment.hour < 12 else "下午"
    text = f"{moment.year}年{moment.month}月{moment.day}日 {marker}{hour12}:{moment.minute:02d}"
    assert parse_date(text) == moment.replace(second=0, microsecond=0, tzinfo=CHINA_TZ)
