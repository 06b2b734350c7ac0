"""The reader's pages: search (``/``), article (``/articles/<id>``) and query-syntax help (``/help``).

Everything is rendered on the server, so the pages work with JavaScript off; ``static/suggest.js`` only adds the
suggestions dropdown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Flask, render_template, request, url_for
from markupsafe import Markup

from search.query import MAX_QUERY_CHARS
from search.request import MAX_RESULTS
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
SORT_LABELS = {"relevance": "相关度", "fresh": "最新相关", "newest": "最新", "oldest": "最早"}
FACET_LABELS = {"source": "来源", "category": "分类", "year": "年份"}
#: Facets whose value is a period that ``from`` and ``to`` can name (a year, a ``YYYY-MM`` month).
PERIOD_FACETS = ("year", "month")
#: Stands for the month in the address of a timeline's bar (see :func:`month_links`).
_ANY_MONTH = "0000-00"
#: What an article without a title is shown as: the start of its body (this many characters), else this.
UNTITLED = "无标题"
TITLE_FROM_BODY_CHARS = 30
#: What the reader sees for a rejected parameter: ``{name}`` the parameter, ``{detail}`` the API's message about
#: it, ``{length}`` a query's length, ``{limit}`` the longest query (one limit and message, page and API alike).
ERROR_HINTS = {
    "missing_query": "请输入要搜索的词。",
    "bad_parameter": "网址中的参数 {name} 不正确（{detail}），已无法按它搜索。",
    "value_too_long": "网址中的参数 {name} 太长了（{detail}）。",
    "bad_date": "参数 {name} 的日期格式不对（{detail}），请使用 2024-01-31 这样的格式。",
    "bad_date_range": "开始日期（from）晚于结束日期（to）。",
    "query_too_long": "查询太长了：{length} 个字符，最多 {limit} 个字符，请缩短后再搜索。",
}
_NAMED_RE = re.compile(r"([a-z_]+): (.*)", re.S)
_LENGTH_RE = re.compile(r"is ([0-9,]+) characters long")


def _fallback_params() -> SearchParams:
    """What can still be shown in the search box when the parameters were rejected."""
    return SearchParams(q=clean_text(request.args.get("q", "")[:1000]))


def _error_text(err: ApiError) -> str:
    """The reader's message for a rejected request: the parameter named, as the API's message names it."""
    hint = ERROR_HINTS.get(err.code)
    named = _NAMED_RE.fullmatch(err.message)
    length = _LENGTH_RE.search(err.message)
    if hint is None or "{name}" in hint and not named or "{length}" in hint and not length:
        return ZH_MESSAGES.get(err.code) or err.message
    return hint.format(
        name=named.group(1) if named else "",
        detail=named.group(2) if named else err.message,
        length=length.group(1) if length else "",
        limit=MAX_QUERY_CHARS,
    )


def _no_such_page(params: SearchParams, stories: int, total: int) -> tuple[str, str, str]:
    """The message of a page number beyond the last page, with the link back to the last page and its text."""
    last = pagination(1, params.per_page, stories)["last"]
    if not total:
        text = f"没有第 {params.page} 页：没有找到与“{params.q}”相关的文章。"
    elif stories > MAX_RESULTS:
        text = f"没有第 {params.page} 页：只能浏览前 {MAX_RESULTS:,} 条结果，每页 {params.per_page} 条，共 {last} 页。"
    else:
        text = f"没有第 {params.page} 页：这个搜索的结果只有 {last} 页。"
    return text, search_url(params, page=last if last > 1 else None), f"回到第 {last} 页"


def _page_number(raw: str) -> int | None:
    """The page number of a rejected ``page`` (a whole number), else None."""
    return int(raw) if re.fullmatch(r"-?[0-9]{1,12}", raw) else None


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
    asked_page = None
    try:
        params = parse_search(request.args, require_q=False)
    except ApiError as err:
        asked_page = _page_number(request.args.get("page", "")) if err.code == "page_out_of_range" else None
        if asked_page is None:
            return render_template(
                "search.html", params=_fallback_params(), result=None, error=_error_text(err)
            ), 400
        args = request.args.copy()
        args.pop("page")
        params = parse_search(args, require_q=False)  # what is shown: the search's last page
    if not params.q:
        return render_template("search.html", params=params, result=None, error=None)
    try:
        found = engine().search(params)
    except ApiError as err:
        if err.status == 429:
            raise
        return render_template("search.html", params=params, result=None, error=_error_text(err)), err.status
    result = found.to_api_dict()
    if asked_page is not None or not result["results"] and params.page > 1:
        text, href, back = _no_such_page(
            replace(params, page=params.page if asked_page is None else asked_page),
            found.stories,
            found.total,
        )
        return render_template(
            "search.html", params=params, result=None, error=text, error_link=(href, back)
        ), 400
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
