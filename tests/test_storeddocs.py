"""Stored fields one Zstandard frame per document (``indexer.format.storeddocs``): every document reads back as
written, the dictionary is trained when there is enough to learn from, and segments of format 4's zlib blocks
(``indexer.format.storedblocks``) are still read and merged with new ones."""

from __future__ import annotations

import pickle
import random
from pathlib import Path
from typing import Any

import pytest
from test_storedblocks import CASES, _news, read_concurrently
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.index import TOC
from whoosh.reading import CorruptIndexError

import indexer.format.storedblocks
import indexer.segments.merge
from indexer.codec import ZhCompactCodec
from indexer.format.storedblocks import StoredBlockReader, StoredBlockWriter
from indexer.format.storeddocs import (
    NO_DICT,
    RAW_DICT,
    TRAINED_DICT,
    StoredDocReader,
    StoredDocWriter,
)
from indexer.schema import make_schema

SMALL = {"sample_size": 96 * 1024, "dict_size": 8 * 1024}  # a dictionary trained on a test's few documents


def _write(docs: list[dict | None], *, bulk: bool = False, **options: Any) -> tuple[RamStorage, int]:
    storage = RamStorage()
    writer = StoredDocWriter(storage.create_file("s.stb"), **options)
    if bulk:
        writer.add_many(docs)
    else:
        for doc in docs:
            writer.add(doc)
    writer.close()
    return storage, storage.file_length("s.stb")


def _reader(storage: RamStorage) -> StoredDocReader:
    return StoredDocReader(storage.open_file("s.stb"), storage.file_length("s.stb"))


@pytest.mark.parametrize("case", [*CASES, "trained"])
@pytest.mark.parametrize("bulk", [False, True], ids=["add", "add_many"])
def test_documents_read_back_as_written(case: str, bulk: bool) -> None:
    docs = _news(700, seed=2) if case == "trained" else CASES[case]
    want = [doc or {} for doc in docs]
    reader = _reader(_write(docs, bulk=bulk, **SMALL)[0])
    assert len(reader) == len(docs)
    assert list(reader) == want
    order = list(range(len(docs)))
    random.Random(3).shuffle(order)
    assert [reader.stored_fields(d) for d in order] == [want[d] for d in order]
    for d in (-1, len(docs)):
        with pytest.raises(IndexError):
            reader.stored_fields(d)
    kinds = {"no documents": NO_DICT, "one document without stored fields": NO_DICT}
    trained = len(docs) > 100
    assert reader.dict_kind == (TRAINED_DICT if trained else kinds.get(case, RAW_DICT))


def test_the_dictionary_shrinks_the_documents() -> None:
    docs = _news(700)
    raw = sum(len(pickle.dumps(d, 5)) for d in docs)
    trained = _write(docs, **SMALL)[1]
    sampled = _write(docs)[
        1
    ]  # fewer bytes than a default sample: a sample of the documents is the dictionary
    assert _reader(_write(docs)[0]).dict_kind == RAW_DICT
    assert trained < raw // 3 and sampled < raw // 3


def test_concurrent_readers_get_their_documents() -> None:
    docs = _news(700, seed=5)
    reader = _reader(_write(docs, **SMALL)[0])
    assert read_concurrently(reader, docs) == []


@pytest.mark.parametrize(
    "data", [b"", b"not a stored-fields file, not at all", b"ZhS2" + bytes(40), b"ZhS2" + bytes(8) + b"ZhS2"]
)
def test_a_damaged_file_is_reported(data: bytes) -> None:
    storage = RamStorage()
    f = storage.create_file("s.stb")
    f.write(data)
    f.close()
    with pytest.raises(CorruptIndexError, match="reindex"):
        _reader(storage)


def test_a_truncated_file_is_reported() -> None:
    storage, length = _write(_news(50))
    whole = storage.open_file("s.stb").read(length)
    cut = RamStorage()
    f = cut.create_file("s.stb")
    f.write(whole[:-9])
    f.close()
    with pytest.raises(CorruptIndexError, match="reindex"):
        _reader(cut)


class _BlocksWriter(indexer.format.storedblocks.StoredBlocksPerDocWriter):
    """Format 4's per-document writer: the stored fields in zlib blocks."""

    def __init__(self, codec: Any, storage: Any, segment: Any) -> None:
        super().__init__(codec, storage, segment)
        self._stored_blocks.close()  # the format-5 file it opened, replaced
        self._stored_blocks = StoredBlockWriter(
            segment.create_file(storage, indexer.format.storedblocks.STORED_EXT)
        )


def test_format_4_segments_read_and_merge_with_new_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = [{"id": d["id"], "title": d["title"], "body": d["body"]} for d in _news(300, seed=7)]
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    for part, old in ((docs[:200], True), (docs[200:], False)):
        if old:
            monkeypatch.setattr(
                ZhCompactCodec, "per_document_writer", lambda self, st, seg: _BlocksWriter(self, st, seg)
            )
        w = ix.writer(codec=ZhCompactCodec(), compound=False)
        for doc in part:
            w.add_document(**doc)
        w.commit(merge=False)
        monkeypatch.undo()
    ix = whoosh_index.open_dir(str(tmp_path))
    with ix.reader() as r:
        kinds = [type(sub._perdoc._blocks()) for sub, _base in r.leaf_readers()]
        assert kinds == [StoredBlockReader, StoredDocReader]
        assert [r.stored_fields(d) for d in range(r.doc_count_all())] == docs
    storage = FileStorage(str(tmp_path))
    info = storage.open_index("MAIN")._read_toc()
    merged = indexer.segments.merge.merge_segments(storage, info.schema, info.segments, "MAIN")
    TOC(info.schema, [merged], info.generation + 1).write(storage, "MAIN")
    with whoosh_index.open_dir(str(tmp_path)).reader() as r:
        assert type(r._perdoc._blocks()) is StoredDocReader
        assert [r.stored_fields(d) for d in range(r.doc_count_all())] == docs
