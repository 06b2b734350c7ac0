"""New dictionary words found in the indexed text (indexer/newwords.py, ``zhsearch dict suggest``)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.analysis import ChineseAnalyzer
from indexer.newwords import find_candidates
from zhsearch.cli import cli

BEFORE = [
    "今天",
    "昨天",
    "会上",
    "北京",
    "上海",
    "随后",
    "当地",
    "记者",
    "代表",
    "大会",
    "广州",
    "天津",
    "重庆",
    "深圳",
    "南京",
    "武汉",
]
AFTER = [
    "表示",
    "指出",
    "强调",
    "会见",
    "出席",
    "主持",
    "考察",
    "发言",
    "参观",
    "讲话",
    "访问",
    "调研",
    "座谈",
    "签约",
    "视察",
    "致辞",
]
FILLER = "经济发展需要长期坚持，各地加强合作。群众生活不断改善，也是大家关心的事情。"


def _texts(n: int = 80, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        name = "栗战书" if i % 2 == 0 else "电诈园区"
        out.append(f"{FILLER}{rng.choice(BEFORE)}{name}{rng.choice(AFTER)}。{FILLER}")
    return out


#: The sentence of the first article where 栗战书 stands (each article holds it once, in its own sentence).
FIRST_SENTENCE = next(s for s in _texts()[0].split("。") if "栗战书" in s)


def _cut(word: str) -> list[str]:
    return [w.text for w in ChineseAnalyzer().words(word, removestops=False) if w.base]


def test_words_that_hold_together_and_are_cut_today_are_found() -> None:
    found = find_candidates(_texts(), _cut, min_count=5, limit=10)
    by_word = {c.word: c for c in found}
    assert [c.word for c in found][:2] == ["栗战书", "电诈园区"]  # most frequent first, then by code point
    assert (by_word["栗战书"].count, by_word["栗战书"].cut) == (40, ["栗", "战书"])
    assert (by_word["电诈园区"].count, by_word["电诈园区"].cut) == (40, ["电诈", "园区"])
    assert by_word["栗战书"].example == FIRST_SENTENCE
    assert all(c.left >= 2.0 and c.right >= 2.0 and c.cohesion >= 3.0 for c in found)
    # repeated filler: held together, but always the same neighbours (and a stop word in 也是)
    assert not {"也是", "经济发展", "大家关心", "战书", "电诈园"} & set(by_word)


@pytest.mark.parametrize(
    ("min_count", "expected"),
    [(5, {"电诈园区", "栗战书"}), (41, set())],
)
def test_min_count(min_count: int, expected: set[str]) -> None:
    assert {c.word for c in find_candidates(_texts(), _cut, min_count=min_count)} == expected


def test_words_the_dictionary_knows_are_left_out() -> None:
    found = find_candidates(_texts(), _cut, min_count=5, known=lambda w: w == "栗战书")
    assert [c.word for c in found] == ["电诈园区"]


def test_no_chinese_no_candidates() -> None:
    assert find_candidates(["hello world", ""], _cut) == []


def test_cli_lists_what_dict_add_takes(tmp_path: Path) -> None:
    source = tmp_path / "articles.jsonl"
    source.write_text(
        "".join(
            json.dumps({"id": f"a{i}", "title": f"新闻{i}", "body": text}, ensure_ascii=False) + "\n"
            for i, text in enumerate(_texts())
        ),
        encoding="utf-8",
    )
    index, userdict = tmp_path / "index", tmp_path / "userdict.txt"
    runner = CliRunner()
    result = runner.invoke(cli, ["reindex", "--index", str(index), "--userdict", str(userdict), str(source)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["dict", "suggest", "--index", str(index), "--json", "--min-count", "5"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert [(c["word"], c["count"], c["cut"]) for c in found[:2]] == [
        ("栗战书", 40, ["栗", "战书"]),
        ("电诈园区", 40, ["电诈", "园区"]),
    ]
    plain = runner.invoke(cli, ["dict", "suggest", "--index", str(index), "--min-count", "5"])
    assert plain.exit_code == 0, plain.output
    first = plain.output.splitlines()[0].split("\t")
    assert first == ["栗战书", "40", "栗/战书", FIRST_SENTENCE]
    # the first column goes to dict add as it is; after the rebuild the words are whole and no longer listed
    words = [line.split("\t")[0] for line in plain.output.splitlines()]
    added = runner.invoke(cli, ["dict", "add", "--index", str(index), "--userdict", str(userdict), *words])
    assert added.exit_code == 0, added.output
    result = runner.invoke(
        cli, ["reindex", "--full", "--index", str(index), "--userdict", str(userdict), str(source)]
    )
    assert result.exit_code == 0, result.output
    again = runner.invoke(cli, ["dict", "suggest", "--index", str(index), "--json", "--min-count", "5"])
    assert not {"电诈园区", "栗战书"} & {c["word"] for c in json.loads(again.output)}


def test_cli_without_an_index_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["dict", "suggest", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.output == f"Error: no index at {tmp_path / 'none'} (build one with: zhsearch reindex)\n"
