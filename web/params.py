"""Reading request parameters: every bad value becomes a 400 with a precise message, never an exception."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from werkzeug.datastructures import MultiDict

from search.errors import SearchError
from search.query import MAX_QUERY_CHARS
from search.request import DEFAULT_PER_PAGE, MAX_PER_PAGE, SORTS, SearchRequest, parse_day
from web.errors import bad_parameter

__all__ = ["DEFAULT_PER_PAGE", "MAX_PER_PAGE", "SORTS", "SearchParams", "parse_search"]

#: Longest value accepted for any parameter but ``q`` (a query: :data:`MAX_QUERY_CHARS`, see :func:`parse_query`).
MAX_VALUE_CHARS = 1_000
MAX_FILTER_VALUES = 20
#: The query string's name of each field of a :class:`~search.request.SearchRequest` (errors name it so).
PARAM_NAMES = {"date_from": "from", "date_to": "to", "sources": "source", "categories": "category"}

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
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
    #: ``from`` after ``to`` is no day rather than an error (a feed: no entries, as its document allows)
    empty_range: bool = False
    #: False (``spellcheck=0``): search the words as typed, offer no pinyin or sound-alike suggestion
    spellcheck: bool = True
    #: False (``collapse=0``): every copy of a story is its own result
    collapse: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def request(self) -> SearchRequest:
        """The search these parameters ask for, checked (:class:`~search.request.SearchRequest`): a bad value
        is a 400 naming the parameter as the query string does."""
        try:
            return SearchRequest(
                q=self.q,
                page=self.page,
                per_page=self.per_page,
                sort=self.sort,
                date_from=self.date_from,
                date_to=self.date_to,
                sources=self.sources,
                categories=self.categories,
                spellcheck=self.spellcheck,
                collapse=self.collapse,
                empty_range=self.empty_range,
            )
        except SearchError as exc:
            name = PARAM_NAMES.get(exc.param or "", exc.param)
            message = f"{name}: {exc.detail}" if name else str(exc)
            raise bad_parameter(message, exc.code or "bad_parameter") from None

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


def _int(args: MultiDict[str, str], name: str, default: int, hi: int | None = None) -> int:
    """``name`` as a whole number (in ``1..hi`` with ``hi``); absent: ``default``; empty or anything else: a
    400. The range of ``page`` and ``per_page`` is the request's to check (:class:`SearchParams.request`)."""
    if name not in args:
        return default
    raw = _single(args, name)
    if not _INT_RE.fullmatch(raw):
        raise bad_parameter(f"{name}: expected a whole number, got {raw[:40]!r}")
    value = int(raw)
    if hi is not None and not 1 <= value <= hi:
        raise bad_parameter(f"{name}: must be between 1 and {hi}, got {value}")
    return value


def _day(raw: str, param: str, *, end: bool) -> date | None:
    try:
        return parse_day(raw, param, end=end)
    except SearchError as exc:
        raise bad_parameter(f"{PARAM_NAMES[param]}: {exc.detail}", exc.code or "bad_date") from None


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
    """Read and check the search parameters (``q page per_page sort from to source category spellcheck
    collapse``): text to values here, the values checked by :class:`~search.request.SearchRequest`. ``from``
    after ``to`` is a 400 ``bad_date_range``, unless ``empty_range`` (the feed: an empty range, no entries, as
    its OpenAPI document allows)."""
    q = parse_query(args)
    if require_q and not q:
        raise bad_parameter("q: a query is required", "missing_query")
    raw_from, raw_to = _single(args, "from"), _single(args, "to")
    params = SearchParams(
        q=q,
        page=_int(args, "page", 1),
        per_page=_int(args, "per_page", DEFAULT_PER_PAGE),
        sort=_single(args, "sort") if "sort" in args else "relevance",
        date_from=_day(raw_from, "date_from", end=False),
        date_to=_day(raw_to, "date_to", end=True),
        sources=_multi(args, "source"),
        categories=_multi(args, "category"),
        raw_from=raw_from,
        raw_to=raw_to,
        spellcheck=_flag(args, "spellcheck", default=True),
        collapse=_flag(args, "collapse", default=True),
        empty_range=empty_range,
    )
    _ = params.request  # checked now: a bad value is a 400 of this request
    return params


def _flag(args: MultiDict[str, str], name: str, *, default: bool) -> bool:
    """A yes/no parameter: ``1``/``true`` or ``0``/``false`` (absent or empty: ``default``)."""
    raw = _single(args, name).lower()
    if raw in ("", "1", "true"):
        return default if raw == "" else True
    if raw in ("0", "false"):
        return False
    raise bad_parameter(f"{name}: expected 0 or 1, got {raw[:40]!r}")


def parse_limit(args: MultiDict[str, str], name: str, default: int, hi: int) -> int:
    return _int(args, name, default, hi)
