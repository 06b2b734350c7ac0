"""What a WordPress sync costs: ``zhsearch sync wordpress`` against a real WordPress (issue 28's targets).

``python -m bench.wordpress_sync [--posts N] [--changed K] [--rounds R]`` stands up Debian's WordPress 6.1 on
``php -S`` with a throw-away MariaDB (the tests' fixture, ``tests/wordpress_fixture.py``), publishes N posts
(default 1,000: passages of the shipped sample corpus, with categories, tags and an author) and times whole
``zhsearch sync wordpress`` processes on it:

1. the first sync (every post fetched, a full build);
2. R syncs with nothing changed;
3. R rounds of K edited posts (default 10) and the sync that follows.

Targets: first sync of 1,000 posts <= 60 s, nothing changed <= 2 s, 10 changed <= 5 s, on 2 cores. The table goes
to ``bench/results/wordpress.md`` (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.corpus import REPO, iter_records
from bench.runs import loadavg, log, timed_process, zhsearch_cmd

sys.path.insert(0, str(REPO / "tests"))
from wordpress_fixture import WordPressSite, insert_posts  # noqa: E402

RESULTS = REPO / "bench" / "results"
CORPUS = REPO / "index_data" / "articles" / "cmrc2018-wikipedia.jsonl"
CATEGORIES = ["法治", "经济", "社会", "国际", "体育", "文化"]
TARGETS = {"first": 60.0, "noop": 2.0, "changed": 5.0}


def _posts(n: int, author: int) -> list[dict[str, Any]]:
    records = list(iter_records(CORPUS))
    posts = []
    for i in range(n):
        record = records[i % len(records)]
        paragraphs = "".join(f"<p>{line}</p>\n" for line in str(record["body"]).split("\n") if line.strip())
        posts.append(
            {
                "post_title": f"{record['title']}（{i + 1}）",
                "post_content": paragraphs,
                "categories": [CATEGORIES[i % len(CATEGORIES)]],
                "tags_input": [str(record["title"])[:8]],
                "post_author": author,
                "post_date": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:00:00",
            }
        )
    return posts


def _sync(url: str, index_dir: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHSEARCH_")}
    cmd = [*zhsearch_cmd(), "sync", "wordpress", url, "--index", str(index_dir), "--json"]
    run = timed_process(cmd, env=env)
    run["summary"] = json.loads(run.pop("stdout").strip().splitlines()[-1])
    log(
        f"  {run['seconds']:.2f} s: {run['summary']['added']} added, {run['summary']['updated']} updated, "
        f"{run['summary']['deleted']} deleted"
    )
    return run


def _edit(site: WordPressSite, ids: list[int], round_number: int) -> None:
    code = "".join(
        f"wp_update_post(array('ID' => {post_id}, 'post_content' => get_post({post_id})->post_content"
        f" . '<p>第{round_number}次更正：本文已更新。</p>'));\n"
        for post_id in ids
    )
    site.php(code)


def run(posts: int, changed: int, rounds: int, work: Path) -> dict[str, Any]:
    (work / "wordpress").mkdir()
    site = WordPressSite(work / "wordpress").start()
    try:
        author = site.php_json(
            "echo json_encode(wp_insert_user(array('user_login' => 'zhang', 'user_pass' => 'secret-1',"
            " 'display_name' => '张记者', 'role' => 'author')));"
        )
        log(f"publishing {posts:,} posts")
        ids = []
        batch = _posts(posts, author)
        for start in range(0, len(batch), 250):
            ids += insert_posts(site, batch[start : start + 250])
        index_dir = work / "index"
        before = loadavg()
        log("first sync")
        first = _sync(site.url, index_dir)
        log("syncs with nothing changed")
        noop = [_sync(site.url, index_dir) for _ in range(rounds)]
        changes = []
        for r in range(rounds):
            log(f"{changed} posts edited, round {r + 1}")
            _edit(site, ids[r * changed : (r + 1) * changed], r + 1)
            changes.append(_sync(site.url, index_dir))
    finally:
        site.stop()
    return {
        "posts": posts,
        "changed": changed,
        "cpus": os.cpu_count(),
        "loadavg_before": before,
        "loadavg_after": loadavg(),
        "first": first,
        "noop": noop,
        "changes": changes,
    }


def _median(runs: list[dict[str, Any]]) -> float:
    return statistics.median(run["seconds"] for run in runs)


def report(result: dict[str, Any]) -> str:
    first, noop, changes = result["first"], result["noop"], result["changes"]
    rows = [
        ("first sync", f"{result['posts']:,} posts", first["seconds"], TARGETS["first"], first["summary"]),
        ("nothing changed", f"median of {len(noop)}", _median(noop), TARGETS["noop"], noop[-1]["summary"]),
        (
            f"{result['changed']} edited",
            f"median of {len(changes)}",
            _median(changes),
            TARGETS["changed"],
            changes[-1]["summary"],
        ),
    ]
    lines = [
        "# zhsearch sync wordpress: timings",
        "",
        "Whole `zhsearch sync wordpress URL --index DIR --json` processes against Debian's WordPress 6.1 on `php -S`",
        "(opcache on, two workers) with a throw-away MariaDB on the same machine, as the tests run it. Reproduce:",
        "`.venv/bin/python -m bench.wordpress_sync` (needs `wordpress php-cli php-mysql mariadb-server`).",
        "",
        f"{result['cpus']} CPUs (shared: load average {result['loadavg_before']} before the runs,"
        f" {result['loadavg_after']} after).",
        "",
        "| run | of | seconds | target | met | fetching | reindex | start-up | added / updated / deleted | CPU s |"
        " peak RSS (tree) |",
        "|---|---|---:|---:|---|---:|---:|---:|---|---:|---:|",
    ]
    for name, of, seconds, target, summary in rows:
        runs = {"first sync": [first]}.get(name) or (noop if name == "nothing changed" else changes)
        cpu = statistics.median(r["cpu_seconds"] for r in runs)
        rss = max((r["peak_rss_tree_mb"] or r["max_process_rss_mb"]) for r in runs)
        fetching = statistics.median(r["summary"]["fetch_seconds"] for r in runs)
        reindexing = statistics.median(r["summary"]["seconds"] - r["summary"]["fetch_seconds"] for r in runs)
        startup = statistics.median(r["seconds"] - r["summary"]["seconds"] for r in runs)
        lines.append(
            f"| {name} | {of} | {seconds:.2f} | ≤ {target:g} | {'yes' if seconds <= target else 'NO'} | "
            f"{fetching:.2f} | {reindexing:.2f} | {startup:.2f} | "
            f"{summary['added']} / {summary['updated']} / {summary['deleted']} | {cpu:.1f} | {rss:.0f} MB |"
        )
    lines += [
        "",
        "Every run: `?rest_route=/` (the site), the ids and `modified_gmt` of every post (a hundred a request),",
        "then only the new and changed posts (a hundred a request, author and terms embedded), the mirror in",
        "`<index>/sources/` rewritten only when something changed, and the incremental reindex of that directory.",
        "Medians; *fetching*: the requests and the mirror, *reindex*: the incremental reindex with its merges and",
        "derived data (suggestions, spelling, near-duplicates), *start-up*: the rest of the process's wall time",
        "(Python and the imports of the `zhsearch` command, before and after the sync).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1000, help="posts published (default 1,000)")
    parser.add_argument("--changed", type=int, default=10, help="posts edited before each change sync")
    parser.add_argument("--rounds", type=int, default=5, help="no-op syncs and change rounds (default 5)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="zhsearch-wpbench-") as tmp:
        result = run(args.posts, args.changed, args.rounds, Path(tmp))
    args.out.mkdir(parents=True, exist_ok=True)
    text = report(result)
    (args.out / "wordpress.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
