"""The admin API (token, status, background reindex one at a time) and query-time synonyms."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from ops_helpers import write_state
from web_fixtures import TEST_CONFIG

from indexer.ingest.runstate import STATUS_FILE, FileProgress, read_status, write_status
from indexer.store import ReindexLock
from indexer.writer import reindex
from search import Searcher
from search.synonyms import SynonymTable, parse_synonyms
from web import create_app
from zhsearch.cli import cli

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _client(tmp_path: Path, **config: Any) -> FlaskClient:
    app = create_app(
        {
            **TEST_CONFIG,
            "INDEX_DIR": str(tmp_path / "index"),
            "ARTICLES_DIR": str(tmp_path / "articles"),
            "USERDICT": str(tmp_path / "userdict.txt"),
            "SYNONYMS": str(tmp_path / "synonyms.txt"),
            **config,
        }
    )
    return app.test_client()


@pytest.fixture
def indexed(tmp_path: Path) -> Path:
    source = write_state(tmp_path / "articles" / "news.jsonl", {n: 1 for n in range(1, 5)})
    reindex([source], tmp_path / "index", jobs=1)
    return source


def test_admin_api_is_off_without_a_token(tmp_path: Path, indexed: Path) -> None:
    client = _client(tmp_path)
    assert client.get("/api/admin/status", headers=AUTH).status_code == 404
    assert client.post("/api/admin/reindex", headers=AUTH).status_code == 404


def test_admin_token_missing_401_wrong_403(tmp_path: Path, indexed: Path) -> None:
    client = _client(tmp_path, ADMIN_TOKEN=TOKEN)
    for method in (client.get, client.post):
        path = "/api/admin/status" if method == client.get else "/api/admin/reindex"
        response = method(path)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json["error"]["code"] == "unauthorized"
        assert method(path, headers={"Authorization": "Basic " + TOKEN}).status_code == 401
        response = method(path, headers={"Authorization": "Bearer " + TOKEN[:-1] + "X"})
        assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert not (tmp_path / "index" / STATUS_FILE).exists()  # nothing started


def _wait_finished(client: FlaskClient, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get("/api/admin/status", headers=AUTH).json
        if not body["reindex"]["running"] and body["last_run"] and body["last_run"]["state"] != "running":
            return body
        time.sleep(0.1)
    raise AssertionError(f"the reindex did not end: {body}")


@pytest.mark.slow
def test_admin_status_and_background_reindex_one_at_a_time(tmp_path: Path, indexed: Path) -> None:
    client = _client(tmp_path, ADMIN_TOKEN=TOKEN)
    body = client.get("/api/admin/status", headers=AUTH).json
    assert body["status"] == "ok" and body["documents"] == 4 and body["generation"] == "gen-000001"
    assert body["analysis"]["fingerprint"] == body["analysis"]["index_fingerprint"]
    assert body["needs_full_rebuild"] is False and body["reindex"] == {"running": False}
    assert body["last_run"] is None

    # a reindex from a shell holds the lock: 409
    with ReindexLock(tmp_path / "index"):
        response = client.post("/api/admin/reindex", headers=AUTH)
        assert response.status_code == 409 and f"pid {os.getpid()}" in response.json["error"]["message"]
        running = client.get("/api/admin/status", headers=AUTH).json["reindex"]
        assert running["running"] and running["current"]["pid"] == os.getpid()

    write_state(indexed, {n: 1 for n in range(1, 7)})
    response = client.post("/api/admin/reindex", headers=AUTH)
    assert response.status_code == 202, response.json
    again = client.post(
        "/api/admin/reindex", headers=AUTH, json={"full": True}
    )  # the child is still starting
    assert again.status_code == 409 and again.json["error"]["code"] == "reindex_running"
    body = _wait_finished(client)
    assert body["last_run"]["state"] == "finished", body
    assert body["last_run"]["summary"]["added"] == 2 and body["last_run"]["summary"]["mode"] == "incremental"
    assert body["documents"] == 6

    # the user dictionary changes segmentation: status says a full rebuild is due, the next reindex does it
    userdict = ["--userdict", str(tmp_path / "userdict.txt"), "--index", str(tmp_path / "index")]
    assert CliRunner().invoke(cli, ["dict", "add", "巡检工作", *userdict]).exit_code == 0
    body = client.get("/api/admin/status", headers=AUTH).json
    assert body["needs_full_rebuild"] is True and "full" in body["needs_full_rebuild_reason"]
    assert body["analysis"]["userdict_words"] == 1
    assert client.post("/api/admin/reindex", headers=AUTH, json={"full": False}).status_code == 202
    body = _wait_finished(client)
    assert body["last_run"]["summary"]["mode"] == "full" and body["needs_full_rebuild"] is False
    assert body["generation"] == "gen-000002"
    assert client.post("/api/admin/reindex", headers=AUTH, data="[1]").status_code == 400


def test_status_shows_the_progress_of_a_running_reindex_and_an_interrupted_one(
    tmp_path: Path, indexed: Path
) -> None:
    index_dir = tmp_path / "index"
    client = _client(tmp_path, ADMIN_TOKEN=TOKEN)
    with ReindexLock(index_dir):
        base = {"state": "running", "pid": os.getpid(), "started": "2026-01-01T00:00:00+00:00", "full": True}
        progress = FileProgress(index_dir, base, interval=0)
        progress.start(100)
        progress.advance(40)
        assert read_status(index_dir)["progress"] == {"read": 40, "estimate": 100}
        current = client.get("/api/admin/status", headers=AUTH).json["reindex"]["current"]
        assert current["progress"] == {"read": 40, "estimate": 100} and current["full"] is True
    # the run was killed: the lock and the status file name a process that is gone
    (index_dir / "LOCK").write_text("999999\n")
    write_status(index_dir, {**read_status(index_dir), "pid": 999999})
    body = client.get("/api/admin/status", headers=AUTH).json
    assert body["reindex"] == {"running": False} and body["last_run"]["state"] == "interrupted"
    write_status(index_dir, {"state": "failed", "error": "no article could be read"})
    assert (
        client.get("/api/admin/status", headers=AUTH).json["last_run"]["error"] == "no article could be read"
    )


# -- synonyms ---------------------------------------------------------------------------------------------------


def test_parse_synonyms_folds_and_groups() -> None:
    groups = parse_synonyms("# comment\n美国,美方, 美利坚\n\n新冠，新型冠状病毒 # tail\n美國、US\nlonely\n")
    assert groups["美国"] == ("us", "美利坚", "美方")  # a word of two groups: their union, folded
    assert groups["美方"] == ("美利坚", "美国")
    assert groups["新型冠状病毒"] == ("新冠",)
    assert "lonely" not in groups


def _ids(searcher: Searcher, q: str) -> list[str]:
    return sorted(h.id for h in searcher.search(q, per_page=50).hits)


def test_synonyms_apply_at_query_time_and_reload_when_the_file_changes(make_index) -> None:  # type: ignore[no-untyped-def]
    index_dir = make_index(
        [
            {"id": "us", "title": "美国宣布新关税", "body": "美国政府宣布加征关税。"},
            {"id": "side", "title": "美方回应", "body": "美方表示将继续谈判。"},
            {"id": "other", "title": "欧盟表态", "body": "欧盟表示关注。"},
        ]
    )
    path = index_dir.parent / "synonyms.txt"
    searcher = Searcher(index_dir, synonyms=path, refresh_interval=0)
    assert _ids(searcher, "美国") == ["us"]
    path.write_text("美国,美方,美利坚\n", encoding="utf-8")
    time.sleep(0.25)
    assert _ids(searcher, "美国") == ["side", "us"]
    assert _ids(searcher, "美方") == ["side", "us"]
    titles = {h.id: h.title_html for h in searcher.search("美国", per_page=50).hits}
    assert titles == {
        "us": "<mark>美国</mark>宣布新关税",
        "side": "<mark>美方</mark>回应",
    }  # synonyms marked too
    assert _ids(searcher, "美利坚 关税") == ["us"]  # the other words of the query still count
    assert _ids(searcher, "美国 -美方") == []  # a synonym excluded excludes the group
    assert _ids(searcher, "美国 OR 欧盟") == ["other", "side", "us"]
    path.write_text("美国,欧盟\n", encoding="utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    time.sleep(0.25)
    assert _ids(searcher, "美国") == ["other", "us"]
    path.unlink()
    time.sleep(0.25)
    assert _ids(searcher, "美国") == ["us"]


def test_a_broken_synonyms_file_keeps_the_groups_loaded_before(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.txt"
    path.write_text("美国,美方\n", encoding="utf-8")
    table = SynonymTable(path, check_seconds=0)
    assert table.lookup("美国") == ("美方",)
    path.write_bytes(b"\xff\xfe\x00bad")
    assert table.lookup("美国") == ("美方",) and "cannot be read" in (table.error or "")
    assert SynonymTable(None).lookup("美国") == ()


def test_synonyms_through_the_web_app(tmp_path: Path, indexed: Path) -> None:
    (tmp_path / "synonyms.txt").write_text("巡检,巡查\n", encoding="utf-8")
    client = _client(tmp_path)
    body = client.get("/api/search?q=巡查").json
    assert body["total"] == 4
    assert json.loads(client.get("/api/search?q=巡视").data)["total"] == 0
