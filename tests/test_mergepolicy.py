"""The merge policy (tiers of similar sizes, deletions purged) and the merges it runs on a real index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.compat import read_toc
from indexer.segments import mergepolicy
from indexer.segments.mergepolicy import (
    FLOOR_DOCS,
    SEGMENTS_PER_TIER,
    SMALL_SEGMENTS,
    Merge,
    SegmentSize,
    plan_merges,
    tier,
)
from indexer.store import open_index
from indexer.writer import reindex
from search import Searcher

SAMPLE = Path(__file__).resolve().parent.parent / "index_data" / "articles" / "cmrc2018-wikipedia.jsonl"


def sizes(*pairs: tuple[int, int]) -> list[SegmentSize]:
    return [SegmentSize(f"s{i}", docs, deleted) for i, (docs, deleted) in enumerate(pairs)]


@pytest.mark.parametrize(
    ("live", "expected"),
    [(0, 0), (FLOOR_DOCS - 1, 0), (FLOOR_DOCS, 1), (FLOOR_DOCS * 8 - 1, 1), (FLOOR_DOCS * 8, 2), (10**6, 3)],
)
def test_tiers(live: int, expected: int) -> None:
    assert tier(live) == expected


@pytest.mark.parametrize(
    ("segments", "merges"),
    [
        # within the policy: nothing
        (sizes((75000, 0), (1000, 0), (10, 0)), []),
        (sizes(*[(10, 0)] * SMALL_SEGMENTS), []),
        (sizes(*[(FLOOR_DOCS, 0)] * SEGMENTS_PER_TIER), []),
        # one small segment too many: tier 0 is merged, the big one left alone
        (
            sizes((75000, 10), *[(10, 0)] * (SMALL_SEGMENTS + 1)),
            [Merge(tuple(f"s{i}" for i in range(1, SMALL_SEGMENTS + 2)), False)],
        ),
        # a small index, all of tier 0: its large segment waits while the small ones merge among themselves
        (sizes((1000, 0), (10, 0), (10, 0)), [Merge(("s1", "s2"), False)]),
        # ... until they hold more than a LARGE_RATIO-th of it
        (sizes((1000, 0), (200, 0), (100, 0)), [Merge(("s0", "s1", "s2"), False)]),
        # one segment too many in tier 1
        (
            sizes(*[(FLOOR_DOCS, 0)] * (SEGMENTS_PER_TIER + 1)),
            [Merge(tuple(f"s{i}" for i in range(SEGMENTS_PER_TIER + 1)), False)],
        ),
        # a quarter deleted: purged alone
        (sizes((75000, 0), (1000, 250)), [Merge(("s1",), True)]),
        # everything deleted: purged away
        (sizes((75000, 0), (40, 40)), [Merge(("s1",), True)]),
        # a tier merge whose segments hold a fifth deleted purges them
        (
            sizes(*[(100, 20)] * (SMALL_SEGMENTS + 1)),
            [Merge(tuple(f"s{i}" for i in range(SMALL_SEGMENTS + 1)), True)],
        ),
    ],
)
def test_plans(segments: list[SegmentSize], merges: list[Merge]) -> None:
    assert plan_merges(segments) == merges


def test_a_merge_that_fills_the_next_tier_cascades() -> None:
    big = [(FLOOR_DOCS * 2, 0)] * SEGMENTS_PER_TIER  # tier 1, full
    small = [(FLOOR_DOCS // 2, 0)] * (SMALL_SEGMENTS + 1)  # tier 0, one too many: merged into tier 1
    merges = plan_merges(sizes(*big, *small))
    assert [len(m.names) for m in merges] == [SMALL_SEGMENTS + 1, SEGMENTS_PER_TIER + 1]
    assert merges[1].names[-1] == "merge1"


def test_the_segment_count_stays_logarithmic_over_many_runs() -> None:
    segments = [SegmentSize("big", 750_000, 0)]
    most = 0
    for run in range(1000):
        segments.append(SegmentSize(f"r{run}", 10, 0))
        for merge in plan_merges(segments):
            members = [s for s in segments if s.name in merge.names]
            segments = [s for s in segments if s.name not in merge.names]
            segments.append(SegmentSize(f"m{run}", sum(s.live for s in members), 0))
        most = max(most, len(segments))
    assert most <= 12


def _small_runs(runs: int) -> tuple[int, int]:
    """1,000 articles then ``runs`` runs adding 10: the documents merges write, and the most segments."""
    segments = [SegmentSize("first", 1000, 0)]
    written = most = 0
    for run in range(runs):
        segments.append(SegmentSize(f"r{run}", 10, 0))
        for merge in plan_merges(segments):
            members = [s for s in segments if s.name in merge.names]
            written += sum(s.docs for s in members)
            segments = [s for s in segments if s.name not in merge.names]
            segments.append(SegmentSize(f"m{run}", sum(s.live for s in members), 0))
        most = max(most, len(segments))
    return written, most


def test_a_small_index_is_not_rewritten_for_every_few_small_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small index, all of tier 0: with LARGE_RATIO its merges write a fraction of what merging the whole tier
    each time it overflows writes (the whole index every other run), with no more segments."""
    written, most = _small_runs(100)
    monkeypatch.setattr(mergepolicy, "LARGE_RATIO", float("inf"))
    whole_tier, most_whole = _small_runs(100)
    assert written * 3 < whole_tier
    assert most == most_whole == SMALL_SEGMENTS


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def live_segments(index_dir: Path) -> list[tuple[int, int]]:
    return [
        (s.doc_count_all(), s.doc_count_all() - s.doc_count())
        for s in read_toc(open_index(index_dir)).segments
    ]


