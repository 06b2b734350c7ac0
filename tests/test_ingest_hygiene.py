"""Ingestion hygiene: a huge body is cut, a bad date drops only the date, a repeated id keeps the last line, the
known problems of unchanged files are reported again, saved pages get ids from their path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.store import open_index
from zhsearch.cli import cli


def write_jsonl(path: Path, lines: list[dict | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines)
    path.write_text(text, encoding="utf-8")
    return path


def reindex(index_dir: Path, *paths: Path, env: dict[str, str] | None = None) -> str:
    args = ["reindex", "--index", str(index_dir), "--jobs", "1", *map(str, paths)]
    result = CliRunner(env=env).invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def documents(index_dir: Path) -> dict[str, dict]:
    with open_index(index_dir).searcher() as s:
        return {fields["id"]: dict(fields) for fields in s.all_stored_fields()}


def summary_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(("full rebuild", "incremental")))


def test_a_huge_body_is_cut_with_a_warning(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "big.jsonl",
        [{"id": "small", "title": "小", "body": "正文"}, {"id": "big", "title": "大", "body": "长" * 5_000}],
    )
    out = reindex(tmp_path / "ix", source, env={"ZHSEARCH_MAX_BODY_CHARS": "1000"})
    assert (
        f"warning: {source}:2: body of 5,000 characters cut to its first 1,000 (ZHSEARCH_MAX_BODY_CHARS)\n"
        in out
    )
    assert "2 added, 0 updated, 0 deleted, 0 unchanged, 0 skipped, 1 warnings in" in summary_line(out)
    docs = documents(tmp_path / "ix")
    assert (len(docs["big"]["body"]), docs["small"]["body"]) == (1000, "正文")


def test_the_default_cap_is_200000_characters(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "big.jsonl", [{"id": "big", "title": "大", "body": "长" * 250_000}])
    out = reindex(tmp_path / "ix", source)
    assert "cut to its first 200,000 (ZHSEARCH_MAX_BODY_CHARS)" in out
    assert len(documents(tmp_path / "ix")["big"]["body"]) == 200_000


def test_a_bad_max_body_setting_is_one_error_line(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "title": "t"}])
    result = CliRunner(env={"ZHSEARCH_MAX_BODY_CHARS": "lots"}).invoke(
        cli, ["reindex", "--index", str(tmp_path / "ix"), str(source)], catch_exceptions=False
    )
    assert (result.exit_code, result.output) == (
        1,
        "Error: ZHSEARCH_MAX_BODY_CHARS: expected a whole number, got 'lots'\n",
    )
    assert not (tmp_path / "ix").exists()


def test_a_bad_date_indexes_the_article_without_a_date(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "a.jsonl", [{"id": "d", "title": "昨天的新闻", "body": "正文", "date": "昨天下午"}]
    )
    out = reindex(tmp_path / "ix", source)
    assert f"warning: {source}:1: unparseable date '昨天下午': indexed without a date\n" in out
    assert "1 added, 0 updated, 0 deleted, 0 unchanged, 0 skipped, 1 warnings" in summary_line(out)
    doc = documents(tmp_path / "ix")["d"]
    assert doc["title"] == "昨天的新闻" and "published" not in doc


@pytest.mark.parametrize("incremental", [False, True], ids=["full", "incremental"])
def test_a_repeated_id_keeps_the_last_line(tmp_path: Path, incremental: bool) -> None:
    index_dir = tmp_path / "ix"
    source = tmp_path / "a.jsonl"
    if incremental:
        reindex(
            index_dir, write_jsonl(source, [{"id": "x", "title": "旧标题"}, {"id": "y", "title": "别的"}])
        )
    write_jsonl(
        source,
        [{"id": "x", "title": "第一行"}, {"id": "y", "title": "别的"}, {"id": "x", "title": "更新后的标题"}],
    )
    out = reindex(index_dir, source)
    assert f"warning: {source}:3: id 'x' read again: this line replaces the one at {source}:1\n" in out
    docs = documents(index_dir)
    assert sorted(docs) == ["x", "y"]
    assert (docs["x"]["title"], docs["x"]["line"]) == ("更新后的标题", 3)
    assert summary_line(out).endswith("holds 2 articles")


def test_known_problems_of_an_unchanged_file_are_reported_again(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "a.jsonl",
        [{"id": "ok", "title": "好的"}, "{broken", {"id": "d", "title": "t", "date": "昨天下午"}],
    )
    first = reindex(tmp_path / "ix", source)
    second = reindex(tmp_path / "ix", source)
    for out in (first, second):
        assert f"skipped: {source}:2: bad JSON: " in out
        assert f"warning: {source}:3: unparseable date '昨天下午': indexed without a date\n" in out
    assert "1 skipped (1 bad JSON), 1 warnings" in summary_line(first)
    assert summary_line(second).startswith(
        "incremental reindex: 0 added, 0 updated, 0 deleted, 2 unchanged, 1 skipped (1 bad JSON), 1 warnings in"
    )
    write_jsonl(source, [{"id": "ok", "title": "好的"}, {"id": "d", "title": "t"}])  # fixed
    third = reindex(tmp_path / "ix", source)
    assert "skipped:" not in third and "warning:" not in third
    assert "0 skipped in" in summary_line(reindex(tmp_path / "ix", source))


def test_a_tiny_run_prints_no_rate(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", [{"id": str(n), "title": f"标题{n}"} for n in range(3)])
    line = summary_line(reindex(tmp_path / "ix", source))
    assert "articles/s" not in line
    assert line.startswith("full rebuild: 3 added, 0 updated, 0 deleted, 0 unchanged, 0 skipped in ")
    assert line.endswith(" s; gen-000001 holds 3 articles")


PAGE = "警方破获一起电信诈骗案\n2025年3月6日 来源：新华网\n警方近日破获一起电信诈骗案，抓获嫌疑人十名。\n{extra}\n"
HTML = (
    "<html><head><title>香港零售业销货额下跌</title></head><body><article><h1>香港零售业销货额下跌</h1>"
    "<p>{text}</p></article></body></html>"
)


def test_a_saved_page_without_url_keeps_its_id_when_edited(tmp_path: Path) -> None:
    from web import create_app

    pages = tmp_path / "pages"
    (pages / "sub").mkdir(parents=True)
    (pages / "sub" / "case.txt").write_text(PAGE.format(extra="案件正在进一步审理中。"), encoding="utf-8")
    long_text = "香港特区政府统计处今日发表最新的零售业销货额数字，" * 12
    (pages / "retail.html").write_text(HTML.format(text=long_text), encoding="utf-8")
    index_dir = tmp_path / "ix"
    reindex(index_dir, pages)
    before = documents(index_dir)
    assert len(before) == 2

    (pages / "sub" / "case.txt").write_text(PAGE.format(extra="案件已移送检察机关。"), encoding="utf-8")
    (pages / "retail.html").write_text(HTML.format(text=long_text + "跌幅收窄。"), encoding="utf-8")
    out = reindex(index_dir, pages)
    assert "0 added, 2 updated, 0 deleted, 0 unchanged" in summary_line(out)
    after = documents(index_dir)
    assert sorted(after) == sorted(before)
    [case_id] = [i for i, d in after.items() if d["path"].endswith("case.txt")]
    assert "移送检察机关" in after[case_id]["body"]
    client = create_app({"INDEX_DIR": str(index_dir), "RATE_LIMIT": ""}).test_client()
    response = client.get(f"/api/articles/{case_id}")
    assert response.status_code == 200, response.json


def test_the_page_id_is_its_path_under_the_directory_given(tmp_path: Path) -> None:
    from indexer.articles import make_path_id

    for base in ("one", "two"):  # the same tree in two places: the same id
        (tmp_path / base / "sub").mkdir(parents=True)
        (tmp_path / base / "sub" / "case.txt").write_text(PAGE.format(extra=""), encoding="utf-8")
        reindex(tmp_path / f"ix-{base}", tmp_path / base)
        assert list(documents(tmp_path / f"ix-{base}")) == [make_path_id("sub/case.txt")]


def test_a_reprint_notice_on_its_own_line_is_stripped(tmp_path: Path) -> None:
    from search import Searcher

    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "case.txt").write_text(
        PAGE.format(extra="转载请注明出处。\n案件正在进一步审理中。"), encoding="utf-8"
    )
    reindex(tmp_path / "ix", pages)
    [doc] = documents(tmp_path / "ix").values()
    assert doc["body"] == "警方近日破获一起电信诈骗案，抓获嫌疑人十名。\n案件正在进一步审理中。"
    assert Searcher(tmp_path / "ix").search('"转载请注明出处"').total == 0
