"""Errors the caller shows to the user: one base class, a status a web layer can map to HTTP.

``QueryError`` and its subclasses are the user's input (HTTP 400); ``IndexUnavailableError`` and
``NoIndexError`` mean the service cannot answer yet (HTTP 503). Every message is a complete sentence meant
to be shown as it is.
"""

from __future__ import annotations

from indexer.store import NoIndexError as StoreNoIndexError


class SearchError(Exception):
    """Base class of every error the search engine raises on purpose.

    An error about one parameter (:class:`search.request.SearchRequest`) names it in ``param`` and carries a
    stable ``code``; ``detail`` is the message without the parameter's name, ``str()`` the message with it.
    """

    status = 400

    def __init__(self, message: str = "", *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(f"{param}: {message}" if param else message)
        self.detail = message
        self.param = param
        self.code = code


class QueryError(SearchError):
    """The request cannot be answered as given (the user's input)."""

    status = 400


class QueryTooLongError(QueryError):
    """The query has more characters than :data:`search.query.MAX_QUERY_CHARS`."""


class PageOutOfRangeError(QueryError):
    """``page`` < 1, ``per_page`` outside 1..50, or a page beyond the first 1,000 results."""


class InvalidParameterError(QueryError):
    """An unknown sort order, an unreadable date, or a date range that ends before it starts."""


class IndexUnavailableError(SearchError):
    """The index cannot be read (broken CURRENT pointer, unreadable files)."""

    status = 503


class NoIndexError(IndexUnavailableError, StoreNoIndexError):
    """There is no index yet: run ``zhsearch reindex`` first."""

    status = 503