def answers(index_dir: Path) -> list[tuple]:
    searcher = Searcher(index_dir, cache_size=0)
    out = []
    for q in ("中国", "历史 文化", '"世界大战"', "公司 -美国"):
        result = searcher.search(q, spellcheck=False, collapse=False)
        out.append((q, result.total, result.facets, [(h.id, round(h.score, 9)) for h in result.hits]))
    return out


def test_runs_merge_tiers_and_purge_deletions_to_a_fresh_build(tmp_path: Path) -> None:
    records = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()[:300]]
    src = tmp_path / "articles"
    index_dir = tmp_path / "index"
    write_jsonl(src / "a.jsonl", records[:100])
    reindex([src], index_dir, jobs=1)
    for run in range(SMALL_SEGMENTS - 1):
        write_jsonl(src / "a.jsonl", records[: 110 + 10 * run])
        reindex([src], index_dir, jobs=1)
    assert live_segments(index_dir) == [(100, 0)] + [(10, 0)] * (SMALL_SEGMENTS - 1)
    # one more small segment than the tier holds: every segment is of tier 0 here; the small ones are merged,
    # the first one (more than LARGE_RATIO times their size) left alone
    write_jsonl(src / "a.jsonl", records[: 110 + 10 * (SMALL_SEGMENTS - 1)])
    reindex([src], index_dir, jobs=1)
    total = 110 + 10 * (SMALL_SEGMENTS - 1)
    assert live_segments(index_dir) == [(100, 0), (total - 100, 0)]
    # half of the first hundred articles removed: that segment is written again without them
    write_jsonl(src / "a.jsonl", records[:50] + records[100:total])
    run = reindex([src], index_dir, jobs=1)
    assert run.deleted == 50
    assert live_segments(index_dir) == [(50, 0), (total - 100, 0)]
    # the small ones grown past a LARGE_RATIO-th of it: one more run merges the whole tier
    write_jsonl(src / "a.jsonl", records[:50] + records[100 : total + 10])
    reindex([src], index_dir, jobs=1)
    assert live_segments(index_dir) == [(total - 40, 0)]
    write_jsonl(src / "a.jsonl", records[:50] + records[100 : total + 10])
    fresh = tmp_path / "fresh"
    reindex([src], fresh, jobs=1)
    assert answers(index_dir) == answers(fresh)  # scores too: no deleted document is counted any more


def test_a_purge_writes_each_document_as_the_reindex_wrote_it(tmp_path: Path) -> None:
    """stored_document gives back article_document's document for every article of the shipped sample (the
    saved page and its stubs included), from what the index keeps."""
    from indexer.articles import Article
    from indexer.ingest.loaders import load_file
    from indexer.segments.documents import DOCUMENT_COLUMNS, article_document, stored_document

    articles_dir = SAMPLE.parent
    reindex([articles_dir], tmp_path / "index", jobs=1)
    articles = {}
    for path in sorted(articles_dir.iterdir()):
        for record in load_file(path, path.name):
            if isinstance(record, Article):
                record.path = str(path)
                articles[record.id] = record
    compared = 0
    with open_index(tmp_path / "index").reader() as reader:
        columns = {name: reader.column_reader(name) for name in DOCUMENT_COLUMNS}
        for docnum in range(reader.doc_count_all()):
            fields = reader.stored_fields(docnum)
            doc = stored_document(fields, {name: col[docnum] for name, col in columns.items()})
            expected = article_document(articles[fields["id"]], doc["sig"])
            expected["path"] = fields["path"]
            assert doc == expected
            compared += 1
    assert compared == len(articles) > 1104
