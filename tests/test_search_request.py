"""``SearchRequest``: every parameter checked once, with the message, parameter and code the user sees."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from search import InvalidParameterError, PageOutOfRangeError, QueryTooLongError, SearchRequest
from search.request import last_page, parse_day


@pytest.mark.parametrize(
    ("kwargs", "field", "expected"),
    [
        ({"date_from": "2024"}, "date_from", date(2024, 1, 1)),
        ({"date_to": "2024"}, "date_to", date(2024, 12, 31)),
        ({"date_from": "2024-02"}, "date_from", date(2024, 2, 1)),
        ({"date_to": "2024-02"}, "date_to", date(2024, 2, 29)),
        ({"date_to": "2023-02-28"}, "date_to", date(2023, 2, 28)),
        ({"date_from": ""}, "date_from", None),
        # a moment is the day it is in China: 2024-03-04 20:00 UTC is 03-05 04:00 in Beijing
        ({"date_from": datetime(2024, 3, 4, 20, tzinfo=UTC)}, "date_from", date(2024, 3, 5)),
        ({"date_from": datetime(2024, 3, 4, 20)}, "date_from", date(2024, 3, 4)),  # naive: as it is
        ({"sources": "新华社"}, "sources", ("新华社",)),  # one value
        ({"sources": ["新华社", "", "人民日报", "新华社"]}, "sources", ("新华社", "人民日报")),
        ({"categories": None}, "categories", ()),
        ({"q": None}, "q", ""),
        ({"q": "\udcff\udcfe诈骗"}, "q", "\ufffd\ufffd诈骗"),  # undecodable bytes of a command line
        ({"sources": ["新华\ud800社"]}, "sources", ("新华\ufffd社",)),
        ({"spellcheck": 0}, "spellcheck", False),
    ],
)
def test_values_as_checked(kwargs: dict[str, object], field: str, expected: object) -> None:
    assert getattr(SearchRequest(**kwargs), field) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "cls", "param", "code", "message"),
    [
        ({"q": "诈" * 257}, QueryTooLongError, "q", "query_too_long",
         "q: the query is 257 characters long; at most 256 characters are allowed"),
        ({"page": 0}, PageOutOfRangeError, "page", "page_out_of_range",
         "page: only the first 1,000 results can be viewed, on pages 1 to 100 at 10 per page; got 0"),
        ({"page": 21, "per_page": 50}, PageOutOfRangeError, "page", "page_out_of_range",
         "page: only the first 1,000 results can be viewed, on pages 1 to 20 at 50 per page; got 21"),
        ({"page": "2"}, PageOutOfRangeError, "page", "bad_parameter", "page: expected a whole number, got '2'"),
        ({"page": True}, PageOutOfRangeError, "page", "bad_parameter", "page: expected a whole number, got True"),
        ({"per_page": 51}, PageOutOfRangeError, "per_page", "bad_parameter", "per_page: must be between 1 and 50, got 51"),
        ({"sort": "popular"}, InvalidParameterError, "sort", "bad_parameter",
         "sort: expected one of relevance, fresh, newest, oldest, got 'popular'"),
        ({"date_from": "2024-13"}, InvalidParameterError, "date_from", "bad_date",
         "date_from: '2024-13' is not a calendar date"),
        ({"date_to": "yesterday"}, InvalidParameterError, "date_to", "bad_date",
         "date_to: expected a date like 2024-01-31, got 'yesterday'"),
        ({"date_to": "２０２４"}, InvalidParameterError, "date_to", "bad_date",  # full-width digits: not ASCII
         "date_to: expected a date like 2024-01-31, got '２０２４'"),
        ({"date_from": "2024-03", "date_to": "2024-02"}, InvalidParameterError, "date_from", "bad_date_range",
         "date_from: the start date 2024-03-01 is after the end date 2024-02-29"),
    ],
)  # fmt: skip
def test_errors_name_the_parameter(
    kwargs: dict[str, object], cls: type[Exception], param: str, code: str, message: str
) -> None:
    with pytest.raises(cls) as caught:
        SearchRequest(**kwargs)  # type: ignore[arg-type]
    assert (caught.value.param, caught.value.code, str(caught.value)) == (param, code, message)  # type: ignore[attr-defined]


def test_the_last_pages_are_allowed() -> None:
    assert [last_page(n) for n in (1, 10, 30, 50)] == [1000, 100, 34, 20]
    assert SearchRequest(page=34, per_page=30).keep == 1000  # the last page is cut at the 1,000th result
    assert (SearchRequest(page=3, per_page=20).first, SearchRequest(page=3, per_page=20).keep) == (40, 60)


def test_an_empty_range_when_asked_for() -> None:
    request = SearchRequest(date_from="2024-03", date_to="2024-02", empty_range=True)
    assert request.no_days and not SearchRequest(date_from="2024-02", date_to="2024-02").no_days


def test_the_cache_key() -> None:
    a = SearchRequest(q=" 电信诈骗 ", sources=["新华社", "人民日报"], date_from="2024-01")
    b = SearchRequest(
        q="电信诈骗",
        sources=("人民日报", "新华社"),
        date_from=date(2024, 1, 1),
    )
    assert a.cache_key() == b.cache_key()  # the query trimmed, filter values as a set, the same day
    assert a.cache_key() != a.but(page=2).cache_key() != a.but(collapse=False).cache_key()
    assert SearchRequest(q="ＡＢ").cache_key()[0] == "AB"  # NFKC, as the parser reads it
    assert hash(a) == hash(dataclasses.replace(a))


def test_immutable_and_checked_again_when_changed() -> None:
    request = SearchRequest(q="诈骗")
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.page = 2  # type: ignore[misc]
    with pytest.raises(PageOutOfRangeError):
        request.but(page=101)


def test_parse_day_accepts_dates_and_rejects_other_types() -> None:
    day = date(2024, 5, 6)
    assert parse_day(day, "date_from") is day
    assert parse_day(datetime(2024, 5, 6, 23, tzinfo=timezone(timedelta(hours=-5))), "date_to") == date(
        2024, 5, 7
    )
    with pytest.raises(InvalidParameterError, match="date_to: expected a date like 2024-01-31, got 20240506"):
        parse_day(20240506, "date_to")  # type: ignore[arg-type]
