"""The array engine answers as the previous engine did (Whoosh matchers and Python sets), recorded as fixtures
by ``tests/engine_reference.py``: the same ranked ids, scores to 1e-9, totals, relaxed flags and facets, on the
search test corpus, the shipped sample and a 6,000-article slice of the xwlb corpus (skipped without
``../shared``), for random queries of every kind."""

from __future__ import annotations

import json
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
    got = record(searcher, queries_for(name, records), hide_queries=hidden)
    return name, expected, got


def test_same_queries(reference) -> None:  # type: ignore[no-untyped-def]
    name, expected, got = reference
    assert [row["q"] for row in got] == [row["q"] for row in expected], f"{name}: the query generator changed"


def _mismatches(expected: list[dict], got: list[dict]) -> list[str]:
    bad = []
    for want, have in zip(expected, got, strict=True):
        q = want["q"]
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
    name, expected, got = reference
    bad = _mismatches(expected, got)
    assert not bad, f"{name}: {len(bad)} of {len(expected)} differ:\n" + "\n".join(bad[:20])


def test_the_fixtures_hold_what_they_claim() -> None:
    for name in ("news", "sample"):
        rows = json.loads((Path(FIXTURES) / f"{name}.json").read_text(encoding="utf-8"))
        assert sum(1 for r in rows if r["total"]) > len(rows) * 0.8
        assert any(r["relaxed"] for r in rows) and any(r["q"].startswith('"') for r in rows)
