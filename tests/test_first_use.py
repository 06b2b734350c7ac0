"""What a new user trips over on the error paths: a damaged CURRENT pointer, paths that hold nothing, a port in
use, `check` on a directory without an index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from zhsearch.cli import cli

RECORDS = [
    {"id": "a1", "title": "公安部部署打击电信网络诈骗", "body": "公安部召开会议，部署打击电信网络诈骗犯罪。"},
    {"id": "a2", "title": "香港零售业销货额下跌", "body": "香港特区政府统计处发表零售业销货额数字。"},
]


def zhsearch(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)  # an exception is a failure
    return result.exit_code, result.output


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    path = tmp_path / "articles" / "news.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    return path


def test_garbage_current_check_then_full_reindex_repairs_and_search_says_one_line(
    tmp_path: Path, articles: Path
) -> None:
    index_dir = tmp_path / "index"
    code, out = zhsearch("reindex", "--index", str(index_dir), "--jobs", "1", str(articles))
    assert code == 0, out
    (index_dir / "CURRENT").write_text("garbage\n", encoding="utf-8")

    code, out = zhsearch("check", "--index", str(index_dir))
    assert code == 1, out
    assert out.splitlines()[-1] == (
        f"{index_dir}: damaged; `zhsearch reindex --full` rebuilds it from the article files"
    )
    code, out = zhsearch("search", "--index", str(index_dir), "诈骗")
    assert (code, out) == (
        1,
        f"Error: the index at {index_dir} cannot be read: {index_dir / 'CURRENT'}: unexpected content 'garbage'\n",
    )
    code, out = zhsearch("search", "--index", str(index_dir), "-")
    assert code == 1 and out.count("\n") == 1 and out.startswith("Error: the index at"), out

    code, out = zhsearch("reindex", "--index", str(index_dir), "--full", "--jobs", "1", str(articles))
    assert code == 0, out
    assert "2 added" in out and "gen-000002 holds 2 articles" in out
    assert (index_dir / "CURRENT").read_text(encoding="utf-8") == "gen-000002\n"
    code, out = zhsearch("check", "--index", str(index_dir))
    assert code == 0 and "gen-000002 (commit 1) is whole: 2 articles" in out, out
    code, out = zhsearch("search", "--index", str(index_dir), "--json", "诈骗")
    assert code == 0 and json.loads(out)["total"] == 1, out


def test_incremental_reindex_over_garbage_current_rebuilds(tmp_path: Path, articles: Path) -> None:
    index_dir = tmp_path / "index"
    assert zhsearch("reindex", "--index", str(index_dir), "--jobs", "1", str(articles))[0] == 0
    (index_dir / "CURRENT").write_text("garbage\n", encoding="utf-8")
    code, out = zhsearch("reindex", "--index", str(index_dir), "--jobs", "1", str(articles))
    assert code == 0, out
    assert f"note: {index_dir / 'CURRENT'}: unexpected content 'garbage': full rebuild" in out
    assert (index_dir / "CURRENT").read_text(encoding="utf-8") == "gen-000002\n"


def test_a_missing_path_is_named_and_the_failed_first_run_leaves_no_directory(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    code, out = zhsearch("reindex", "--index", str(index_dir), "/does/not/exist")
    assert (code, out) == (
        1,
        "Error: no article could be read (1 not found); the index was left as it was\n"
        "  /does/not/exist: no such file or directory\n",
    )
    assert not index_dir.exists()
    nested = tmp_path / "a" / "b" / "ix"
    assert zhsearch("reindex", "--index", str(nested), "/does/not/exist")[0] == 1
    assert not (tmp_path / "a").exists()


def test_an_empty_file_and_an_empty_directory_are_named(tmp_path: Path, articles: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    (nothing / "notes.md").write_text("not an article", encoding="utf-8")
    index_dir = tmp_path / "ix"
    code, out = zhsearch("reindex", "--index", str(index_dir), str(empty), str(nothing))
    assert (code, out) == (
        1,
        "Error: no article could be read (1 no article files, 1 empty file); the index was left as it was\n"
        f"  {nothing}: no article files in it (.jsonl, .jsonl.gz, .json, .txt, .html, .htm, .xml)\n"
        f"  {empty}: no articles in it\n",
    )
    assert not index_dir.exists()

    # beside a file that is read, every path is named too
    code, out = zhsearch(
        "reindex", "--index", str(index_dir), "--jobs", "1", str(empty), "/does/not/exist", str(articles)
    )
    assert code == 0, out
    assert f"skipped: {empty}: no articles in it\n" in out
    assert "skipped: /does/not/exist: no such file or directory\n" in out
    assert "2 added, 0 updated, 0 deleted, 0 unchanged, 2 skipped (1 not found, 1 empty file)" in out


def test_a_failed_run_on_an_existing_index_keeps_its_directory(tmp_path: Path, articles: Path) -> None:
    index_dir = tmp_path / "ix"
    assert zhsearch("reindex", "--index", str(index_dir), "--jobs", "1", str(articles))[0] == 0
    assert zhsearch("reindex", "--index", str(index_dir), "/does/not/exist")[0] == 1
    assert (index_dir / "CURRENT").read_text(encoding="utf-8") == "gen-000001\n"


def test_check_on_a_missing_directory_says_there_is_no_index(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert zhsearch("check", "--index", str(missing)) == (
        1,
        f"{missing}: there is no index here; `zhsearch reindex` builds one\n",
    )
    code, out = zhsearch("check", "--index", str(missing), "--json")
    assert code == 1 and json.loads(out)["missing"] is True, out


def test_serve_on_a_port_in_use_fails_at_once_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    import web.server

    def no_gunicorn(*args: object, **kwargs: object) -> None:
        raise AssertionError("gunicorn must not be started on a port in use")

    monkeypatch.setattr(web.server, "serve", no_gunicorn)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out = zhsearch("serve", "--index", str(tmp_path), "--port", str(port))
    assert (code, out) == (
        1,
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use; another server is using it: "
        "stop it or choose another --port\n",
    )
