"""Read replicas: `zhsearch snapshot DEST` served by `zhsearch serve --index DEST`, two of them behind nginx.

The nginx test needs Debian's nginx (installed by .ci/run, which sets ZHSEARCH_REQUIRE_NGINX=1); elsewhere it is
skipped with a message when nginx is missing.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from ops_helpers import Load, signature, wait_for_state, write_state
from web_fixtures import free_port

from indexer.check import check_index
from indexer.derived.suggest import DEFAULT_TERMS, DEFAULT_TITLES, read_suggestions
from indexer.writer import reindex
from search import Searcher
from zhsearch.cli import cli

S0 = {n: 1 for n in range(1, 9)}
S1 = {**{n: 1 for n in range(1, 9) if n != 3}, 2: 2, 9: 1}
S2 = {**{n: v for n, v in S1.items() if n != 1}, 4: 2, 10: 1}


def _snapshot(index_dir: Path, dest: Path) -> str:
    result = CliRunner().invoke(cli, ["snapshot", str(dest), "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    return result.output


def test_snapshot_is_a_consistent_servable_copy(tmp_path: Path) -> None:
    source = write_state(tmp_path / "articles" / "news.jsonl", S0)
    index_dir, dest = tmp_path / "index", tmp_path / "replica"
    reindex([source], index_dir, jobs=1)
    write_state(source, S1)
    reindex([source], index_dir, jobs=1)  # a second commit inside the live generation
    output = _snapshot(index_dir, dest)
    assert "snapshot of gen-000001 commit 2 (8 articles" in output and "gen-000001;" in output
    assert check_index(dest).ok
    # the suggestions of that commit come along (a replica's workers load them instead of building them)
    assert (
        read_suggestions(dest / "gen-000001", 2, max_terms=DEFAULT_TERMS, max_titles=DEFAULT_TITLES)
        is not None
    )
    searcher = Searcher(dest, refresh_interval=0)
    assert {(h.id, h.title) for h in searcher.search("巡检", per_page=50).hits} == signature(S1)
    for _ in range(3):  # later snapshots replace it in place; only the one served is kept
        _snapshot(index_dir, dest)
    assert sorted(p.name for p in dest.iterdir()) == ["CURRENT", "LOCK", "gen-000004"]
    assert searcher.search("巡检", per_page=50).total == len(S1)


def test_snapshot_errors_are_messages(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["snapshot", str(tmp_path / "d"), "--index", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no index at" in result.output
    source = write_state(tmp_path / "articles" / "news.jsonl", S0)
    reindex([source], tmp_path / "index", jobs=1)
    result = CliRunner().invoke(
        cli, ["snapshot", str(tmp_path / "index"), "--index", str(tmp_path / "index")]
    )
    assert result.exit_code == 1 and "is the index itself" in result.output


# -- two replicas behind nginx ----------------------------------------------------------------------------------

NGINX_CONF = """
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    upstream zhsearch {{
        server 127.0.0.1:{a} max_fails=1 fail_timeout=2s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=2s;
        keepalive 8;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://zhsearch;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_connect_timeout 1s;
            proxy_next_upstream error timeout http_502 http_503 http_504;
            proxy_next_upstream_tries 2;
        }}
    }}
}}
"""


def _nginx() -> str | None:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if found is None:
        if os.environ.get("ZHSEARCH_REQUIRE_NGINX"):
            pytest.fail("nginx is required (ZHSEARCH_REQUIRE_NGINX is set) but not installed")
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    return found


class Replica:
    """`zhsearch serve` on a fixed loopback port, in its own process group (so a clean-up reaches its workers)."""

    def __init__(self, index_dir: Path, port: int, log: Path) -> None:
        self.index_dir, self.port, self.log = index_dir, port, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Replica:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZHSEARCH_")}
        env.update(ZHSEARCH_RATE_LIMIT="0", ZHSEARCH_REFRESH_SECONDS="0.5")
        command = [sys.executable, "-m", "zhsearch", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [*command, "--workers", "1", "--index", str(self.index_dir)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        return self

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the master stops its workers gracefully
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None


@pytest.mark.slow
def test_two_replicas_behind_nginx_roll_snapshots_and_survive_a_restart(tmp_path: Path) -> None:
    nginx = _nginx()
    source = write_state(tmp_path / "articles" / "news.jsonl", S0)
    index_dir = tmp_path / "index"
    reindex([source], index_dir, jobs=1)
    dirs = [tmp_path / "replica-a", tmp_path / "replica-b"]
    for d in dirs:
        _snapshot(index_dir, d)
    ports = [free_port(), free_port()]
    replicas = [Replica(d, p, tmp_path / f"{d.name}.log").start() for d, p in zip(dirs, ports, strict=True)]
    root = tmp_path / "nginx"
    root.mkdir()
    front = free_port()
    (root / "nginx.conf").write_text(NGINX_CONF.format(root=root, a=ports[0], b=ports[1], port=front))
    proxy = subprocess.Popen(
        [nginx, "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{front}"
    load: Load | None = None
    try:
        for r in replicas:
            wait_for_state(r.url(), S0, timeout=20)
        wait_for_state(base, S0, timeout=10)
        load = Load(base, threads=3).start()

        for state in (S1, S2):  # a new snapshot to one replica, then to the other
            write_state(source, state)
            reindex([source], index_dir, jobs=1, full=state is S2)
            for d, r in zip(dirs, replicas, strict=True):
                _snapshot(index_dir, d)
                wait_for_state(r.url(), state, timeout=3)
            wait_for_state(base, state, timeout=3)

        # killed the way `kill PID` does (SIGTERM): gunicorn finishes the requests in flight and closes its socket,
        # nginx sends the rest to the other replica. (A SIGKILL cuts the responses in flight on that replica:
        # nginx can retry only a request that has received nothing yet.)
        replicas[0].stop()
        time.sleep(1.0)
        replicas[0].start()
        wait_for_state(replicas[0].url(), S2, timeout=20)
        time.sleep(2.5)  # past nginx's fail_timeout: the restarted replica takes requests again
        load.stop()
        assert load.failures == [], load.failures[:5]
        assert load.inconsistent == [], load.inconsistent[:3]
        assert set(load.seen) <= {signature(S0), signature(S1), signature(S2)}
        assert signature(S2) in load.seen and load.requests > 50
    finally:
        if load is not None:
            load.stop()
        proxy.send_signal(signal.SIGQUIT)
        try:
            proxy.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proxy.kill()
            proxy.wait()
        for r in replicas:
            r.stop()
