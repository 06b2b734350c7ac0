"""The reader's pages: search (``/``), article (``/articles/<id>``) and query-syntax help (``/help``).

Everything is rendered on the server, so the pages work with JavaScript off; ``static/suggest.js`` only adds the
suggestions dropdown.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Flask, render_template, request, url_for
from markupsafe import Markup

from web.accesslog import note_search
from web.api import load_article
from web.engine import engine
from web.errors import ZH_MESSAGES, ApiError
from web.params import SORTS, SearchParams, clean_text, parse_search
from web.shapes import article_json
from web.stats import count_search
from web.timeline import timeline

bp = Blueprint("pages", __name__)

#: Results the engine serves at most (its deepest page is the one holding the 1,000th result).
MAX_RESULTS = 1000
SORT_LABELS = {"relevance": "相关度", "newest": "最新", "oldest": "最早"}
FACET_LABELS = {"source": "来源", "category": "分类", "year": "年份"}
#: Facets whose value is a period that ``from`` and ``to`` can name (a year, a ``YYYY-MM`` month).
PERIOD_FACETS = ("year", "month")
#: Stands for the month in the address of a timeline's bar (see :func:`month_links`).
_ANY_MONTH = "0000-00"
#: What an article without a title is shown as: the start of its body (this many characters), else this.
UNTITLED = "无标题"
TITLE_FROM_BODY_CHARS = 30
ERROR_HINTS = {
    "missing_query": "请输入要搜索的词。",
    "bad_parameter": "网址中的参数不正确，已无法按它搜索。",
    "value_too_long": "参数太长了。",
}


def _fallback_params() -> SearchParams:
    """What can still be shown in the search box when the parameters were rejected."""
    return SearchParams(q=clean_text(request.args.get("q", "")[:1000]))


def _error_text(err: ApiError) -> str:
    return ZH_MESSAGES.get(err.code) or ERROR_HINTS.get(err.code) or err.message


def pagination(page: int, per_page: int, total: int) -> dict[str, Any]:
    """Page numbers to link: first, a window around the current one, last (None marks a gap)."""
    last = max(1, min(math.ceil(total / per_page), math.ceil(MAX_RESULTS / per_page)))
    window = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    numbers: list[int | None] = []
    for n in window:
        if numbers and n - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(n)
    return {"page": page, "last": last, "numbers": numbers if last > 1 else []}


def display_title(title: str, body: str = "") -> str:
    """The title to show: ``title``, else the start of the body's first paragraph, else 无标题."""
    if title.strip():
        return title
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    if not first:
        return UNTITLED
    return first if len(first) <= TITLE_FROM_BODY_CHARS else first[:TITLE_FROM_BODY_CHARS] + "…"


def _title_untitled(results: list[dict[str, Any]]) -> None:
    """Give each result without a title a ``display_title`` (its stored body is read only for those)."""
    for hit in results:
        if not hit["title"].strip():
            found = engine().article(hit["id"])
            hit["display_title"] = display_title("", str((found or {}).get("body") or ""))


@bp.get("/")
def index() -> Any:
    try:
        params = parse_search(request.args, require_q=False)
    except ApiError as err:
        return render_template(
            "search.html", params=_fallback_params(), result=None, error=_error_text(err)
        ), 400
    if not params.q:
        return render_template("search.html", params=params, result=None, error=None)
    try:
        found = engine().search(params)
    except ApiError as err:
        if err.status == 429:
            raise
        return render_template("search.html", params=params, result=None, error=_error_text(err)), err.status
    result = found.to_api_dict()
    _title_untitled(result["results"])
    chart = timeline(
        result["facets"]["month"],
        link=month_links(params),
        selected=lambda month: facet_selected(params, "month", month),
    )
    note_search(params.q, result["total"], cache="hit" if getattr(found, "cached", False) else "miss")
    count_search(params, result["total"])
    return render_template(
        "search.html",
        params=params,
        result=result,
        error=None,
        paging=pagination(params.page, params.per_page, result["stories"]),
        timeline=chart,
    )


@bp.get("/articles/<path:doc_id>")
def article(doc_id: str) -> Any:
    found, related = load_article(doc_id)
    q = clean_text(request.args.get("q", "")[:256])
    data = article_json(found, related)
    marker = engine().marker(q)
    return render_template(
        "article.html",
        article=data,
        title_html=Markup(marker.mark(display_title(data["title"], data["body"]))),
        paragraphs=[
            Markup(marker.mark(p)) for p in (line.strip() for line in data["body"].splitlines()) if p
        ],
        q=q,
        params=SearchParams(q=q),
    )


@bp.get("/help")
def help_page() -> str:
    return render_template("help.html", params=SearchParams())


def zh_date(value: Any) -> str:
    """An ISO date or date-time as 2024年3月5日 (empty for None or garbage)."""
    if not value:
        return ""
    try:
        d = value if isinstance(value, date) else datetime.fromisoformat(str(value)).date()
    except ValueError:
        return str(value)[:10]
    return f"{d.year}年{d.month}月{d.day}日"


def iso_day(value: Any) -> str:
    if not value:
        return ""
    return str(value)[:10]


def safe_url(value: Any) -> str:
    """An http(s) link from the data, or "" (a ``javascript:`` url in an imported article must not become a link)."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


def search_url(params: SearchParams, **changes: Any) -> str:
    """The search page for ``params`` with ``changes``; any filter change goes back to page 1."""
    if "page" not in changes:
        changes["page"] = None
    return url_for("pages.index", **params.url_args(**changes))


def toggle_url(params: SearchParams, facet: str, value: Any) -> str:
    """Add or remove one source/category filter, or choose/clear a year or a month (``YYYY-MM``)."""
    if facet in PERIOD_FACETS:
        period = str(value)
        if params.raw_from == period and params.raw_to == period:
            return search_url(params, **{"from": None, "to": None})
        return search_url(params, **{"from": period, "to": period})
    current = list(params.sources if facet == "source" else params.categories)
    value = str(value)
    chosen = [v for v in current if v != value] if value in current else [*current, value]
    return search_url(params, **{facet: chosen or None})


def month_links(params: SearchParams) -> Callable[[str], str]:
    """``toggle_url(params, "month", m)`` for any month ``m``, building the address once: a timeline has up to
    hundreds of bars, and ``url_for`` costs tens of microseconds each. In a query string a ``=`` inside a value
    is escaped, so ``&from=`` and ``&to=`` stand only for the parameters themselves."""
    base = toggle_url(params, "month", _ANY_MONTH)

    def link(month: str) -> str:
        if facet_selected(params, "month", month):
            return toggle_url(params, "month", month)
        return base.replace(f"&from={_ANY_MONTH}", f"&from={month}", 1).replace(
            f"&to={_ANY_MONTH}", f"&to={month}", 1
        )

    return link


def facet_selected(params: SearchParams, facet: str, value: Any) -> bool:
    if facet in PERIOD_FACETS:
        return params.raw_from == str(value) and params.raw_to == str(value)
    return str(value) in (params.sources if facet == "source" else params.categories)


def init_app(app: Flask) -> None:
    app.add_template_filter(zh_date, "zh_date")
    app.add_template_filter(iso_day, "iso_day")
    app.add_template_filter(lambda n: f"{int(n):,}", "thousands")
    app.add_template_global(search_url)
    app.add_template_global(toggle_url)
    app.add_template_global(facet_selected)
    app.add_template_filter(safe_url, "safe_url")
    app.jinja_env.globals.update(SORTS=SORTS, SORT_LABELS=SORT_LABELS, FACET_LABELS=FACET_LABELS)
