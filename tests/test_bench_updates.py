"""The incremental-update benchmark (``bench/updates.py``) end to end on a small generated corpus: every step
runs real ``zhsearch reindex`` processes, and the summaries are the ones the scenario asks for."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(REPO))

from bench import updates  # noqa: E402
from bench.corpus import generate  # noqa: E402

pytestmark = pytest.mark.slow


def test_updates_scenario_on_a_generated_corpus(tmp_path: Path) -> None:
    corpus = generate(tmp_path / "articles.jsonl", n=600)
    out = tmp_path / "results"
    assert updates.main(["--corpus", str(corpus), "--small-runs", "2", "--out", str(out)]) == 0
    result = json.loads((out / "updates.json").read_text(encoding="utf-8"))
    summary = {key: result[key]["summary"] for key in ("full", "noop", "renamed", "append", "day")}
    assert summary["full"]["added"] == summary["full"]["documents"] == 600
    assert (summary["noop"]["added"], summary["noop"]["updated"], summary["noop"]["deleted"]) == (0, 0, 0)
    assert (summary["renamed"]["unchanged"], summary["renamed"]["added"]) == (600, 0)
    assert result["renamed"]["nothing_written"] is True
    assert (summary["append"]["added"], summary["append"]["documents"]) == (1000, 1600)
    day = summary["day"]
    assert {k: day[k] for k in ("added", "updated", "deleted")} == result["day"]["expected"]
    # 1,600 articles: every third is edited, but for those removed (the full corpus has room for all 500)
    assert result["day"]["expected"] == {"added": 1000, "updated": 451, "deleted": 250}
    assert day["documents"] == 1600 + 1000 - 250
    small = result["small_runs"]
    assert len(small["seconds"]) == len(small["segments"]) == 2 and small["p50_ms_fresh"] > 0
    text = (out / "updates.md").read_text(encoding="utf-8")
    assert "| 1,000 appended |" in text and "nothing written (same commit): True" in text


def test_the_day_of_changes_is_what_it_says() -> None:
    records = [{"id": f"r{i}", "title": f"标题{i}", "body": f"正文{i}。"} for i in range(2000)]
    changed, expected = updates.day_of_changes(records, "d")
    ids = [r["id"] for r in changed]
    assert expected == {"added": 1000, "updated": 500, "deleted": 250}
    assert len(ids) == len(set(ids)) == 2000 - 250 + 1000
    kept = {r["id"]: r for r in records}
    edited = [r for r in changed if r["id"] in kept and r["body"] != kept[r["id"]]["body"]]
    assert len(edited) == 500
