"""Reading request parameters: every bad value becomes a 400 with a precise message, never an exception."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from search import MAX_RESULTS
from search.query import MAX_QUERY_CHARS, period_bounds
from web.errors import bad_parameter

SORTS = ("relevance", "fresh", "newest", "oldest")
MAX_PER_PAGE = 50
DEFAULT_PER_PAGE = 10
#: Longest value accepted for any parameter but ``q`` (a query: :data:`MAX_QUERY_CHARS`, see :func:`parse_query`).
MAX_VALUE_CHARS = 1_000
MAX_FILTER_VALUES = 20

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: What web/openapi.py documents: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``, ASCII digits, nothing around them.
_DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
#: A whole number as the document's ``integer`` allows it: ASCII digits, an optional minus, nothing around.
_INT_RE = re.compile(r"-?[0-9]{1,12}")


def clean_text(value: str) -> str:
    """Drop NUL and other control characters (a tab or newline becomes a space) and trim."""
    return _CONTROL_RE.sub("", value.replace("\t", " ").replace("\n", " ").replace("\r", " ")).strip()


@dataclass
class SearchParams:
    """The parameters of one search, as given (``q`` may be empty on the home page)."""

    q: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = "relevance"
    date_from: date | None = None
    date_to: date | None = None
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    raw_from: str = ""
    raw_to: str = ""
    #: False (``spellcheck=0``): search the words as typed, offer no pinyin or sound-alike suggestion
    spellcheck: bool = True
    #: False (``collapse=0``): every copy of a story is its own result
    collapse: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def empty_range(self) -> bool:
        """``from`` after ``to``: no day is in the range (a feed answers it with no entries)."""
        return bool(self.date_from and self.date_to and self.date_from > self.date_to)

    def engine_kwargs(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "per_page": self.per_page,
            "sort": self.sort,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "sources": self.sources,
            "categories": self.categories,
            "spellcheck": self.spellcheck,
            "collapse": self.collapse,
        }

    def url_args(self, **changes: Any) -> dict[str, Any]:
        """The query-string arguments of this search with ``changes`` applied (defaults left out)."""
        args: dict[str, Any] = {
            "q": self.q,
            "sort": self.sort if self.sort != "relevance" else None,
            "from": self.raw_from or None,
            "to": self.raw_to or None,
            "source": list(self.sources) or None,
            "category": list(self.categories) or None,
            "per_page": self.per_page if self.per_page != DEFAULT_PER_PAGE else None,
            "page": self.page if self.page != 1 else None,
            "spellcheck": None if self.spellcheck else 0,
            "collapse": None if self.collapse else 0,
        }
        args.update(changes)
        return {k: v for k, v in args.items() if v not in (None, "", [], ())}


def _single(args: MultiDict[str, str], name: str) -> str:
    value = args.get(name, "")
    if len(value) > MAX_VALUE_CHARS:
        raise bad_parameter(f"{name}: longer than {MAX_VALUE_CHARS} characters", "value_too_long")
    return value


def parse_query(args: MultiDict[str, str]) -> str:
    """``q`` cleaned (:func:`clean_text`); over :data:`MAX_QUERY_CHARS` characters as sent (the OpenAPI
    document's ``maxLength``): a 400 ``query_too_long``, the engine's one limit and message, whatever the length
    (a query of 300 characters or of 5,000)."""
    raw = args.get("q", "")
    if len(raw) > MAX_QUERY_CHARS:
        raise bad_parameter(
            f"q: the query is {len(raw)} characters long; at most {MAX_QUERY_CHARS} characters are allowed",
            "query_too_long",
        )
    return clean_text(raw)


def _int(args: MultiDict[str, str], name: str, default: int, lo: int, hi: int, code: str) -> int:
    """``name`` as a whole number in ``lo..hi``; absent: ``default``; empty or anything else: a 400."""
    if name not in args:
        return default
    raw = _single(args, name)
    if not _INT_RE.fullmatch(raw):
        raise bad_parameter(f"{name}: expected a whole number, got {raw[:40]!r}")
    value = int(raw)
    if not lo <= value <= hi:
        raise bad_parameter(f"{name}: must be between {lo} and {hi}, got {value}", code)
    return value


def parse_date(raw: str, name: str, *, end: bool) -> date | None:
    """``2024-03-05``; also ``2024-03`` and ``2024`` (the first or, for ``end``, the last day of that span);
    empty: no bound (the search form sends an empty date field so)."""
    text = raw
    if not text:
        return None
    m = _DATE_RE.fullmatch(text)
    if not m:
        raise bad_parameter(f"{name}: expected a date like 2024-01-31, got {text[:40]!r}", "bad_date")
    month, day = m.group(2), m.group(3)
    try:  # the calendar of date: in a query
        first, last = period_bounds(int(m.group(1)), int(month) if month else None, int(day) if day else None)
    except ValueError:
        raise bad_parameter(f"{name}: {text[:40]!r} is not a calendar date", "bad_date") from None
    return last if end else first


def _multi(args: MultiDict[str, str], name: str) -> tuple[str, ...]:
    values = args.getlist(name)
    if len(values) > MAX_FILTER_VALUES:
        raise bad_parameter(f"{name}: at most {MAX_FILTER_VALUES} values")
    out: list[str] = []
    for value in values:
        if len(value) > MAX_VALUE_CHARS:
            raise bad_parameter(f"{name}: longer than {MAX_VALUE_CHARS} characters", "value_too_long")
        text = clean_text(value)
        if text and text not in out:
            out.append(text)
    return tuple(out)


def parse_search(args: MultiDict[str, str], *, require_q: bool, empty_range: bool = False) -> SearchParams:
    """Read and check the search parameters (``q page per_page sort from to source category spellcheck collapse``).
    ``from`` after ``to`` is a 400 ``bad_date_range``, unless ``empty_range`` (the feed: an empty range, no
    entries, as its OpenAPI document allows)."""
    q = parse_query(args)
    if require_q and not q:
        raise bad_parameter("q: a query is required", "missing_query")
    sort = _single(args, "sort") if "sort" in args else "relevance"
    if sort not in SORTS:
        raise bad_parameter(f"sort: expected one of {', '.join(SORTS)}, got {sort[:40]!r}")
    raw_from, raw_to = _single(args, "from"), _single(args, "to")
    per_page = _int(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, "bad_parameter")
    date_from = parse_date(raw_from, "from", end=False)
    date_to = parse_date(raw_to, "to", end=True)
    if date_from and date_to and date_from > date_to and not empty_range:
        raise bad_parameter("from: the start date is after the end date", "bad_date_range")
    return SearchParams(
        q=q,
        page=_page(args, per_page),
        per_page=per_page,
        sort=sort,
        date_from=date_from,
        date_to=date_to,
        sources=_multi(args, "source"),
        categories=_multi(args, "category"),
        raw_from=raw_from,
        raw_to=raw_to,
        spellcheck=_flag(args, "spellcheck", default=True),
        collapse=_flag(args, "collapse", default=True),
    )


def _flag(args: MultiDict[str, str], name: str, *, default: bool) -> bool:
    """A yes/no parameter: ``1``/``true`` or ``0``/``false`` (absent or empty: ``default``)."""
    raw = _single(args, name).lower()
    if raw in ("", "1", "true"):
        return default if raw == "" else True
    if raw in ("0", "false"):
        return False
    raise bad_parameter(f"{name}: expected 0 or 1, got {raw[:40]!r}")


def _page(args: MultiDict[str, str], per_page: int) -> int:
    """``page``: 1 up to the page that holds the last result that can be viewed (the first 1,000)."""
    last = -(-MAX_RESULTS // per_page)
    raw = _single(args, "page")
    if _INT_RE.fullmatch(raw) and not 1 <= int(raw) <= last:
        raise bad_parameter(
            f"page: only the first {MAX_RESULTS:,} results can be viewed, on pages 1 to {last} "
            f"at {per_page} per page; got {int(raw)}",
            "page_out_of_range",
        )
    return _int(args, "page", 1, 1, last, "page_out_of_range")


def parse_limit(args: MultiDict[str, str], name: str, default: int, hi: int) -> int:
    return _int(args, name, default, 1, hi, "bad_parameter")
