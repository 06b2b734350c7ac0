"""A snapshot keeps serving the segment files it opened, even after a commit deleted them."""

from __future__ import annotations

from pathlib import Path

from ops_helpers import write_state
from whoosh import index as whoosh_index

from indexer.writer import reindex
from search import Searcher


def test_snapshot_opens_new_readers_after_a_commit_deleted_its_segment_files(tmp_path: Path) -> None:
    source = write_state(tmp_path / "articles" / "news.jsonl", {n: 1 for n in range(1, 6)})
    index_dir = tmp_path / "index"
    reindex([source], index_dir, jobs=1)
    searcher = Searcher(index_dir, refresh_interval=3600)
    snap = searcher._current()
    files = [p for p in snap.gen_dir.iterdir() if p.name.startswith("MAIN_")]
    write_state(source, {n: 4 for n in range(1, 6)})
    reindex([source], index_dir, jobs=1)
    writer = whoosh_index.open_dir(str(snap.gen_dir)).writer()
    writer.commit(optimize=True)  # a commit that merges segments: the files of the old ones are deleted
    assert not any(p.exists() for p in files)
    with snap.searcher() as first, snap.searcher() as second:  # the second one is opened now
        assert first is not second
        assert second.doc_count() == first.doc_count() == 5
        assert {f["title"] for f in second.all_stored_fields()} == {f"第{n}号通报 版本1" for n in range(1, 6)}
    assert searcher.refresh() and searcher.search("版本4").total == 5
