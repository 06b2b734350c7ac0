"""``GET /metrics``: Prometheus text format, in process and under ``zhsearch serve`` with two workers."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from web_fixtures import CORPUS, TEST_CONFIG, LiveServer, build_index

from indexer.ingest.runstate import write_status
from web import create_app
from web.metrics import index_facts

SEARCH = "/api/search?q=" + quote("公安部")


def scrape(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and sorted labels (parsed by prometheus_client's own parser)."""
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def requests_of(samples: dict, endpoint: str, status: str, method: str = "GET") -> float:
    key = (
        "zhsearch_http_requests_total",
        (("endpoint", endpoint), ("method", method), ("status", status)),
    )
    return samples.get(key, 0.0)


def test_metrics_count_requests_searches_and_cache_hits(make_web_app) -> None:  # type: ignore[no-untyped-def]
    client = make_web_app().test_client()
    for _ in range(3):
        assert client.get(SEARCH).status_code == 200
    assert client.get("/api/articles/nope").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = scrape(response.get_data(as_text=True))
    assert requests_of(samples, "/api/search", "200") == 3
    assert requests_of(samples, "/api/articles/<path:doc_id>", "404") == 1
    assert requests_of(samples, "unmatched", "404") == 1
    assert samples[("zhsearch_result_cache_requests_total", (("result", "miss"),))] == 1
    assert samples[("zhsearch_result_cache_requests_total", (("result", "hit"),))] == 2
    assert samples[("zhsearch_search_duration_seconds_count", (("cache", "miss"),))] == 1
    latency = samples[("zhsearch_http_request_duration_seconds_count", (("endpoint", "/api/search"),))]
    assert latency == 3
    assert samples[("zhsearch_index_up", ())] == 1
    assert samples[("zhsearch_index_documents", ())] == len(CORPUS)
    assert samples[("zhsearch_index_generation", ())] == 1
    assert samples[("zhsearch_index_commit", ())] >= 1
    assert samples[("zhsearch_index_commit_timestamp_seconds", ())] > time.time() - 24 * 3600
    assert samples[("zhsearch_http_requests_in_progress", ())] == 1  # the scrape itself


def test_every_metric_is_documented_with_a_scrape_config(make_web_app) -> None:  # type: ignore[no-untyped-def]
    """docs/operations.md names each metric family a scrape shows and gives Prometheus a scrape config."""
    operations = (Path(__file__).resolve().parent.parent / "docs" / "operations.md").read_text(
        encoding="utf-8"
    )
    client = make_web_app().test_client()
    assert client.get(SEARCH).status_code == 200
    families = {f.name for f in text_string_to_metric_families(client.get("/metrics").get_data(as_text=True))}
    assert {"zhsearch_http_requests", "zhsearch_index_documents"} <= families
    documented = [n for n in families if f"`{n}" in operations or f"`{n}_total" in operations]
    undocumented = families - set(documented) - {n for n in families if n.endswith("_created")}
    assert undocumented == set()  # (_created: the time a series began, prometheus_client in one process)
    assert "scrape_configs:" in operations and "metrics_path: /metrics" in operations


def test_a_hostile_method_does_not_grow_the_label_set(make_web_app) -> None:  # type: ignore[no-untyped-def]
    client = make_web_app().test_client()
    assert client.open("/healthz", method="BREW").status_code == 405
    samples = scrape(client.get("/metrics").get_data(as_text=True))
    assert requests_of(samples, "unmatched", "405", method="other") == 1


def test_metrics_off(make_web_app) -> None:  # type: ignore[no-untyped-def]
    response = make_web_app(METRICS="0").test_client().get("/metrics")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_metrics_setting_must_be_yes_or_no(web_index: Path) -> None:
    with pytest.raises(ValueError, match="METRICS"):
        create_app({**TEST_CONFIG, "INDEX_DIR": str(web_index), "METRICS": "maybe"})


def test_metrics_without_an_index(tmp_path: Path) -> None:
    app: Flask = create_app({**TEST_CONFIG, "INDEX_DIR": str(tmp_path / "none")})
    samples = scrape(app.test_client().get("/metrics").get_data(as_text=True))
    assert samples[("zhsearch_index_up", ())] == 0
    assert ("zhsearch_index_documents", ()) not in samples


def test_last_admin_reindex_facts(tmp_path: Path) -> None:
    index_dir = build_index(tmp_path, CORPUS[:3])
    app: Flask = create_app({**TEST_CONFIG, "INDEX_DIR": str(index_dir)})
    engine = app.extensions["zhsearch"].engine
    assert "zhsearch_last_reindex_duration_seconds" not in index_facts(engine)  # never run from the API
    summary = {"seconds": 12.5}
    status = {
        "state": "finished",
        "started": "2026-01-02T03:04:00+00:00",
        "ended": "2026-01-02T03:04:13+00:00",
    }
    write_status(index_dir, {**status, "summary": summary})
    facts = index_facts(engine)
    assert facts["zhsearch_last_reindex_duration_seconds"] == 12.5
    assert facts["zhsearch_last_reindex_timestamp_seconds"] == 1767323053.0
    assert facts["zhsearch_last_reindex_success"] == 1.0
    write_status(index_dir, {**status, "state": "failed", "error": "disk full"})
    facts = index_facts(engine)
    assert facts["zhsearch_last_reindex_success"] == 0.0
    assert facts["zhsearch_last_reindex_duration_seconds"] == 13.0
    write_status(index_dir, {"state": "running", "started": status["started"]})
    assert "zhsearch_last_reindex_success" not in index_facts(engine)


def _worker_files(tmp: Path) -> set[str]:
    """The pids of the processes that counted requests in the server's metrics directory."""
    return {p.stem.split("_")[-1] for p in tmp.glob("zhsearch-metrics-*/counter_*.db")}


def _hammer(server: LiveServer, n: int, threads: int = 8) -> list[int]:
    statuses: list[int] = []
    lock = threading.Lock()

    def run(count: int) -> None:
        for _ in range(count):
            status = server.get(SEARCH)[0]
            with lock:
                statuses.append(status)

    workers = [threading.Thread(target=run, args=(n // threads,)) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return statuses


@pytest.mark.slow
def test_metrics_add_up_both_gunicorn_workers(tmp_path: Path) -> None:
    index_dir = build_index(tmp_path, CORPUS[:5])
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    server = LiveServer(index_dir, workers=2, env={"TMPDIR": str(tmp)}).wait_ready()
    try:
        sent = 0
        deadline = time.monotonic() + 20
        while len(_worker_files(tmp)) < 2 and time.monotonic() < deadline:
            statuses = _hammer(server, 40)
            assert set(statuses) == {200}
            sent += len(statuses)
        assert len(_worker_files(tmp)) == 2, "one worker answered every request"
        for _ in range(6):  # each scrape may land on either worker: every one adds up both
            status, headers, body = server.get("/metrics")
            assert status == 200 and headers["Content-Type"].startswith("text/plain")
            samples = scrape(body.decode())
            assert requests_of(samples, "/api/search", "200") == sent
            hits = samples[("zhsearch_result_cache_requests_total", (("result", "hit"),))]
            misses = samples[("zhsearch_result_cache_requests_total", (("result", "miss"),))]
            assert hits + misses == sent and misses >= 2  # a miss at least in each worker's cache
            assert samples[("zhsearch_index_documents", ())] == 5
        assert requests_of(samples, "/metrics", "200") >= 5
        assert json.loads(server.get("/healthz")[2])["documents"] == 5
    finally:
        log = server.stop()
    assert not list(tmp.glob("zhsearch-metrics-*")), log  # removed when the server stops
