"""The benchmark harness (``bench/bench.py``) end to end on a small generated corpus.

Anchors whose packages are missing (the ``bench`` extra is not part of ``dev``) are skipped by the harness
itself, with a message, and left out of the checks. The stock recipe is left out here anyway: each of its
processes loads jieba's dictionary (seconds), which would make this test slow; ``make bench`` runs it. The run
is at scale 2 (every engine indexes the corpus twice, the copies under new ids), with ours alone at scale 4.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(REPO))

from bench import bench  # noqa: E402
from bench.anchors import missing  # noqa: E402
from bench.corpus import generate  # noqa: E402
from bench.queries import PHRASE_KINDS  # noqa: E402
from bench.scale import parse_scales  # noqa: E402

pytestmark = pytest.mark.slow


def test_harness_on_a_generated_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = generate(tmp_path / "articles.jsonl", n=200)
    out = tmp_path / "results"
    engines = ["ours", "fts5", "tantivy"]
    code = bench.main(
        [
            "--corpus",
            str(corpus),
            "--engines",
            ",".join(engines),
            "--queries",
            "40",
            "--warmup",
            "5",
            "--http-seconds",
            "1",
            "--http-clients",
            "4",
            "--cold-repeats",
            "1",
            "--no-plots",
            "--scales",
            "2,4",
            "--out",
            str(out),
            "--workdir",
            str(tmp_path / "work"),
        ]
    )
    assert code == 0
    result = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    ran = [e for e in engines if missing(e) is None]
    for e in engines:
        if e not in ran:
            assert e in result["skipped"] and "not installed" in result["skipped"][e]

    assert {"meta", "build", "noop", "query", "http", "cold_start", "targets", "cache_hit_rate"} <= set(
        result
    )
    meta = result["meta"]
    assert meta["articles"] == 400 and meta["base_articles"] == 200 and meta["queries"] >= 30
    assert meta["scale"] == 2 and meta["scales"] == [2, 4]
    # the slice twice: the copies under new ids and urls, the text the same
    lines = (tmp_path / "work" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    indexed = [json.loads(line) for line in lines]
    assert len(indexed) == 400 and len({r["id"] for r in indexed}) == 400
    assert len({r["url"] for r in indexed}) == 400
    assert [r["id"] for r in indexed[200:]] == [f"{r['id']}-r2" for r in indexed[:200]]
    assert [r["body"] for r in indexed[200:]] == [r["body"] for r in indexed[:200]]
    assert meta["loadavg_start"] and meta["loadavg_end"]
    for e in ran:
        b = result["build"][e]
        assert b["articles_per_s"] > 0 and b["seconds"] > 0
        assert 0 < b["index_ratio"] < 100
        assert b["max_process_rss_mb"] > 10
        q = result["query"][e]
        assert q["queries"] == meta["queries"]
        assert 0 < q["p50_ms"] <= q["p95_ms"] <= q["p99_ms"] < 5000
        assert q["with_hits"] > 0
        assert result["cold_start"][e]["seconds"] > 0
    for e in ran:
        assert result["build"][e]["documents"] == 400  # every engine indexed the doubled slice
    assert result["build"]["ours"]["inside"]["documents"] == 400
    assert result["query"]["ours"]["with_hits"] >= 0.8 * meta["queries"]
    assert 0 <= result["noop"]["fraction_of_full"] < 2
    assert result["cache_hit_rate"] == 0.0  # the timed queries are distinct: every one is a miss
    cache = result["query"]["ours"]["cache"]
    assert (cache["timed_hits"], cache["timed_misses"]) == (0, meta["queries"])
    http = result["http"]
    served = http["search"]["cache"]  # counted in the server's access log
    assert served["hits"] + served["misses"] >= http["search"]["requests"] - 4 * 2  # a few cut off at the end
    assert 0 <= served["hit_rate"] <= 1
    for name in ("search", "healthz"):
        assert http[name]["requests"] > 0 and http[name]["errors"] == 0
        assert not math.isnan(http[name]["p99_ms"])
    # the same search load on a second server with ZHSEARCH_RESULT_CACHE=0: every answer computed
    uncached = http["uncached"]
    assert uncached["env"] == {"ZHSEARCH_RESULT_CACHE": "0"} and uncached["port"] != http["port"]
    us = uncached["search"]
    assert us["requests"] > 0 and us["errors"] == 0 and us["requests_per_s"] > 0
    assert 0 < us["p50_ms"] <= us["p99_ms"] and not math.isnan(us["p99_ms"])
    assert (
        us["clients"] == http["search"]["clients"]
        and us["distinct_paths"] == http["search"]["distinct_paths"]
    )
    assert us["cache"]["hits"] == 0 and us["cache"]["hit_rate"] == 0.0
    assert us["cache"]["misses"] >= us["requests"] - 4 * 2
    assert uncached["search_vs_healthz"] == pytest.approx(
        us["requests_per_s"] / http["healthz"]["requests_per_s"]
    )
    # each worker's RSS split, read from /proc with its RSS on both servers: anon + file (+ shmem) is the RSS
    for server in (http, uncached):
        memory = server["worker_memory"]
        assert [m["rss_mb"] for m in memory] == server["worker_rss_mb"] and len(memory) == 2
        for m in memory:
            assert m["anon_mb"] > 5 and m["file_mb"] > 0
            assert m["anon_mb"] + m["file_mb"] == pytest.approx(m["rss_mb"], abs=4)
            assert m["anon_mb"] + m["file_mb"] + m["shmem_mb"] == pytest.approx(m["rss_mb"], abs=0.5)
            if "uss_mb" in m:  # smaps_rollup (Linux ≥ 4.14, readable for our own children)
                assert 0 < m["uss_mb"] <= m["pss_mb"] + 0.1 <= m["rss_mb"] + 0.2
                assert m["uss_mb"] == pytest.approx(m["private_clean_mb"] + m["private_dirty_mb"], abs=0.2)
    # latency per query kind (p50/p95/p99) and of the quoted phrases, every phrase kind together
    for e in ran:
        q = result["query"][e]
        assert len(q["kinds"]) == len(q["latencies_ms"]) == q["queries"]
        assert sum(k["n"] for k in q["by_kind"].values()) == q["queries"]
        for k in q["by_kind"].values():
            assert 0 < k["p50_ms"] <= k["p95_ms"] <= k["p99_ms"]
        phrases = q["phrases"]
        assert set(phrases["kinds"]) == {"phrase", "body_phrase"}
        assert phrases["n"] == sum(q["by_kind"][k]["n"] for k in PHRASE_KINDS) > 0
        assert q["phrases_p95_ms"] == phrases["p95_ms"] >= q["by_kind"]["body_phrase"]["p50_ms"]
    # ours alone at scale 4 (twice the main run's articles), the same queries
    s4 = result["scales"]["4"]
    assert s4["articles"] == 800 and s4["build"]["documents"] == 800
    assert s4["query"]["queries"] == meta["queries"] and s4["query"]["p50_ms"] > 0
    rows = {row["metric"]: row for row in result["targets"]}
    ratio = rows["query p50 ×4 ÷ p50 ×2 (in-process)"]
    assert ratio["ours"] == pytest.approx(s4["query"]["p50_ms"] / result["query"]["ours"]["p50_ms"])
    assert ratio["target"] == "" and ratio["met"] is None  # the target is for 4 × the main run's scale
    assert rows["build articles/s, ×4 (800 articles, ours only)"]["ours"] > 0
    phrase_row = rows["quoted phrases p95 (in-process)"]
    assert phrase_row["ours"] == result["query"]["ours"]["phrases_p95_ms"]
    assert phrase_row["target"] == "≤ 20 ms" and isinstance(phrase_row["met"], bool)
    assert rows["query p99 (in-process)"]["target"] == "≤ 25 ms"
    assert rows["cold start to first answer"]["target"] == "≤ 1 s"
    assert rows["serving worker RSS (max)"]["target"] == "≤ 300 MB"
    for p in (50, 95):
        vs_fts5 = rows[f"query p{p} ÷ FTS5 p{p} (in-process)"]
        assert vs_fts5["target"] == "≤ 1× (≤ FTS5)"
        if "fts5" in ran:
            assert vs_fts5["ours"] == pytest.approx(
                result["query"]["ours"][f"p{p}_ms"] / result["query"]["fts5"][f"p{p}_ms"]
            )
            assert vs_fts5["met"] is (vs_fts5["ours"] <= 1)
    split = rows["serving worker RSS, private (anon) / file-backed (index pages)"]
    anon_max = max(m["anon_mb"] for m in http["worker_memory"])
    file_max = max(m["file_mb"] for m in http["worker_memory"])
    assert (
        split["ours"] == f"{anon_max:.1f} / {file_max:.1f}" and split["target"] == "" and split["met"] is None
    )
    uss_pss = rows["serving worker USS / PSS"]
    assert uss_pss["target"] == "" and uss_pss["met"] is None
    if "uss_mb" in http["worker_memory"][0]:
        uss, pss = (float(x) for x in uss_pss["ours"].split(" / "))
        assert uss <= pss + 0.1 <= rows["serving worker RSS (max)"]["ours"] + 0.2
    assert rows["HTTP /api/search req/s, cache off"]["ours"] == us["requests_per_s"]
    assert rows["HTTP /api/search req/s, cache off"]["target"] == "≥ 0.25 × /healthz"
    assert rows["HTTP /api/search p99, cache off"]["ours"] == us["p99_ms"]
    assert rows["HTTP /api/search p99, cache off"]["target"] == "≤ 100 ms"
    assert rows["HTTP /api/search result cache hit rate, cache off"]["ours"] == 0
    assert rows["HTTP /api/search result cache hit rate, cache off"]["met"] is True
    assert rows["HTTP /api/search errors, cache off"]["met"] is True
    metrics = {row["metric"] for row in result["targets"]}
    assert {"build articles/s", "query p50 (in-process)", "cold start to first answer"} <= metrics
    table = (out / "bench.md").read_text(encoding="utf-8")
    assert "| build articles/s |" in table and "HTTP /api/search req/s" in table
    assert "| HTTP /api/search result cache hit rate |" in table
    assert "Result cache hit rate of the search run: " in table
    assert "In-process result cache over the timed queries (all distinct): 0 hits" in table
    assert "| HTTP /api/search req/s, cache off |" in table and "| HTTP /api/search p99, cache off |" in table
    assert "Search with the result cache off: a second `zhsearch serve --workers 2`" in table
    assert "result cache hit rate 0.0 % (0 hits" in table
    assert "| serving worker RSS, private (anon) / file-backed (index pages) | " in table
    assert "| serving worker USS / PSS | " in table
    assert "the file-backed pages are the parts of the mmapped index the worker has read" in table
    assert "400 articles (" in table and "scale ×2: the 200 articles of the slice 2 times" in table
    assert "| kind | n | p50 | p95 | p99 |" in table
    assert "| **quoted phrases** (phrase + body_phrase) | " in table and "| **all** | " in table
    assert "| quoted phrases p95 (in-process) | " in table
    assert "| query p50 ×4 ÷ p50 ×2 (in-process) | " in table
    assert "Scale runs: zhsearch alone at ×4 (800 articles)" in table

    # the scale-4 target applies when the scale run has 4 times the main run's articles
    quad = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    quad["meta"]["scale"] = 1
    assert bench.main(["--render", str(out / "bench.json"), "--out", str(tmp_path / "q"), "--no-plots"]) == 0
    (tmp_path / "quad.json").write_text(json.dumps(quad), encoding="utf-8")
    assert (
        bench.main(["--render", str(tmp_path / "quad.json"), "--out", str(tmp_path / "q"), "--no-plots"]) == 0
    )
    rendered = json.loads((tmp_path / "q" / "bench.json").read_text(encoding="utf-8"))
    row = {r["metric"]: r for r in rendered["targets"]}["query p50 ×4 ÷ p50 ×1 (in-process)"]
    assert row["target"] == "≤ 2.5×" and row["met"] is (row["ours"] <= 2.5)
    assert rendered["query"]["ours"]["phrases"] == result["query"]["ours"]["phrases"]

    # --render of a bench.json from before the cache-off run (no "uncached", no "cache"): rows show –
    old = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    del old["http"]["uncached"], old["http"]["search"]["cache"], old["http"]["worker_memory"]
    del old["meta"]["scale"], old["meta"]["base_articles"], old["scales"]
    for q in old["query"].values():  # no per-query kinds, no quoted-phrase figures, one phrase kind
        del q["kinds"], q["phrases"], q["phrases_p95_ms"], q["by_kind"]["body_phrase"]
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    assert (
        bench.main(["--render", str(tmp_path / "old.json"), "--out", str(tmp_path / "re"), "--no-plots"]) == 0
    )
    table = (tmp_path / "re" / "bench.md").read_text(encoding="utf-8")
    assert "| HTTP /api/search p99, cache off | – |" in table
    assert "Search with the result cache off: not measured in this run" in table
    assert "| serving worker RSS, private (anon) / file-backed (index pages) | – |" in table
    assert "| serving worker USS / PSS | – |" in table
    assert "Serving worker memory split (anon / file-backed, USS / PSS): not recorded" in table
    phrase_p95 = old["query"]["ours"]["by_kind"]["phrase"]["p95_ms"]
    assert f"| quoted phrases p95 (in-process) | {bench_fmt(phrase_p95)} ms |" in table
    assert (
        "| **quoted phrases** (phrase) | " in table and "scale ×" not in table and "Scale runs" not in table
    )


def bench_fmt(v: float) -> str:
    from bench.report import _fmt

    return _fmt(v)


def test_scale_options() -> None:
    assert parse_scales(None, None) == [1]
    assert parse_scales(2, None) == [2]  # --scale 2: the main run at 2, nothing else
    assert parse_scales(None, "1,4") == [1, 4]
    for scale, scales in ((2, "1,4"), (0, None), (None, "1,1"), (None, "1,x"), (None, "")):
        with pytest.raises(ValueError):
            parse_scales(scale, scales)


def test_skips_without_the_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--corpus", str(tmp_path / "absent.jsonl.gz"), "--out", str(tmp_path / "r")]) == 0
    assert "skipped" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
