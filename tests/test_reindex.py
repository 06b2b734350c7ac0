"""`zhsearch reindex`: full builds, incremental updates, deletions, stubs, locking, failures that lose nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh.query import Every

from indexer.ingest.hygiene import KNOWN_PROBLEMS
from indexer.store import ReindexLock, current_generation, open_index
from indexer.writer import NothingReadError, ReindexError, reindex
from zhsearch.cli import cli

ROOT = Path(__file__).resolve().parent.parent

ARTICLES = [
    {
        "id": "n1",
        "title": "公安部部署打击电信网络诈骗",
        "body": "公安部召开会议，部署打击电信网络诈骗犯罪专项行动。",
        "source": "新华社",
        "date": "2025-03-06 14:15:00",
        "keywords": "公安部,电信诈骗",
    },
    {
        "id": "n2",
        "title": "香港零售业销货额下跌",
        "body": "香港特区政府统计处发表最新的零售业销货额数字。",
        "source": "中新社",
        "date": "2025-02-03",
    },
    {
        "id": "n3",
        "title": "澳门候任行政长官阐述四大愿景",
        "content": "澳门新一届政府将于本月20日就职。",
        "source": "中新社",
        "pubdate": "2024-12-12",
    },
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def ids_in(index_dir: Path) -> list[str]:
    ix = open_index(index_dir)
    with ix.searcher() as s:
        return sorted(hit["id"] for hit in s.search(Every(), limit=None))


def stored(index_dir: Path, doc_id: str) -> dict:
    ix = open_index(index_dir)
    with ix.searcher() as s:
        return dict(s.document(id=doc_id))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    src = tmp_path / "articles"
    write_jsonl(src / "news.jsonl", ARTICLES)
    return src


def test_full_build_then_noop_incremental(tmp_path: Path, corpus: Path) -> None:
    index_dir = tmp_path / "index"
    first = reindex([corpus], index_dir, jobs=1)
    assert (first.mode, first.reason, first.added, first.documents) == (
        "full",
        "there was no index yet: a full build",
        3,
        3,
    )
    assert (index_dir / "CURRENT").read_text().strip() == "gen-000001"
    assert ids_in(index_dir) == ["n1", "n2", "n3"]
    doc = stored(index_dir, "n1")
    assert doc["source"] == "新华社"
    assert doc["tags"] == "公安部,电信诈骗"
    assert doc["path"] == str((corpus / "news.jsonl").resolve())

    again = reindex([corpus], index_dir, jobs=1)
    assert (again.mode, again.added, again.updated, again.deleted, again.unchanged) == (
        "incremental",
        0,
        0,
        0,
        3,
    )
    assert again.files_unchanged == 1
    assert again.read == 0  # the unchanged file was not even re-read
    assert (index_dir / "CURRENT").read_text().strip() == "gen-000001"


def test_incremental_adds_updates_and_deletes(tmp_path: Path, corpus: Path) -> None:
    index_dir = tmp_path / "index"
    reindex([corpus], index_dir, jobs=1)
    changed = [dict(ARTICLES[0], body="公安部召开会议，部署新一轮打击行动。"), ARTICLES[2]]
    changed.append({"id": "n4", "title": "新文章", "body": "新增的一篇文章。", "date": "2025-03-07"})
    write_jsonl(corpus / "news.jsonl", changed)
    s = reindex([corpus], index_dir, jobs=1)
    assert (s.added, s.updated, s.deleted, s.unchanged) == (1, 1, 1, 1)
    assert ids_in(index_dir) == ["n1", "n3", "n4"]
    assert stored(index_dir, "n1")["body"] == "公安部召开会议，部署新一轮打击行动。"


def test_removed_file_deletes_only_its_articles_under_the_given_paths(tmp_path: Path, corpus: Path) -> None:
    index_dir = tmp_path / "index"
    other = write_jsonl(
        tmp_path / "elsewhere" / "other.jsonl", [{"id": "x1", "title": "别处", "body": "别处的文章"}]
    )
    reindex([corpus, other], index_dir, jobs=1)
    write_jsonl(corpus / "more.jsonl", [{"id": "m1", "title": "另一篇", "body": "另一个文件里的文章"}])
    (corpus / "news.jsonl").unlink()
    s = reindex([corpus], index_dir, jobs=1)
    assert (s.added, s.deleted) == (1, 3)
    assert ids_in(index_dir) == ["m1", "x1"]  # x1 came from a path outside this run's PATHs


def test_a_removed_file_is_deleted_also_when_the_paths_are_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `zhsearch reindex --index ixr r`: the paths stored are relative (r/news.jsonl), the run's roots too
    monkeypatch.chdir(tmp_path)
    write_jsonl(Path("r") / "news.jsonl", ARTICLES)
    write_jsonl(Path("r") / "more.jsonl", [{"id": "m1", "title": "另一篇", "body": "另一个文件里的文章"}])
    reindex(["r"], "ixr", jobs=1)
    assert ids_in(Path("ixr")) == ["m1", "n1", "n2", "n3"]
    (Path("r") / "news.jsonl").unlink()
    s = reindex(["r"], "ixr", jobs=1)
    assert (s.added, s.deleted, s.unchanged) == (0, 3, 1)
    assert ids_in(Path("ixr")) == ["m1"]
    result = CliRunner().invoke(cli, ["reindex", "--index", "ixr", "r", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert ids_in(Path("ixr")) == ["m1"]
    (Path("r") / "more.jsonl").unlink()
    write_jsonl(Path("r") / "new.jsonl", [{"id": "k1", "title": "新的", "body": "新的文章"}])
    (Path("r") / "bad.jsonl").write_text('{"id": "b1", "title": "坏的"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["reindex", "--index", "ixr", "r", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert ids_in(Path("ixr")) == ["k1"]
    problems = Path("ixr") / current_generation(Path("ixr")).name / KNOWN_PROBLEMS
    assert "bad.jsonl" in problems.read_text(encoding="utf-8")
    # the problems of a file gone are forgotten too (they were kept while the paths did not compare)
    (Path("r") / "bad.jsonl").unlink()
    assert reindex(["r"], "ixr", jobs=1).problems == []
    assert "bad.jsonl" not in problems.read_text(encoding="utf-8")


def test_broken_records_are_reported_and_skipped(tmp_path: Path) -> None:
    src = tmp_path / "articles"
    src.mkdir()
    lines = [
        json.dumps(ARTICLES[0], ensure_ascii=False),
        "{not json",
        json.dumps({"id": "empty"}),
        json.dumps(ARTICLES[1], ensure_ascii=False),
    ]
    (src / "mixed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["reindex", str(src), "--index", str(tmp_path / "index"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert f"{src / 'mixed.jsonl'}:2:" in result.output
    assert f"{src / 'mixed.jsonl'}:3:" in result.output
    assert "2 added" in result.output
    assert "2 skipped" in result.output
    assert ids_in(tmp_path / "index") == ["n1", "n2"]


def test_nothing_readable_fails_and_leaves_the_index_as_it_was(tmp_path: Path, corpus: Path) -> None:
    index_dir = tmp_path / "index"
    reindex([corpus], index_dir, jobs=1)
    empty = tmp_path / "broken"
    empty.mkdir()
    (empty / "bad.jsonl").write_text("{oops\n", encoding="utf-8")
    with pytest.raises(NothingReadError, match="no article could be read"):
        reindex([empty], index_dir, jobs=1, full=True)
    result = CliRunner().invoke(cli, ["reindex", str(empty), "--index", str(index_dir), "--full"])
    assert result.exit_code == 1
    assert "Error: no article could be read (1 bad JSON)" in result.output
    assert (index_dir / "CURRENT").read_text().strip() == "gen-000001"
    assert ids_in(index_dir) == ["n1", "n2", "n3"]
    assert not list(index_dir.glob("*.building"))


def test_full_rebuild_swaps_generations_and_old_readers_keep_working(tmp_path: Path, corpus: Path) -> None:
    index_dir = tmp_path / "index"
    reindex([corpus], index_dir, jobs=1)
    old_reader = open_index(index_dir).searcher()
    write_jsonl(corpus / "news.jsonl", ARTICLES[:1])
    s = reindex([corpus], index_dir, jobs=1, full=True)
    assert (s.mode, s.added, s.generation) == ("full", 1, "gen-000002")
    assert current_generation(index_dir) == index_dir / "gen-000002"
    assert ids_in(index_dir) == ["n1"]
    assert sorted(h["id"] for h in old_reader.search(Every(), limit=None)) == ["n1", "n2", "n3"]
    old_reader.close()


def test_parallel_build_matches_serial(tmp_path: Path) -> None:
    src = tmp_path / "articles"
    records = [
        {
            "id": f"p{i}",
            "title": f"第{i}篇 新闻标题",
            "body": f"这是第{i}篇新闻的正文，报道电信网络诈骗案件。" * 3,
        }
        for i in range(600)
    ]
    write_jsonl(src / "many.jsonl", records)
    serial = reindex([src], tmp_path / "serial", jobs=1)
    parallel = reindex([src], tmp_path / "parallel", jobs=2)
    assert serial.documents == parallel.documents == 600
    assert ids_in(tmp_path / "serial") == ids_in(tmp_path / "parallel")


def test_second_concurrent_reindex_fails_at_once(tmp_path: Path, corpus: Path) -> None:
    index_dir = tmp_path / "index"
    with ReindexLock(index_dir):
        result = CliRunner().invoke(cli, ["reindex", str(corpus), "--index", str(index_dir)])
    assert result.exit_code == 1
    assert f"another reindex (pid {os.getpid()}) is running" in result.output


def test_a_lock_left_by_a_dead_process_is_broken(tmp_path: Path, corpus: Path) -> None:
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    (index_dir / "LOCK").write_text("999999\n")  # a pid written by a process that died holding the lock
    result = CliRunner().invoke(cli, ["reindex", str(corpus), "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert "broke a stale lock left by process 999999" in result.output


def test_dictionary_change_forces_a_full_rebuild(tmp_path: Path, corpus: Path) -> None:
    index_dir = tmp_path / "index"
    userdict = tmp_path / "userdict.txt"
    runner = CliRunner()
    args = ["--index", str(index_dir), "--userdict", str(userdict)]
    assert runner.invoke(cli, ["reindex", str(corpus), *args]).exit_code == 0
    result = runner.invoke(cli, ["dict", "add", "电信网络诈骗", "缅北", *args])
    assert result.exit_code == 0, result.output
    assert "电信网络诈骗: added" in result.output
    assert "the next `zhsearch reindex` does a full rebuild" in result.output
    assert runner.invoke(cli, ["dict", "list", "--userdict", str(userdict)]).output == "电信网络诈骗\n缅北\n"
    result = runner.invoke(cli, ["reindex", str(corpus), *args])
    assert result.exit_code == 0, result.output
    assert "the analysis changed" in result.output
    assert "full rebuild: 3 added" in result.output
    ix = open_index(index_dir)
    with ix.searcher() as s:
        assert "电信网络诈骗" in [t.decode() for t in s.lexicon("body")]
    result = runner.invoke(cli, ["reindex", str(corpus), *args])
    assert "incremental reindex: 0 added, 0 updated, 0 deleted, 3 unchanged" in result.output


def test_stub_articles_are_replaced_by_the_full_article(tmp_path: Path) -> None:
    src = tmp_path / "articles"
    src.mkdir()
    page = (ROOT / "index_data" / "articles" / "000_0ca705d7dfbd1930.txt").read_text(encoding="utf-8")
    (src / "page.txt").write_text(page, encoding="utf-8")
    index_dir = tmp_path / "index"
    reindex([src], index_dir, jobs=1)
    ix = open_index(index_dir)
    with ix.searcher() as s:
        stubs = {d["title"]: d for d in s.documents(partial=True)}
    title = "美方威胁对中国输美产品再加征10%关税,外交部回应"
    assert len(stubs) == 5
    assert title in stubs
    # the full article arrives later, from another file, with the same title and date
    full = {
        "title": title,
        "body": "2月28日，外交部发言人林剑主持例行记者会。全文。",
        "date": "2025-03-01 10:00:00",
    }
    write_jsonl(src / "full.jsonl", [full])
    s = reindex([src], index_dir, jobs=1)
    assert s.added == 1
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        assert title not in {d["title"] for d in searcher.documents(partial=True)}
        docs = [d for d in searcher.documents() if d["title"] == title]
    assert len(docs) == 1 and docs[0]["partial"] is False
    # re-running does not bring the stub back, nor duplicate anything
    s = reindex([src], index_dir, jobs=1, full=True)
    assert s.skipped["superseded stub"] == 1
    assert len(ids_in(index_dir)) == 1 + 5  # the page, the full article, 4 remaining stubs


def test_unwritable_index_directory_gives_a_clear_error(tmp_path: Path, corpus: Path) -> None:
    if os.geteuid() == 0:
        target = Path("/proc/zhsearch-index")  # root can write anywhere else
    else:
        target = tmp_path / "ro" / "index"
        target.parent.mkdir()
        target.parent.chmod(0o500)
    with pytest.raises(ReindexError, match="cannot create index directory"):
        reindex([corpus], target, jobs=1)


def test_python_dash_m_zhsearch_runs_the_cli(tmp_path: Path, corpus: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "zhsearch",
            "reindex",
            str(corpus),
            "--index",
            str(tmp_path / "ix"),
            "--json",
            "-j",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["mode"], summary["added"], summary["documents"]) == ("full", 3, 3)


def test_dict_add_keeps_comments_and_remove_drops_only_the_word(tmp_path: Path) -> None:
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("# names\n缅北\n四大家族 20 nz\n", encoding="utf-8")
    runner = CliRunner()
    opts = ["--userdict", str(userdict), "--index", str(tmp_path / "none")]
    result = runner.invoke(cli, ["dict", "add", "缅北", "果敢", *opts])
    assert result.exit_code == 0, result.output
    assert result.output == f"缅北: already in {userdict}\n果敢: added to {userdict}\n"
    result = runner.invoke(cli, ["dict", "remove", "四大家族", "不存在", *opts])
    assert result.exit_code == 0, result.output
    assert result.output == "四大家族: removed\n不存在: not in the dictionary\n"
    assert userdict.read_text(encoding="utf-8") == "# names\n缅北\n果敢\n"
    result = runner.invoke(cli, ["dict", "add", "两个 词", *opts])
    assert result.exit_code == 2
    assert "cannot be empty or contain spaces" in result.output
    result = runner.invoke(cli, ["dict", "add", "\udcff词", *opts])  # a byte of argv that is not UTF-8
    assert result.exit_code == 2 and "not UTF-8 text" in result.output
    assert userdict.read_text(encoding="utf-8") == "# names\n缅北\n果敢\n"


def test_log_progress_prints_rate_and_estimate() -> None:
    import io

    from indexer.progress import LogProgress

    out = io.StringIO()
    p = LogProgress(out, interval=0.0)
    p.start(100)
    p.advance(40)
    line = out.getvalue().strip()
    assert line.startswith("progress: 40 articles, ")
    assert "s left of ~100" in line


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_oversized_body_is_stored_whole_and_indexed_by_its_first_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    import indexer.segments.documents

    monkeypatch.setattr(indexer.segments.documents, "MAX_INDEXED_CHARS", 100)
    body = "开头的内容。" + "填充文字。" * 30 + "结尾独有词汇缅甸果敢。"
    src = write_jsonl(tmp_path / "a" / "big.jsonl", [{"id": "big", "title": "一篇很长的文章", "body": body}])
    index_dir = tmp_path / "index"
    reindex([src], index_dir, jobs=jobs)
    assert stored(index_dir, "big")["body"] == body
    ix = open_index(index_dir)
    with ix.searcher() as s:
        words = {t.decode() for t in s.lexicon("body")}
    assert "开头" in words
    assert "果敢" not in words


@pytest.mark.slow
def test_a_50_mb_body_is_indexed_without_stalling_the_run(tmp_path: Path) -> None:
    body = ("电信网络诈骗犯罪形势依然严峻复杂。" * 3_000_000)[:50_000_000]
    records = [{"id": "huge", "title": "超长正文", "body": body}, ARTICLES[0]]
    src = write_jsonl(tmp_path / "a" / "huge.jsonl", records)
    s = reindex([src], tmp_path / "index", jobs=1, max_body=0)  # no cap (ZHSEARCH_MAX_BODY_CHARS=0)
    assert (s.added, sum(s.skipped.values()), s.warnings) == (2, 0, [])
    assert len(stored(tmp_path / "index", "huge")["body"]) == 50_000_000
