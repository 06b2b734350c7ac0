"""``zhsearch serve``: gunicorn worker processes over the index, a reindex picked up live, access logs."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from web_fixtures import CORPUS, LiveServer, build_index, write_corpus

from indexer.writer import reindex
from zhsearch.cli import cli


def test_serve_help() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--host", "--port", "--workers", "--threads", "--index", "--log-json"):
        assert option in result.output


def test_serve_rejects_bad_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ZHSEARCH_RATE_LIMIT", "lots")
    result = CliRunner().invoke(cli, ["serve", "--index", str(tmp_path)])
    assert result.exit_code == 1 and "bad setting: RATE_LIMIT" in result.output


@pytest.mark.parametrize("state", ["missing", "empty", "no generation"])
def test_serve_without_an_index_fails_at_once_naming_the_directory(tmp_path: Path, state: str) -> None:
    index_dir = tmp_path / "index"
    if state != "missing":
        index_dir.mkdir()
    if state == "no generation":
        (index_dir / "gen-000001.building").mkdir()  # a first build that died
    result = CliRunner().invoke(cli, ["serve", "--index", str(index_dir), "--port", "0"])
    assert result.exit_code == 1, result.output
    what = {
        "missing": "does not exist",
        "empty": "is empty",
        "no generation": "holds no index (no CURRENT generation)",
    }[state]
    assert result.output.startswith(f"Error: no index to serve: {index_dir} {what}; "), result.output
    assert f"`zhsearch reindex --index {index_dir} ARTICLES...`" in result.output
    assert len(result.output.strip().splitlines()) == 1


def _wait_for(server: LiveServer, documents: int, timeout: float = 15.0) -> None:
    """Until several requests in a row (so every worker) report ``documents``."""
    deadline = time.monotonic() + timeout
    streak = 0
    while time.monotonic() < deadline:
        status, body = server.json("/healthz")
        streak = streak + 1 if status == 200 and body["documents"] == documents else 0
        if streak >= 8:
            return
        time.sleep(0.05)
    raise AssertionError(f"the server never reported {documents} documents; last: {status} {body}")


@pytest.mark.slow
def test_serve_workers_pick_up_new_index_generations(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    source = write_corpus(tmp_path / "articles", CORPUS[:2])
    reindex([source], index_dir, jobs=1)
    server = LiveServer(
        index_dir, "--log-json", workers=2, env={"ZHSEARCH_REFRESH_SECONDS": "0.2"}
    ).wait_ready()
    try:
        _wait_for(server, 2)
        write_corpus(tmp_path / "articles", CORPUS[:3])
        reindex([source], index_dir, jobs=1)  # an incremental commit
        _wait_for(server, 3)
        status, headers, raw = server.get("/api/search?q=%E5%85%AC%E5%AE%89%E9%83%A8")
        assert status == 200 and headers["Content-Type"] == "application/json"
        assert json.loads(raw)["total"] == 3 and "公安部".encode() in raw

        write_corpus(tmp_path / "articles", CORPUS[:6])
        reindex([source], index_dir, full=True, jobs=1)  # a new generation, swapped in atomically
        _wait_for(server, 6)
        status, body = server.json("/api/suggest?q=mb")
        assert status == 200 and "缅北电诈园区被全部铲除" in [s["text"] for s in body["suggestions"]]
        status, _, page = server.get("/?q=%E7%BC%85%E5%8C%97")
        assert status == 200 and "<mark>缅北</mark>" in page.decode()
    finally:
        log = server.stop()
    lines = [json.loads(line) for line in log.splitlines() if line.strip()]  # every line is JSON
    access = [x for x in lines if x.get("logger") == "zhsearch.access"]
    searched = [x for x in access if x["path"] == "/api/search"]
    assert (
        searched
        and searched[0]["q"] == "公安部"
        and searched[0]["hits"] == 3
        and searched[0]["status"] == 200
    )
    assert searched[0]["ms"] >= 0 and searched[0]["method"] == "GET"
    assert any(x["path"] == "/" and x["q"] == "缅北" for x in access)
    assert any(x.get("logger", "").startswith("gunicorn") for x in lines)


@pytest.mark.slow
def test_serve_plain_access_log(tmp_path: Path) -> None:
    index_dir = build_index(tmp_path, CORPUS[:3])
    server = LiveServer(index_dir).wait_ready()
    try:
        assert server.json("/api/search?q=%E5%85%AC%E5%AE%89%E9%83%A8")[1]["total"] == 3
        status, headers, _ = server.get("/")
        assert status == 200 and "unsafe-inline" not in headers["Content-Security-Policy"]
    finally:
        log = server.stop()
    assert f"serving {index_dir}" in log
    line = next(x for x in log.splitlines() if "/api/search" in x)
    assert 'q="公安部" hits=3 cache=miss' in line and " 200 " in line and line.rstrip().endswith("ms")


def _raw(port: int, request: bytes) -> tuple[str, dict[str, str], bytes]:
    """Send ``request`` as is on a new connection; the status line, headers and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return status, headers, body


@pytest.mark.slow
@pytest.mark.parametrize("threads", [1, 4])
def test_requests_gunicorn_refuses_are_answered_with_the_apps_json_errors(
    tmp_path: Path, threads: int
) -> None:
    server = LiveServer(build_index(tmp_path, CORPUS[:3]), "--threads", str(threads)).wait_ready()
    try:
        long_url = "/api/search?q=" + "%E8%AF%88" * 3000  # 27,014 bytes
        refused = {
            "414": f"GET {long_url} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
            "431": b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * 9000 + b"\r\n\r\n",
            "400": b"GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n",
        }
        codes = {"414": "uri_too_long", "431": "headers_too_large", "400": "bad_request"}
        for status, request in refused.items():
            line, headers, body = _raw(server.port, request)
            assert line.split(" ", 2)[1] == status, (line, body)
            assert headers["content-type"] == "application/json" and headers["connection"] == "close"
            assert int(headers["content-length"]) == len(body)
            error = json.loads(body)["error"]
            assert error["code"] == codes[status] and error["message"], error
        assert (
            "the request line (method, URL, version) is longer than 8,190 bytes"
            in json.loads(_raw(server.port, refused["414"])[2])["error"]["message"]
        )
        # just under the limit, the app answers itself (its own JSON 400: the query is too long)
        under = "/api/search?q=" + "%E8%AF%88" * 900
        line, headers, body = _raw(
            server.port, f"GET {under} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
        )
        assert " 400 " in line and json.loads(body)["error"]["code"] == "query_too_long"
        assert server.json("/healthz")[0] == 200  # the worker still serves
    finally:
        log = server.stop()
    assert "Invalid request from ip=127.0.0.1" in log
