"""Near-duplicate stories found at index time (indexer/derived/dups.py): signatures, groups, the file ``reindex`` writes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indexer.derived.dups import BINS, EMPTY, groups, read_dups, signatures, similarity
from indexer.ingest.summary import ReindexError
from indexer.store import live_version
from indexer.writer import reindex

STORY = (
    "公安部刑侦局10日通报，今年以来全国公安机关持续开展打击治理电信网络诈骗犯罪专项行动，破获案件一批。"
    "通报指出，境外诈骗集团不断变换手法，冒充客服、刷单返利、虚假投资理财类案件占比较高。"
    "公安机关提醒广大群众，不要轻信陌生来电，不要点击不明链接，遇到可疑情况及时拨打110报警。"
    "下一步，公安部将会同有关部门，深化国际执法合作，坚决摧毁境外诈骗窝点，全力守护人民群众财产安全。"
)
# a portal's copy: another source line, one character changed, punctuation and spacing edited
COPY = "来源：某某网\n" + STORY.replace("一批", "一大批").replace("，", ", ").replace("110", "１１０")
OTHER = (
    "国家统计局今天发布数据，上月全国居民消费价格同比上涨百分之零点二，其中城市上涨百分之零点三，"
    "农村持平；食品价格下降百分之一点一，非食品价格上涨百分之零点五。工业生产者出厂价格环比持平。"
)


def test_signatures_of_copies_agree_and_of_other_stories_do_not() -> None:
    sigs = signatures([STORY, COPY, OTHER, "", "短"])
    assert sigs.shape == (5, BINS) and sigs.dtype == np.uint16
    assert similarity(sigs[0], sigs[1])[0] >= 0.8
    assert similarity(sigs[0], sigs[2])[0] < 0.1
    assert (sigs[3] == EMPTY).all() and (sigs[4] == EMPTY).all()  # no shingle at all
    assert similarity(sigs[3], sigs[4])[0] == 0.0
    assert np.array_equal(signatures([STORY])[0], sigs[0])  # one text at a time or in a batch: the same


def test_groups_are_the_first_row_of_connected_copies() -> None:
    sigs = signatures([OTHER, STORY, "", COPY, OTHER + "记者 王明", ""])
    assert groups(sigs, 0.8).tolist() == [0, 1, 2, 1, 0, 5]  # empty texts are nobody's copies
    assert groups(sigs, 1.0).tolist() == [0, 1, 2, 3, 4, 5]


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _groups_by_id(index: Path) -> dict[str, str]:
    from indexer.store import open_generation

    gen, commit = live_version(index)  # type: ignore[misc]
    data = read_dups(index / gen, commit)
    assert data is not None
    with open_generation(index / gen).reader() as reader:
        ids = {d: reader.stored_fields(d)["id"] for d in reader.all_doc_ids()}
    return {ids[d]: ids[int(data.group[d])] for d in ids}


def test_reindex_keeps_the_groups_up_to_date(tmp_path: Path) -> None:
    source = tmp_path / "articles.jsonl"
    records = [
        {"id": "orig", "title": "打击电信网络诈骗", "body": STORY, "published": "2025-03-06"},
        {"id": "stats", "title": "居民消费价格", "body": OTHER, "published": "2025-03-07"},
    ]
    index = tmp_path / "index"
    reindex([_write(source, records)], index, jobs=1)
    assert _groups_by_id(index) == {"orig": "orig", "stats": "stats"}

    # a copy arrives: it joins the story's group
    records.append({"id": "copy", "title": "公安部通报", "body": COPY, "published": "2025-03-08"})
    assert reindex([_write(source, records)], index, jobs=1).added == 1
    assert _groups_by_id(index) == {"orig": "orig", "stats": "stats", "copy": "orig"}

    # the original goes: the copy stands alone
    assert reindex([_write(source, records[1:])], index, jobs=1).deleted == 1
    assert _groups_by_id(index) == {"stats": "stats", "copy": "copy"}


@pytest.mark.parametrize("value", ["0", "1.5", "abc", "-0.2"])
def test_a_bad_threshold_is_an_error_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("ZHSEARCH_DUP_THRESHOLD", value)
    source = _write(tmp_path / "a.jsonl", [{"id": "a", "title": "t", "body": STORY}])
    with pytest.raises(ReindexError, match="ZHSEARCH_DUP_THRESHOLD: expected a number above 0 and at most 1"):
        reindex([source], tmp_path / "index", jobs=1)
    assert not (tmp_path / "index").exists() or live_version(tmp_path / "index") is None


def test_exact_copies_are_one_group_and_empty_bodies_none() -> None:
    from indexer.derived.dups import groups, signatures

    texts = [
        "国务院常务会议部署稳就业工作",
        "",
        "国务院常务会议部署稳就业工作",
        "央行宣布下调存款准备金率",
        "",
    ]
    texts = texts * 3  # rows 5.. and 10.. repeat the first five
    sigs = signatures(texts)
    assert groups(sigs, 0.8).tolist() == [0, 1, 0, 3, 4, 0, 6, 0, 3, 9, 0, 11, 0, 3, 14]
