"""``SearchRequest``: the parameters of one search, checked once.

The web layer, the command line and :meth:`search.Searcher.search` share it: whoever reads the parameters
(a query string, click options, keyword arguments) builds one, and every check of a page number, a page size,
a sort order or a date range is made here, with the message the user sees. A request is immutable and
hashable: with the index version and the synonyms' it is the key of the result cache.

Errors name the parameter they are about (``param``, the Python name) and carry a stable ``code``; the web
layer shows them under its own parameter names (``from``/``to``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from indexer.articles import CHINA_TZ
from indexer.normalize import without_lone_surrogates
from search.errors import InvalidParameterError, PageOutOfRangeError, QueryTooLongError
from search.query import MAX_QUERY_CHARS, normalize_query, period_bounds

#: Sort orders, in the order the search form lists them.
SORTS = ("relevance", "fresh", "newest", "oldest")
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 50
#: Results beyond this rank are not served.
MAX_RESULTS = 1000

#: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``, ASCII digits, nothing around them (what the OpenAPI document says).
_DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


def last_page(per_page: int) -> int:
    """The page that holds the last result that can be viewed at ``per_page`` a page."""
    return -(-MAX_RESULTS // per_page)


def parse_day(value: date | datetime | str | None, param: str, *, end: bool = False) -> date | None:
    """A date bound: a ``date``, a ``datetime`` (its day in China's time zone), or text ``2024-03-05``,
    ``2024-03`` or ``2024`` (the first day of that span, or with ``end`` the last); None or empty: no bound."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return (value.astimezone(CHINA_TZ) if value.tzinfo is not None else value).date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise InvalidParameterError(
            f"expected a date like 2024-01-31, got {value!r}", param=param, code="bad_date"
        )
    m = _DATE_RE.fullmatch(value)
    if not m:
        raise InvalidParameterError(
            f"expected a date like 2024-01-31, got {value[:40]!r}", param=param, code="bad_date"
        )
    month, day = m.group(2), m.group(3)
    try:  # the calendar of date: in a query
        first, last = period_bounds(int(m.group(1)), int(month) if month else None, int(day) if day else None)
    except ValueError:
        raise InvalidParameterError(
            f"{value[:40]!r} is not a calendar date", param=param, code="bad_date"
        ) from None
    return last if end else first


def _whole(value: object, param: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PageOutOfRangeError(
            f"expected a whole number, got {value!r}", param=param, code="bad_parameter"
        )
    return value


def _names(value: str | tuple[str, ...] | list[str] | frozenset[str] | None) -> tuple[str, ...]:
    """Filter values as a tuple, a lone string as one value, repeats left out (first one kept)."""
    if value is None:
        return ()
    values = (value,) if isinstance(value, str) else tuple(value)
    return tuple(dict.fromkeys(without_lone_surrogates(v) for v in values if v))


@dataclass(frozen=True)
class SearchRequest:
    """One search, checked (see the module docs). Build it with keyword arguments; every check is made then.

    ``date_from``/``date_to`` take dates or text (``2024``, ``2024-03``, ``2024-03-05``: the first day of
    ``date_from``'s span, the last of ``date_to``'s). With ``empty_range``, ``date_from`` after ``date_to``
    is allowed and means no day (a feed answers it with no entries); otherwise it is an error.
    """

    q: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = "relevance"
    date_from: date | None = None
    date_to: date | None = None
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    #: False: the words searched as typed, no pinyin or sound-alike suggestion (:mod:`search.spelling`)
    spellcheck: bool = True
    #: False: every copy of a story is its own result (:mod:`search.collapse`)
    collapse: bool = True
    empty_range: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        q = without_lone_surrogates(
            "" if self.q is None else str(self.q)
        )  # a command line's undecodable bytes
        if len(q.strip()) > MAX_QUERY_CHARS:
            raise QueryTooLongError(
                f"the query is {len(q.strip())} characters long; at most {MAX_QUERY_CHARS} characters are allowed",
                param="q",
                code="query_too_long",
            )
        per_page = _whole(self.per_page, "per_page")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise PageOutOfRangeError(
                f"must be between 1 and {MAX_PER_PAGE}, got {per_page}",
                param="per_page",
                code="bad_parameter",
            )
        page, last = _whole(self.page, "page"), last_page(per_page)
        if not 1 <= page <= last:
            raise PageOutOfRangeError(
                f"only the first {MAX_RESULTS:,} results can be viewed, on pages 1 to {last} "
                f"at {per_page} per page; got {page}",
                param="page",
                code="page_out_of_range",
            )
        if self.sort not in SORTS:
            raise InvalidParameterError(
                f"expected one of {', '.join(SORTS)}, got {str(self.sort)[:40]!r}",
                param="sort",
                code="bad_parameter",
            )
        d_from = parse_day(self.date_from, "date_from")
        d_to = parse_day(self.date_to, "date_to", end=True)
        if d_from and d_to and d_from > d_to and not self.empty_range:
            raise InvalidParameterError(
                f"the start date {d_from} is after the end date {d_to}",
                param="date_from",
                code="bad_date_range",
            )
        fixed = {"q": q, "date_from": d_from, "date_to": d_to}
        fixed |= {"sources": _names(self.sources), "categories": _names(self.categories)}
        fixed |= {"spellcheck": bool(self.spellcheck), "collapse": bool(self.collapse)}
        for name, value in fixed.items():
            object.__setattr__(self, name, value)

    @property
    def no_days(self) -> bool:
        """``date_from`` after ``date_to`` (allowed with ``empty_range``): no day is in the range."""
        return bool(self.date_from and self.date_to and self.date_from > self.date_to)

    @property
    def first(self) -> int:
        """The rank (from 0) of the page's first result."""
        return (self.page - 1) * self.per_page

    @property
    def keep(self) -> int:
        """How many of the best results the page needs ranked."""
        return min(self.page * self.per_page, MAX_RESULTS)

    def cache_key(self) -> tuple[Any, ...]:
        """What tells two requests' pages apart for one index and synonyms table: the query as parsed (its
        normalized form) and every other parameter (filter values as sets)."""
        return (
            normalize_query(self.q),
            self.page,
            self.per_page,
            self.sort,
            self.date_from,
            self.date_to,
            frozenset(self.sources),
            frozenset(self.categories),
            self.spellcheck,
            self.collapse,
        )

    def but(self, **changes: Any) -> SearchRequest:
        """This request with ``changes`` applied (checked again)."""
        return replace(self, **changes)
