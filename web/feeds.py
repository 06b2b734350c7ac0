"""Feeds and the browser's address bar: ``/feed.atom`` (a search as an Atom feed), ``/opensearch.xml`` (an
OpenSearch 1.1 description) and the OpenSearch suggestions format of ``/api/suggest?format=opensearch``. Both
documents are built as element trees with lxml.

The feed takes every parameter of the search page (``q``, ``from``, ``to``, ``source``, ``category``), always
newest first: the :data:`FEED_ENTRIES` newest dated articles, each with its title, the link of its page here,
its publication time, its author (the article's, else its source), its source (Atom ``source``), its category
and the plain text of its snippet. An undated article has no place in a feed ordered by time and is left out.
Without ``q`` it is the latest-news feed: the newest dated articles passing the filters (``source=新华社``: one
per source), each with the opening of its body.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request, url_for
from lxml import etree
from markupsafe import Markup

from web.engine import engine
from web.params import SearchParams, parse_search

bp = Blueprint("feeds", __name__)

FEED_ENTRIES = 20
ATOM_TYPE = "application/atom+xml"
OPENSEARCH_TYPE = "application/opensearchdescription+xml"
SUGGESTIONS_TYPE = "application/x-suggestions+json"
ATOM_NS = "http://www.w3.org/2005/Atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: What the OpenSearch description calls the site (ShortName: at most 16 characters).
SHORT_NAME = "zhsearch"
DESCRIPTION = "中文新闻全文检索"
#: When the feed has no dated entry: its ``updated`` (Atom requires one; a fixed time keeps it stable).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def plain_text(html: str) -> str:
    """The text of a snippet or marked title: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(Markup(html).striptags().split())


def feed_name(params: SearchParams) -> str:
    """What a feed is of: its query, else its sources and categories (最新报道 for the whole index)."""
    if params.q:
        return params.q
    of = "、".join((*params.sources, *params.categories))
    return f"{of}的最新报道" if of else "最新报道"


def _published(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def feed_url(params: SearchParams, *, external: bool = False) -> str:
    """The feed of the search ``params`` (its query and filters; a feed has no order, page or page size)."""
    return url_for("feeds.feed", _external=external, **params.url_args(sort=None, page=None, per_page=None))


def _xml(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (stray control characters in an imported article)."""
    return _NOT_XML_RE.sub("", text)


def _add(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    element.text = None if text is None else _xml(text)
    return element


def atom_feed(params: SearchParams, results: list[dict[str, Any]]) -> bytes:
    """The Atom document of a newest-first result page (RFC 4287): a feed with an entry per dated hit."""
    self_url = feed_url(params, external=True)
    root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "zh-CN")
    _add(root, "id", self_url)
    _add(root, "title", f"{feed_name(params)} - {SHORT_NAME} 新闻搜索")
    _add(
        root,
        "subtitle",
        f"“{params.q}”的最新报道" if params.q else f"{feed_name(params)}（最新 {FEED_ENTRIES} 篇）",
    )
    updated = _add(root, "updated")
    author = _add(root, "author")
    _add(author, "name", SHORT_NAME)
    _add(root, "link", href=self_url, rel="self", type=ATOM_TYPE)
    page = url_for("pages.index", _external=True, **params.url_args(per_page=None))
    _add(root, "link", href=page, rel="alternate", type="text/html")
    _add(root, "generator", SHORT_NAME)
    newest: datetime | None = None
    for hit in results:
        when = _published(hit["published"])
        if when is None:
            continue
        newest = max(newest or when, when)
        link = url_for("pages.article", doc_id=hit["id"], _external=True)
        entry = _add(root, "entry")
        _add(entry, "id", link)
        _add(entry, "title", hit["title"].strip() or plain_text(hit["snippet_html"])[:30] or "无标题")
        _add(entry, "link", href=link, rel="alternate", type="text/html")
        if hit["url"].lower().startswith(("http://", "https://")):
            _add(entry, "link", href=_xml(hit["url"]), rel="related", type="text/html")
        _add(entry, "published", when.isoformat())
        _add(entry, "updated", when.isoformat())
        if hit.get("author") or hit["source"]:
            _add(_add(entry, "author"), "name", hit.get("author") or hit["source"])
        if hit["source"]:
            source = _add(entry, "source")
            _add(source, "title", hit["source"])
            by_source = url_for(
                "pages.index", _external=True, **params.url_args(source=[hit["source"]], per_page=None)
            )
            _add(source, "link", href=_xml(by_source), rel="alternate", type="text/html")
        if hit["category"]:
            _add(entry, "category", term=_xml(hit["category"]))
        _add(entry, "summary", plain_text(hit["snippet_html"]), type="text")
    updated.text = (newest or EPOCH).isoformat()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@bp.get("/feed.atom")
def feed() -> Response:
    asked = parse_search(request.args, require_q=False, empty_range=True)
    params = replace(asked, sort="newest", page=1, per_page=FEED_ENTRIES)
    if params.q and not params.request.no_days:
        hits = engine().search(params).hits
    else:  # the latest news; from after to: no day is in the range, no entries
        hits = engine().latest(params, FEED_ENTRIES)
    results = [{**hit.to_dict(), "author": hit.author} for hit in hits]
    return Response(atom_feed(params, results), mimetype=ATOM_TYPE)


def opensearch_description() -> bytes:
    """The OpenSearch 1.1 description of this site: the results page, the feed and the suggestions."""
    root = etree.Element(f"{{{OPENSEARCH_NS}}}OpenSearchDescription", nsmap={None: OPENSEARCH_NS})

    def add(tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        element = etree.SubElement(root, f"{{{OPENSEARCH_NS}}}{tag}", attrs)
        element.text = text
        return element

    add("ShortName", SHORT_NAME)
    add("Description", DESCRIPTION)
    add("InputEncoding", "UTF-8")
    add("OutputEncoding", "UTF-8")
    add("Language", "zh-CN")
    add(
        "Image",
        url_for("static", filename="favicon.svg", _external=True),
        width="16",
        height="16",
        type="image/svg+xml",
    )
    templates = (
        ("text/html", url_for("pages.index", _external=True), "results"),
        (ATOM_TYPE, url_for("feeds.feed", _external=True), "results"),
        (SUGGESTIONS_TYPE, url_for("api.suggest", _external=True), "suggestions"),
    )
    for mimetype, base, rel in templates:
        extra = "&format=opensearch" if mimetype == SUGGESTIONS_TYPE else ""
        add("Url", type=mimetype, rel=rel, method="get", template=f"{base}?q={{searchTerms}}{extra}")
    add("Url", type=OPENSEARCH_TYPE, rel="self", template=url_for("feeds.opensearch", _external=True))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    return Response(opensearch_description(), mimetype=OPENSEARCH_TYPE)


def opensearch_suggestions(prefix: str, suggestions: list[dict[str, Any]]) -> Response:
    """``[prefix, [completions], [descriptions], [urls]]``: the OpenSearch suggestions extension's JSON."""
    texts, kinds, urls = [], [], []
    for item in suggestions:
        texts.append(item["text"])
        kinds.append("标题" if item.get("kind") == "title" else "词语")
        if item.get("id"):
            urls.append(url_for("pages.article", doc_id=item["id"], _external=True))
        else:
            urls.append(url_for("pages.index", q=item["text"], _external=True))
    response = jsonify([prefix, texts, kinds, urls])
    response.mimetype = SUGGESTIONS_TYPE
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(feed_url)
