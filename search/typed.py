"""Characters as typed, when the words fail: a part of a name typed without quotes.

News is full of names the segmenter does not know (a new port district, a lake, a company), and a reader types
a part of one: 湾港 for 岚湾港区, 栖湖 for 鹭栖湖湿地. jieba cuts the query into words (湾/港) that the articles
do not hold, because it cut the name differently there (岚湾/港区), so no article has all the words and the
relaxed fallback would list articles with any of them, none about the name.

A Chinese run of the query (two or more Han characters standing together in a term, :func:`typed_runs`) whose
words find nothing together -- a word the index does not hold, or words no article holds together -- is
matched as the characters typed instead: the query is compiled again with that run quoted
(:func:`quote_runs`), so it is an exact phrase over the unit fields, folded (灣港 finds 湾港), marked whole in
titles and snippets (岚<mark>湾港</mark>区). Those articles are the answer, as those with every word would be, and
the answer is not relaxed; the relaxed fallback runs only when the characters are not found either.

A run whose words an article holds together is left as it is, so a query whose words are found is answered
as before; so are long queries (questions, headlines: :mod:`search.ranking`), whose words are rarely all in one
article and whose characters as typed never are. For the speller (:mod:`search.spelling`) an answer as typed
is no article with every word: a sound-alike slip (炸骗 where 诈骗 is many times more frequent) is corrected as
before, and the characters as typed are what its "search as typed" link finds.

The check costs the query's words once more (their posting lists are already read; a run that is the whole
query is not evaluated again) and only runs for a query with no article holding every word, or with an ``OR``
(an alternative can fail while another matches). The phrase then replaces the relaxed query, not adds to it:
on the bench's ``name_part`` queries (75k xwlb articles) the p95 is the same with and without this step.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from indexer.analysis import HAN_CLASS
from search import query as ast
from search.collect import Collected
from search.context import Context
from search.nodes import Node
from search.plan import CompiledQuery

#: Two or more Han characters standing together: what may be a part of a name.
_RUN_RE = re.compile(f"[{HAN_CLASS}]{{2,}}")

#: ``plan(node)``: the compiled query of a syntax tree on the index searched.
Plan = Callable[[ast.Node], CompiledQuery]
#: ``collect(tree)``: the matches of a query tree as the search ranks them (total, top, facets).
Collect = Callable[[Node], Collected]


@dataclass(frozen=True, slots=True)
class Run:
    """A Chinese run of a term as typed, and the field of the term (None: title and body)."""

    text: str
    field: str | None


def _positive_texts(node: ast.Node) -> list[ast.Text]:
    """The free-text terms of a tree that are not excluded."""
    if isinstance(node, ast.And | ast.Or):
        return [t for child in node.children for t in _positive_texts(child)]
    return [node] if isinstance(node, ast.Text) else []


def typed_runs(node: ast.Node | None) -> list[Run]:
    """The Chinese runs of the query's free-text terms (not under an exclusion), each once, in order."""
    if node is None:
        return []
    runs = [Run(m.group(), t.field) for t in _positive_texts(node) for m in _RUN_RE.finditer(t.text)]
    return list(dict.fromkeys(runs))


def _quote_text(node: ast.Text, quoted: frozenset[Run]) -> ast.Node:
    """A term with its quoted runs as phrases and what stands around them as terms (in the order typed)."""
    parts: list[ast.Node] = []
    pos = 0
    for m in _RUN_RE.finditer(node.text):
        if Run(m.group(), node.field) not in quoted:
            continue
        if node.text[pos : m.start()].strip():
            parts.append(ast.Text(node.text[pos : m.start()], node.field))
        parts.append(ast.Phrase(m.group(), node.field))
        pos = m.end()
    if not parts:
        return node
    if node.text[pos:].strip():
        parts.append(ast.Text(node.text[pos:], node.field))
    return parts[0] if len(parts) == 1 else ast.And(tuple(parts))


def quote_runs(node: ast.Node, quoted: frozenset[Run]) -> ast.Node:
    """The tree with each of the ``quoted`` runs of its free-text terms as an exact phrase (exclusions as
    they are)."""
    if isinstance(node, ast.Text):
        return _quote_text(node, quoted)
    if isinstance(node, ast.And):
        return ast.And(tuple(quote_runs(c, quoted) for c in node.children))
    if isinstance(node, ast.Or):
        return ast.Or(tuple(quote_runs(c, quoted) for c in node.children))
    return node


def worth_checking(compiled: CompiledQuery, total: int) -> bool:
    """True when a run of the query may find nothing with its words: no article holds every word (``total``
    of the strict query is 0) or an alternative of an ``OR`` may fail; never for a long query."""
    if compiled.node is None or compiled.long:
        return False
    return total == 0 or ast.has_or(compiled.node)


def failing_runs(compiled: CompiledQuery, plan: Plan, ctx: Context, *, strict_empty: bool) -> frozenset[Run]:
    """The runs of the query whose words no article holds together (or the index does not hold).

    ``strict_empty``: the query's strict tree matched no article of the whole index; a run that is the whole
    query then fails without being evaluated again.
    """
    failing = []
    for run in typed_runs(compiled.node):
        own = plan(ast.Text(run.text, run.field)).strict
        if own is None:  # stop words only: nothing to match either way
            continue
        if (strict_empty and own == compiled.strict) or not len(own.evaluate(ctx, None)):
            failing.append(run)
    return frozenset(failing)


def as_typed(
    compiled: CompiledQuery, plan: Plan, ctx: Context, *, strict_empty: bool
) -> CompiledQuery | None:
    """The query with its failing runs matched as typed (see the module docs), or None when it has none.

    The compiled query keeps the syntax tree as typed (``node``: what the speller reads); its trees and
    highlights are those of the tree with the runs quoted."""
    failing = failing_runs(compiled, plan, ctx, strict_empty=strict_empty)
    if not failing or compiled.node is None:
        return None
    typed = plan(quote_runs(compiled.node, failing))
    return replace(typed, node=compiled.node, typed=True) if typed.strict is not None else None


def answer_as_typed(
    compiled: CompiledQuery, plan: Plan, ctx: Context, total: int, *, masked: bool, collect: Collect
) -> tuple[CompiledQuery, Collected] | None:
    """The typed query and what ``collect(tree)`` gives for it, when the query's strict tree found ``total``
    articles (among the filtered ones when ``masked``) and a run of it is found as typed; else None (the answer
    is the strict one, or else the relaxed fallback)."""
    if not worth_checking(compiled, total):
        return None
    typed = as_typed(compiled, plan, ctx, strict_empty=total == 0 and not masked)
    if typed is None or typed.strict is None:
        return None
    found = collect(typed.strict)
    return (typed, found) if found.total else None
