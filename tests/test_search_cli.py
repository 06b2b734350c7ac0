"""``zhsearch search``: plain and JSON output, the stdin mode, errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from web_fixtures import SEARCH_KEYS

from zhsearch.cli import cli


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["search", *args], input=stdin, catch_exceptions=False)
    return result.exit_code, result.output


def test_plain_output(search_news_index: Path) -> None:
    code, out = run("--index", str(search_news_index), "-n", "2", "电信诈骗")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("5 results, showing 1-2 (")
    assert lines[1].split()[:3] == ["1.", "14.208", "n15"]
    assert "警惕冒充客服的电信诈骗  https://example.com/n15  央视网  2024-02-01T10:00:00+08:00" in lines[1]
    assert len(lines) == 3


def test_relaxed_note_and_words_joined(search_news_index: Path) -> None:
    code, out = run("--index", str(search_news_index), "哪个国家的女排", "被中国队战胜了？")
    assert code == 0, out
    assert out.splitlines()[1].startswith("note: 没有同时包含全部关键词的结果")


def test_query_starting_with_minus(search_news_index: Path) -> None:
    code, out = run("--index", str(search_news_index), "--json", "--", "-缅北", "诈骗")
    assert code == 0, out
    data = json.loads(out)
    assert data["query"] == "-缅北 诈骗" and data["total"] == 6


def test_bytes_of_the_command_line_that_are_not_utf8(search_news_index: Path) -> None:
    """Undecodable bytes of argv (Python's surrogate escapes, ``$'\\xff'`` in a shell) are replaced by U+FFFD:
    the query runs on the rest, the filter value matches nothing, and no traceback."""
    code, out = run("--index", str(search_news_index), "--json", "\udcff\udcfe诈骗")
    assert code == 0, out
    data = json.loads(out)
    assert data["query"] == "\ufffd\ufffd诈骗" and data["total"] == 7  # what 诈骗 alone finds
    code, out = run("--index", str(search_news_index), "--source", "\udcff", "诈骗")
    assert code == 0, out
    assert out.startswith("0 results")


def test_json_output_with_options(search_news_index: Path) -> None:
    code, out = run(
        "--index", str(search_news_index), "--json", "--sort", "oldest", "--page", "2", "--per-page", "2",
        "--source", "央视网", "--source", "新华社", "--from", "2024-01-01", "诈骗",
    )  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    assert (data["total"], data["page"], data["per_page"]) == (5, 2, 2)
    assert [h["id"] for h in data["results"]] == ["n03", "n21"]  # n14, n15 | n03, n21 | n01
    assert data["facets"]["source"] == [{"value": "新华社", "count": 3}, {"value": "央视网", "count": 2}]


def test_json_output_is_the_api_answer(search_news_index: Path) -> None:
    from web import create_app

    code, out = run(
        "--index", str(search_news_index), "--json", "--per-page", "3", "--sort", "newest", "诈骗"
    )
    assert code == 0, out
    cli_json = json.loads(out)
    app = create_app({"TESTING": True, "RATE_LIMIT": "", "INDEX_DIR": str(search_news_index)})
    api_json = app.test_client().get("/api/search?q=诈骗&per_page=3&sort=newest").get_json()
    assert list(cli_json) == SEARCH_KEYS
    assert list(cli_json["facets"]) == ["source", "category", "year", "month"]
    assert {k: v for k, v in cli_json.items() if k != "took_ms"} == {
        k: v for k, v in api_json.items() if k != "took_ms"
    }
    assert cli_json["total"] == 7 and len(cli_json["results"]) == 3
    assert cli_json["facets"]["year"] == [{"value": 2025, "count": 3}, {"value": 2024, "count": 4}]


def test_stdin_one_json_object_a_line(search_news_index: Path) -> None:
    queries = ["诈骗", "诈" * 300, "", "天气 source:中央气象台", "date:2024-13"]
    code, out = run(
        "--index", str(search_news_index), "--per-page", "1", "-", stdin="\n".join(queries) + "\n"
    )
    assert code == 0, out
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["query"] for r in rows] == queries
    assert rows[0]["total"] == 7 and len(rows[0]["results"]) == 1
    assert "hits" not in rows[0] and "pages" not in rows[0]
    assert rows[1]["error_type"] == "QueryTooLongError" and "256" in rows[1]["error"]
    assert rows[2]["total"] == 0
    assert rows[3]["results"][0]["id"] == "tie-a"


def test_errors(tmp_path: Path, search_news_index: Path) -> None:
    code, out = run("--index", str(tmp_path / "none"), "诈骗")
    assert code == 1 and "no index at" in out
    code, out = run("--index", str(search_news_index), "诈" * 257)
    assert code == 1 and "at most 256 characters" in out
    code, out = run("--index", str(search_news_index), "--limit", "3", "--page", "2", "诈骗")
    assert code == 2 and "--limit" in out
    code, out = run("--index", str(search_news_index), "--from", "2024-13-01", "诈骗")
    assert (code, out.strip()) == (1, "Error: --from: '2024-13-01' is not a calendar date")
    code, out = run("--index", str(search_news_index), "--from", "2024-03", "--to", "2024-02", "诈骗")
    assert (code, out.strip()) == (
        1,
        "Error: --from: the start date 2024-03-01 is after the end date 2024-02-29",
    )
    code, out = run("--index", str(tmp_path / "none"), "-", stdin="诈骗\n")
    assert code == 1 and "no index at" in out
