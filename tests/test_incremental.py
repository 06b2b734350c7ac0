"""Incremental reindexing: only what changed is written, through the array writer, and the answers equal a fresh
full build of the same files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from indexer.compat import read_toc
from indexer.ingest.filestate import FILE_STATE
from indexer.store import current_generation, open_index
from indexer.writer import reindex
from search import Searcher

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "index_data" / "articles" / "cmrc2018-wikipedia.jsonl"


def sample_records(n: int) -> list[dict]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[:n]
    return [json.loads(line) for line in lines]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def commit_of(index_dir: Path) -> tuple[str, int]:
    gen = current_generation(index_dir)
    return gen.name, open_index(index_dir).latest_generation()


def segments_of(index_dir: Path) -> list[tuple[int, int, str]]:
    """(documents, deleted, codec class) of each segment of the live commit."""
    ix = open_index(index_dir)
    return [
        (seg.doc_count_all(), seg.doc_count_all() - seg.doc_count(), type(seg.codec()).__name__)
        for seg in read_toc(ix).segments
    ]


def state_paths(index_dir: Path) -> dict[str, list]:
    data = json.loads((current_generation(index_dir) / FILE_STATE).read_text(encoding="utf-8"))
    return {Path(path).name: entry for path, entry in data["files"].items()}


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, list[dict]]:
    records = sample_records(60)
    src = tmp_path / "articles"
    write_jsonl(src / "a.jsonl", records[:40])
    write_jsonl(src / "b.jsonl", records[40:])
    index_dir = tmp_path / "index"
    first = reindex([src], index_dir, jobs=1)
    assert (first.mode, first.added, first.documents) == ("full", 60, 60)
    return src, index_dir, records


def test_a_renamed_file_with_the_same_articles_writes_nothing(
    built: tuple[Path, Path, list[dict]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import indexer.ingest.loaders.jsonfmt as jsonfmt

    src, index_dir, records = built
    before = commit_of(index_dir)
    parsed: list[int] = []
    real = jsonfmt.parse_line
    monkeypatch.setattr(
        jsonfmt, "parse_line", lambda line, where, n: parsed.append(n) or real(line, where, n)
    )
    (src / "a.jsonl").rename(src / "renamed.jsonl")
    run = reindex([src], index_dir, jobs=1)
    assert (run.added, run.updated, run.deleted, run.unchanged) == (0, 0, 0, 60)
    assert parsed == []  # its lines are known from the file it was
    assert commit_of(index_dir) == before  # no commit: nothing was written
    files = state_paths(index_dir)
    assert sorted(files) == ["b.jsonl", "renamed.jsonl"]
    assert sorted(files["renamed.jsonl"][1]) == sorted(r["id"] for r in records[:40])
    # the state follows the file: an article taken out of the renamed file is deleted from the index
    write_jsonl(src / "renamed.jsonl", records[1:40])
    run = reindex([src], index_dir, jobs=1)
    assert (run.added, run.updated, run.deleted) == (0, 0, 1)
    assert Searcher(index_dir, cache_size=0).get(records[0]["id"]) is None


def test_articles_moved_between_files_and_a_re_exported_file_write_nothing(
    built: tuple[Path, Path, list[dict]],
) -> None:
    src, index_dir, records = built
    before = commit_of(index_dir)
    write_jsonl(src / "a.jsonl", records[:30])
    write_jsonl(src / "b.jsonl", records[30:][::-1])  # ten articles moved, the file re-ordered
    sub = src / "2025" / "c.jsonl"
    write_jsonl(sub, [])
    os.utime(src / "a.jsonl", ns=(1, 1))  # a new signature, the same content
    run = reindex([src], index_dir, jobs=1)
    assert (run.added, run.updated, run.deleted, run.unchanged) == (0, 0, 0, 60)
    assert commit_of(index_dir) == before


def test_an_edit_writes_one_small_segment_with_the_compact_codec(
    built: tuple[Path, Path, list[dict]],
) -> None:
    src, index_dir, records = built
    edited = [dict(r) for r in records[40:]]
    edited[3]["title"] = "改过的标题：岚湾港区"
    write_jsonl(src / "b.jsonl", edited)
    run = reindex([src], index_dir, jobs=1)
    assert (run.added, run.updated, run.deleted, run.unchanged) == (0, 1, 0, 59)
    segments = segments_of(index_dir)
    assert segments == [(60, 1, "ZhCompactCodec"), (1, 0, "ZhCompactCodec")]
    result = Searcher(index_dir, cache_size=0).search('"岚湾港区"')
    assert [hit.id for hit in result.hits] == [records[43]["id"]]
    assert result.hits[0].title_html == "改过的标题：<mark>岚湾港区</mark>"


def test_a_damaged_state_costs_one_full_read_and_nothing_is_written(
    built: tuple[Path, Path, list[dict]],
) -> None:
    src, index_dir, records = built
    before = commit_of(index_dir)
    (current_generation(index_dir) / FILE_STATE).write_text("{not json", encoding="utf-8")
    run = reindex([src], index_dir, jobs=1)
    assert (run.files_unchanged, run.unchanged_read, run.added, run.updated, run.deleted) == (0, 60, 0, 0, 0)
    assert commit_of(index_dir) == before
    again = reindex([src], index_dir, jobs=1)  # the state was saved afresh: no file is read now
    assert (again.files_unchanged, again.unchanged_read, again.unchanged) == (2, 0, 60)


def test_a_file_with_a_broken_line_keeps_its_articles_and_is_read_again(
    built: tuple[Path, Path, list[dict]],
) -> None:
    src, index_dir, records = built
    lines = [json.dumps(r, ensure_ascii=False) for r in records[40:]]
    lines[5] = lines[5][:-3]  # the sixth article cannot be read this time
    (src / "b.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = reindex([src], index_dir, jobs=1)
    assert (run.added, run.updated, run.deleted, sum(run.skipped.values())) == (0, 0, 0, 1)
    assert Searcher(index_dir, cache_size=0).get(records[45]["id"]) is not None
    sig, ids, _hashes, _lines = state_paths(index_dir)["b.jsonl"]
    assert sig is None and sorted(ids) == sorted(r["id"] for r in records[40:])
    write_jsonl(src / "b.jsonl", records[40:45] + records[46:])  # fixed by leaving it out: deleted now
    run = reindex([src], index_dir, jobs=1)
    assert (run.added, run.updated, run.deleted) == (0, 0, 1)


QUERIES = [
    "中国",
    "北京大学",
    "历史",
    '"第二次世界大战"',
    "电影 导演",
    "足球 OR 篮球",
    "城市 -北京",
    "title:公司",
]


def answers(index_dir: Path) -> list[tuple]:
    searcher = Searcher(index_dir, cache_size=0)
    out = []
    for q in QUERIES:
        result = searcher.search(q, spellcheck=False, collapse=False)
        out.append((q, result.total, result.facets, [hit.id for hit in result.hits]))
    return out


def test_incremental_runs_answer_as_a_fresh_full_build(tmp_path: Path) -> None:
    records = sample_records(400)
    for i, record in enumerate(records):
        record["source"] = ["新华社", "中新社", "人民网"][i % 3]
        record["date"] = f"202{i % 4}-0{1 + i % 9}-1{i % 10}"
    src = tmp_path / "articles"
    write_jsonl(src / "one.jsonl", records[:150])
    write_jsonl(src / "two.jsonl", records[150:250])
    index_dir = tmp_path / "index"
    reindex([src], index_dir, jobs=2)
    # 1. new articles appended, a new file
    write_jsonl(src / "two.jsonl", records[150:300])
    write_jsonl(src / "three.jsonl", records[300:340])
    assert reindex([src], index_dir, jobs=2).added == 90
    # 2. edits and deletions
    edited = [dict(r) for r in records[:150]]
    for r in edited[::10]:
        r["body"] = r["body"][: len(r["body"]) // 2] + "。北京大学的历史"
    del edited[100:120]
    write_jsonl(src / "one.jsonl", edited)
    run = reindex([src], index_dir, jobs=2)
    assert (run.added, run.updated, run.deleted) == (0, 13, 20)
    # 3. a file moved into a folder, another renamed with more articles
    (src / "old").mkdir()
    shutil.move(src / "three.jsonl", src / "old" / "three.jsonl")
    (src / "two.jsonl").unlink()
    write_jsonl(src / "deux.jsonl", records[150:300] + records[340:400])
    run = reindex([src], index_dir, jobs=2)
    assert (run.added, run.updated, run.deleted) == (60, 0, 0)
    fresh = tmp_path / "fresh"
    reindex([src], fresh, jobs=2)
    assert answers(index_dir) == answers(fresh)


def test_term_counts_are_kept_per_segment_and_equal_a_fresh_count(
    built: tuple[Path, Path, list[dict]],
) -> None:
    from indexer.derived.datafile import read_data
    from indexer.derived.suggest import TERM_COUNTS_FILE, term_frequencies

    src, index_dir, records = built
    edited = [dict(r) for r in records[40:]]
    edited[0]["body"] = "新的正文：鹭栖湖湿地公园开园。"
    write_jsonl(src / "b.jsonl", edited + [{"id": "new-1", "title": "翠峦镇", "body": "翠峦镇的新闻。"}])
    reindex([src], index_dir, jobs=1)
    gen = current_generation(index_dir)
    cache = gen / TERM_COUNTS_FILE
    ix = open_index(index_dir)
    live = sorted(seg.segment_id() for seg in read_toc(ix).segments)
    assert sorted(read_data(cache)["segments"]) == live
    with ix.reader() as reader:
        cached = term_frequencies(reader, cache=cache)
        counted = term_frequencies(reader)
    assert cached == counted
    assert (counted["翠峦"], counted["鹭栖湖"], counted["开园"]) == (2, 1, 1)


def test_unchanged_json_lines_are_not_parsed_again(
    built: tuple[Path, Path, list[dict]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import indexer.ingest.loaders.jsonfmt as jsonfmt

    src, index_dir, records = built
    parsed: list[int] = []
    real = jsonfmt.parse_line

    def counting(line: str, where: str, number: int):  # the real parser, counted
        parsed.append(number)
        return real(line, where, number)

    monkeypatch.setattr(jsonfmt, "parse_line", counting)
    edited = [dict(r) for r in records[40:]]
    edited[2]["body"] += "补充。"
    new = {"id": "late-1", "title": "岚湾港区", "body": "岚湾港区开港。"}
    write_jsonl(src / "b.jsonl", [new, *edited[::-1]])  # one new line first, the others moved
    run = reindex([src], index_dir, jobs=1)
    assert (run.added, run.updated, run.deleted, run.unchanged_read) == (1, 1, 0, 19)
    assert sorted(parsed) == [1, 19]  # the new line and the edited one (now line 19 of 21)
    parsed.clear()
    os.utime(src / "b.jsonl", ns=(5, 5))
    again = reindex([src], index_dir, jobs=1)
    assert (again.added, again.updated, again.unchanged_read, parsed) == (0, 0, 21, [])


def test_a_known_line_whose_id_comes_again_is_read_as_a_repeated_id(
    built: tuple[Path, Path, list[dict]],
) -> None:
    src, index_dir, records = built
    changed = dict(records[40], body="同一编号的新版本：翠峦镇。")
    write_jsonl(src / "b.jsonl", records[40:] + [changed])  # the known line first, its id again below
    run = reindex([src], index_dir, jobs=1)
    assert (run.added, run.updated, run.deleted, run.warned["repeated id"]) == (0, 0, 0, 1)
    doc = Searcher(index_dir, cache_size=0).get(records[40]["id"])
    assert doc is not None and doc.body == "同一编号的新版本：翠峦镇。"
    # both lines stay unknown (the id is repeated): the next run reads them again and keeps the later one
    os.utime(src / "b.jsonl", ns=(5, 5))
    again = reindex([src], index_dir, jobs=1)
    assert again.warned["repeated id"] == 1
    assert Searcher(index_dir, cache_size=0).get(records[40]["id"]).body == "同一编号的新版本：翠峦镇。"


def test_lines_with_a_warning_are_read_again_and_a_new_body_cap_reads_every_line(
    built: tuple[Path, Path, list[dict]],
) -> None:
    src, index_dir, records = built
    long_one = {"id": "long-1", "title": "长文", "body": "长" * 3000}
    write_jsonl(src / "b.jsonl", records[40:] + [long_one])
    first = reindex([src], index_dir, jobs=1, max_body=2000)
    assert (first.added, first.warned["body truncated"]) == (1, 1)
    os.utime(src / "b.jsonl", ns=(5, 5))
    second = reindex([src], index_dir, jobs=1, max_body=2000)
    assert (second.unchanged_read, second.warned["body truncated"]) == (
        21,
        1,
    )  # the warning is reported again
    os.utime(src / "b.jsonl", ns=(7, 7))
    third = reindex(
        [src], index_dir, jobs=1, max_body=2500
    )  # another cap: every line is read, the long one cut anew
    assert (third.updated, third.warned["body truncated"]) == (1, 1)
    assert len(Searcher(index_dir, cache_size=0).get("long-1").body) == 2500


def test_suggestions_brought_up_to_date_by_the_change_equal_a_fresh_count(
    built: tuple[Path, Path, list[dict]],
) -> None:
    from indexer.derived.suggest import DEFAULT_TERMS, DEFAULT_TITLES, build_data, read_suggestions

    src, index_dir, records = built
    edited = [dict(r) for r in records[40:]]
    edited[1]["title"] = "鹭栖湖湿地公园开园"
    del edited[5]
    edited.append({"id": "new-2", "title": "沅汀大桥合龙", "body": "沅汀大桥今天合龙。"})
    write_jsonl(src / "b.jsonl", edited)
    run = reindex([src], index_dir, jobs=1)
    assert (run.added, run.updated, run.deleted) == (1, 1, 1)
    gen = current_generation(index_dir)
    ix = open_index(index_dir)
    got = read_suggestions(gen, ix.latest_generation(), max_terms=DEFAULT_TERMS, max_titles=DEFAULT_TITLES)
    with ix.reader() as reader:
        fresh = build_data(reader)
    assert got is not None
    assert got == fresh
    titles = [e.text for e in got.entries if e.kind == "title"]
    assert "鹭栖湖湿地公园开园" in titles and "沅汀大桥合龙" in titles
    assert records[41]["title"] not in titles and records[45]["title"] not in titles


def test_a_known_file_that_is_no_longer_utf8_is_read_as_a_whole(built: tuple[Path, Path, list[dict]]) -> None:
    src, index_dir, records = built
    path = src / "b.jsonl"
    late = {"id": "gbk-1", "title": "翠峦镇新闻", "body": "翠峦镇今天开通公交。"}
    path.write_bytes(path.read_bytes() + (json.dumps(late, ensure_ascii=False) + "\n").encode("gb18030"))
    run = reindex([src], index_dir, jobs=1)
    fresh = reindex([src], tmp := index_dir.parent / "fresh", jobs=1)
    assert (run.added, run.updated, run.deleted, sum(run.skipped.values())) == (
        fresh.added - 60,
        0,
        0,
        sum(fresh.skipped.values()),
    )
    assert answers(index_dir) == answers(tmp)
