"""Snippets of a whole result page cut on arrays (search/windows.py) equal the reference path
(``Highlighter.reference_snippet``: a regex scan and Python per piece and window), compared as whole strings:
the pinned cases of test_snippets.py, edge cases of the cutter, and a few hundred hits of a real slice of the
xwlb corpus (skipped without ``../shared``)."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import opencc
import pytest
from test_snippets import SNIPPET_CASES, highlighter

import search.pagetext
import search.snippets
from indexer.analysis import ChineseTokenizer
from search.highlights import HighlightTerm
from search.pagetext import PageText
from search.snippets import Highlighter

XWLB = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "xwlb" / "articles.jsonl.gz"
SLICE = 3000
S2T = opencc.OpenCC("s2t")


@pytest.fixture(autouse=True)
def arrays_for_any_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """The array path for pages of any size (a real page of fewer bodies takes the reference path)."""
    monkeypatch.setattr(search.snippets, "ARRAY_MIN_BODIES", 1)


def assert_same(marker: Highlighter, bodies: list[str]) -> None:
    assert marker.snippets(bodies) == [marker.reference_snippet(b) for b in bodies]


@pytest.mark.parametrize(
    ("query", "body", "expected"), [p.values for p in SNIPPET_CASES], ids=[p.id for p in SNIPPET_CASES]
)
def test_pinned_cases_on_arrays(query: str, body: str, expected: str) -> None:
    marker = highlighter(query)
    assert marker.snippets([body]) == [expected]
    others = ["无关的一段话。", body, "", body + "\n\n", "  "]
    assert_same(marker, others)


EDGES = [
    "",
    "   ",
    "\n\n",
    "第一句，第二句，  ",
    "第一句，第二句，\n",
    "他说：「诈骗要严打。」」随后离开。",
    "诈骗！？……」』结束",
    "Fraud happens. 诈骗 ends here.",
    "版本 2.0 发布，诈骗 3,000 起，比例 1:2。",
    "诈骗" + "很长的没有标点的文字" * 20 + "诈骗",
    "没有标点的很长的英文 " + "word " * 40 + "诈骗 " + "more " * 30,
    "\n诈骗开头是换行。\n\n\n第二段。",
    "诈骗\u3000\u3000全角空格。",
    "含有𠀀扩展字的诈骗。",  # beyond the BMP: its fold mapped back
    "含有㎏单位的诈骗。",  # folds to two characters: its fold mapped back
    "e\u0301诈骗。",  # a combining mark: its fold mapped back
    "诈骗……他说。𝟎，诈骗𝟏，𝟐。诈骗\u0300，℃，Ⅲ期。",  # marks and digits beyond one-to-one folds
    "。。。诈骗",
    "诈骗.",
    "诈骗，",
    "a.b.c 诈骗. d",
]


@pytest.mark.parametrize("query", ["诈骗", "诈骗 ends", '"诈骗"', "fraud 扩展", "版本 诈骗 比例"])
def test_edges_on_arrays(query: str) -> None:
    marker = highlighter(query)
    assert_same(marker, EDGES)
    for body in EDGES:
        assert_same(marker, [body])
        assert_same(marker, [body, body])


def test_many_groups_take_the_reference_path() -> None:
    terms = [HighlightTerm(f"词{k}", k) for k in range(70)] + [HighlightTerm("诈骗", 70)]
    marker = Highlighter(terms)
    assert_same(marker, ["诈骗的词3和词65。", "词69。"])


def _read_slice() -> list[dict]:
    out = []
    with gzip.open(XWLB, "rt", encoding="utf-8") as fh:
        for line in fh:
            out.append(json.loads(line))
            if len(out) >= SLICE:
                break
    return out


@pytest.mark.skipif(not XWLB.exists(), reason=f"the xwlb corpus is not at {XWLB} (../shared is absent)")
def test_real_slice_pages_equal_the_reference() -> None:
    """Pages of 10 hits for queries made from titles and bodies of the slice (words, two words, a quoted
    phrase, the traditional form), the hits being the articles that hold the query's first word (and a few
    that do not, for the opening path)."""
    records = [r for r in _read_slice() if r.get("body")]
    tokenizer = ChineseTokenizer()
    rng = random.Random(27)
    bodies = [r["body"] for r in records]
    compared = on_arrays = 0
    for record in rng.sample(records, 60):
        words = [w.text for w in tokenizer.words(record["title"]) if len(w.text) > 1]
        if len(words) < 2:
            continue
        body = record["body"]
        start = rng.randrange(max(1, len(body) - 8))
        for query in (
            words[0],
            " ".join(words[:2]),
            f'"{body[start : start + 4]}"',
            S2T.convert(words[0]),
        ):
            key = words[0]
            hits = [b for b in bodies if key in b][:8] + rng.sample(bodies, 2)
            marker = highlighter(query)
            got = marker.snippets(hits)
            assert got == [marker.reference_snippet(b) for b in hits], query
            compared += len(hits)
            on_arrays += sum(PageText.read(hits)[1])
    assert compared >= 300
    assert on_arrays == compared  # those that hold … ℃ Ⅲ (folded to more than one character) too


def test_page_conversion_that_changes_length_converts_each_body(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where converting the page at once would change its length, each body is converted alone (as t2s does)."""

    class Longer:
        def convert(self, text: str) -> str:
            return text + "x"

    monkeypatch.setattr(search.pagetext, "_converter", lambda: Longer())
    marker = highlighter("电信诈骗")
    assert_same(marker, ["警方破獲電信網絡詐騙集團，拘捕十二名男女。", "电信诈骗案件高发。", ""])
