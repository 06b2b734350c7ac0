"""The array engine answers as the previous engine did (Whoosh matchers and Python sets), recorded as fixtures
by ``tests/engine_reference.py``: the same ranked ids, scores to 1e-9, totals, relaxed flags and facets, on the
search test corpus, the shipped sample and a 6,000-article slice of the xwlb corpus (skipped without
``../shared``), for random queries of every kind (but the few whose answer changed on purpose since, see
:func:`changed_on_purpose`)."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from engine_reference import FIXTURES, XWLB, corpora, queries_for, record, xwlb_slice_file

from search import Searcher

CORPORA = {name: (files, records, hidden) for name, files, records, hidden in corpora()}


@pytest.fixture(scope="module", params=["news", "sample", "xwlb"])
def reference(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from indexer.writer import reindex

    name = request.param
    if name == "xwlb" and not XWLB.exists():
        pytest.skip(f"the xwlb corpus is not at {XWLB} (../shared is absent)")
    files, records, hidden = CORPORA[name]
    tmp = tmp_path_factory.mktemp(f"reference-{name}")
    if name == "xwlb":
        files = [xwlb_slice_file(tmp)]
    reindex(files, tmp / "index", jobs=1)
    searcher = Searcher(tmp / "index", cache_size=0)
    expected = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    calls = queries_for(name, records)
    got = record(searcher, calls, hide_queries=hidden)
    return name, expected, got, calls


def changed_on_purpose(q: str) -> bool:
    """Queries whose answer changed by design after the fixtures were recorded (the new-user issue): terms
    with digits (a number with its unit counts where its text is) and quoted phrases with punctuation inside
    (exact, gaps included); long queries (whole titles: search.ranking, the relevance issue on news)."""
    from indexer.analysis import ChineseTokenizer
    from search.plan import QueryBuilder
    from search.query import parse

    if QueryBuilder(ChineseTokenizer()).compile(parse(q)).long:
        return True
    words = ChineseTokenizer().words
    for token in re.split(r'[\s"“”「」『』()|]+', q):
        token = token.lstrip("-+").split(":", 1)[-1]
        if any(c.isdigit() for c in token) and len([w for w in words(token) if w.base]) > 1:
            return True
    quoted = re.findall(r'["“”「」『』]([^"“”「」『』]*)', q)
    return any(unicodedata.category(c).startswith("P") for part in quoted for c in part.strip())


def test_same_queries(reference) -> None:  # type: ignore[no-untyped-def]
    name, expected, got, _ = reference
    assert [row["q"] for row in got] == [row["q"] for row in expected], f"{name}: the query generator changed"


def _mismatches(expected: list[dict], got: list[dict]) -> list[str]:
    bad = []
    for want, have in zip(expected, got, strict=True):
        q = want["q"]
        # the facets the reference recorded (the month facet came later and is tested in test_search.py)
        have = {**have, "facets": have["facets"] and {k: have["facets"][k] for k in want["facets"] or ()}}
        for key in ("total", "relaxed", "facets"):
            if want[key] != have[key]:
                bad.append(f"{q!r} {want['args']}: {key} {have[key]!r} != {want[key]!r}")
        if have["scores"] != pytest.approx(want["scores"], rel=1e-9, abs=1e-9):
            bad.append(f"{q!r} {want['args']}: scores differ")
        elif have["ids"] != want["ids"]:
            # equal scores (to 1e-9) may be ordered by id either way only where they tie
            for i, (a, b) in enumerate(zip(want["ids"], have["ids"], strict=True)):
                if a != b and abs(want["scores"][i] - have["scores"][i]) > 1e-9:
                    bad.append(f"{q!r} {want['args']}: rank {i + 1} is {b}, not {a}")
                    break
            if sorted(want["ids"]) != sorted(have["ids"]):
                bad.append(f"{q!r} {want['args']}: other ids")
    return bad


def test_same_answers(reference) -> None:  # type: ignore[no-untyped-def]
    name, expected, got, calls = reference
    kept = [i for i, call in enumerate(calls) if not changed_on_purpose(call["q"])]
    assert len(kept) > 0.8 * len(calls)  # the sample (Wikipedia) is rich in years and figures
    bad = _mismatches([expected[i] for i in kept], [got[i] for i in kept])
    assert not bad, f"{name}: {len(bad)} of {len(expected)} differ:\n" + "\n".join(bad[:20])


def test_the_fixtures_hold_what_they_claim() -> None:
    for name in ("news", "sample"):
        rows = json.loads((Path(FIXTURES) / f"{name}.json").read_text(encoding="utf-8"))
        assert sum(1 for r in rows if r["total"]) > len(rows) * 0.8
        assert any(r["relaxed"] for r in rows) and any(r["q"].startswith('"') for r in rows)
