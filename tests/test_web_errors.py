"""Engine and store errors become HTTP answers by their class, through one table (web.errors.ENGINE_ERRORS)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from indexer import store
from search import errors as search_errors
from web.errors import ENGINE_ERRORS

EXPECTED = [
    (search_errors.QueryTooLongError, 400, "query_too_long"),
    (search_errors.PageOutOfRangeError, 400, "page_out_of_range"),
    (search_errors.InvalidParameterError, 400, "invalid_parameter"),
    (search_errors.QueryError, 400, "query"),
    (search_errors.NoIndexError, 503, "no_index"),
    (search_errors.IndexUnavailableError, 503, "index_unavailable"),
    (search_errors.SearchError, 400, "search"),
    (store.NoIndexError, 503, "no_index"),
    (store.IndexBusyError, 400, "index_busy"),
    (store.StoreError, 400, "store"),
]


class _DeeperError(search_errors.PageOutOfRangeError):
    """Not in the table: takes its nearest listed ancestor's answer."""


class QueryTooLongError(Exception):
    """Same name as the engine's error, another class: an unexpected error (500), not a 400."""


def test_the_table_is_exactly_this() -> None:
    assert ENGINE_ERRORS == {cls: (status, code) for cls, status, code in EXPECTED}


def _app_raising(make_web_app: Callable[..., Flask], exc: Exception) -> Flask:
    app = make_web_app()

    def boom() -> str:
        raise exc

    app.add_url_rule("/api/boom", "boom", boom)  # raised in a view: the app's error handler maps it
    return app


def _search_raising(
    make_web_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch, exc: Exception
) -> Flask:
    app = make_web_app()
    searcher = app.extensions["zhsearch"].engine.searcher()

    def search(*args: object, **kwargs: object) -> None:
        raise exc

    monkeypatch.setattr(searcher, "search", search)  # raised in the engine: web.engine maps it
    return app


@pytest.mark.parametrize(
    ("cls", "status", "code"), [*EXPECTED, (_DeeperError, 400, "page_out_of_range")], ids=lambda v: str(v)
)
@pytest.mark.parametrize("where", ["view", "engine"])
def test_engine_errors_by_class(
    make_web_app: Callable[..., Flask],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    cls: type[Exception],
    status: int,
    code: str,
) -> None:
    exc = cls("the message, as it is")
    if where == "view":
        response = _app_raising(make_web_app, exc).test_client().get("/api/boom")
    else:
        response = _search_raising(make_web_app, monkeypatch, exc).test_client().get("/api/search?q=a")
    assert response.status_code == status
    assert response.get_json() == {"error": {"code": code, "message": "the message, as it is"}}


@pytest.mark.parametrize("where", ["view", "engine"])
def test_other_errors_are_500_whatever_their_name(
    make_web_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    exc = QueryTooLongError("not the engine's")
    if where == "view":
        response = _app_raising(make_web_app, exc).test_client().get("/api/boom")
    else:
        response = _search_raising(make_web_app, monkeypatch, exc).test_client().get("/api/search?q=a")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"


def test_an_empty_message_is_the_class_name(make_web_app: Callable[..., Flask]) -> None:
    response = _app_raising(make_web_app, search_errors.NoIndexError()).test_client().get("/api/boom")
    assert response.get_json() == {"error": {"code": "no_index", "message": "NoIndexError"}}
