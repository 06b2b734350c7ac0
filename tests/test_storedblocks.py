"""Stored fields in compressed blocks of documents (``indexer.format.storedblocks``): every document reads back as
written, one at a time, in order and from many threads."""

from __future__ import annotations

import pickle
import random
import threading
from datetime import datetime
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import RamStorage
from whoosh.reading import CorruptIndexError

from indexer.codec import ZhCompactCodec
from indexer.format.storedblocks import (
    BLOCK_SIZE,
    SAMPLE_SIZE,
    STORED_EXT,
    StoredBlockReader,
    StoredBlockWriter,
)
from indexer.schema import make_schema


def _news(n: int, seed: int = 1) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    words = ["中国", "经济", "发展", "新华社", "记者", "报道", "会议", "北京", "合作", "国际"]
    return [
        {
            "id": f"n{i}",
            "title": "".join(rng.choices(words, k=5)),
            "body": "，".join("".join(rng.choices(words, k=8)) for _ in range(rng.randint(1, 40))),
            "published": datetime(2024, 1, 1 + i % 28),
        }
        for i in range(n)
    ]


CASES: dict[str, list[dict[str, Any] | None]] = {
    "no documents": [],
    "one document": [{"id": "a"}],
    "one document without stored fields": [{}],
    "unicode and None values": [
        {"title": "中文标题😀", "author": None, "n": 3, "ok": True, "when": datetime(2025, 3, 6, 14, 15)},
        None,
        {"tags": ["公安部", "电信诈骗"], "body": "對境外詐騙窩點"},
    ],
    "a document bigger than a block": [{"id": "s"}, {"body": "字" * (3 * BLOCK_SIZE)}, {"id": "t"}],
    "many blocks, the dictionary sampled": _news(700) + [{}, {"id": "last"}],
}


def _write(docs: list[dict | None], *, bulk: bool = False, **options: Any) -> tuple[RamStorage, int]:
    storage = RamStorage()
    writer = StoredBlockWriter(storage.create_file("s.stb"), **options)
    if bulk:
        writer.add_many(docs)
    else:
        for doc in docs:
            writer.add(doc)
    writer.close()
    return storage, storage.file_length("s.stb")


def _reader(storage: RamStorage, **options: Any) -> StoredBlockReader:
    return StoredBlockReader(storage.open_file("s.stb"), storage.file_length("s.stb"), **options)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("bulk", [False, True], ids=["add", "add_many"])
def test_documents_read_back_as_written(case: str, bulk: bool) -> None:
    docs = CASES[case]
    want = [doc or {} for doc in docs]
    reader = _reader(_write(docs, bulk=bulk)[0], cache=2)
    assert len(reader) == len(docs)
    assert list(reader) == want
    order = list(range(len(docs)))
    random.Random(3).shuffle(order)
    assert [reader.stored_fields(d) for d in order] == [want[d] for d in order]
    for d in (-1, len(docs)):
        with pytest.raises(IndexError):
            reader.stored_fields(d)


def test_each_call_returns_a_new_dict() -> None:
    reader = _reader(_write([{"id": "a", "tags": ["x"]}])[0])
    first = reader.stored_fields(0)
    first["id"] = "changed"
    first["tags"].append("y")
    assert reader.stored_fields(0) == {"id": "a", "tags": ["x"]}


def test_iteration_decodes_each_block_once(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _news(700)
    reader = _reader(_write(docs)[0])
    decoded: list[int] = []
    original = StoredBlockReader._decode
    monkeypatch.setattr(StoredBlockReader, "_decode", lambda self, b: decoded.append(b) or original(self, b))
    assert list(reader) == docs
    assert decoded == list(range(reader.block_count))
    assert reader.block_count <= sum(len(pickle.dumps(d, 5)) for d in docs) // BLOCK_SIZE
    decoded.clear()
    assert [reader.stored_fields(d) for d in (5, 6, 7, 5)] == [docs[d] for d in (5, 6, 7, 5)]
    assert len(decoded) == 1  # one block, decoded once and then kept


def test_blocks_and_the_dictionary_shrink_the_documents() -> None:
    docs = _news(700)
    raw = sum(len(pickle.dumps(d, 5)) for d in docs)
    assert raw > SAMPLE_SIZE
    one_per_block = _write(docs, block_size=1, zdict_size=0)[1]
    assert _write(docs)[1] < one_per_block < raw
    assert _write(docs, block_size=1024)[1] < _write(docs, block_size=1024, zdict_size=0)[1]


def test_concurrent_readers_get_their_documents() -> None:
    docs = _news(700, seed=5)
    reader = _reader(_write(docs)[0], cache=2)  # a small cache: the threads evict each other's blocks
    assert read_concurrently(reader, docs) == []


def read_concurrently(reader: Any, docs: list[dict[str, Any]]) -> list[str]:
    """Six threads each read 300 random documents of ``reader``: the documents that came back wrong."""
    errors: list[str] = []

    def read(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(300):
            d = rng.randrange(len(docs))
            if reader.stored_fields(d) != docs[d]:
                errors.append(f"document {d}")

    threads = [threading.Thread(target=read, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.parametrize("data", [b"", b"not a stored-fields file, not at all", b"ZhS1" + bytes(40)])
def test_a_damaged_file_is_reported(data: bytes) -> None:
    storage = RamStorage()
    f = storage.create_file("s.stb")
    f.write(data)
    f.close()
    with pytest.raises(CorruptIndexError, match="reindex"):
        _reader(storage)


def test_a_compact_segment_has_no_stored_column(tmp_path: Any) -> None:
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    with ix.writer(codec=ZhCompactCodec()) as w:
        w.add_document(id="a", title="标题", body="正文", line=3)
        w.add_document(id="b", title="第二", body="")
    with ix.reader() as r:
        assert not r._perdoc.has_column("_stored")
        assert r.stored_fields(0) == {"id": "a", "title": "标题", "body": "正文", "line": 3}
        assert list(r.all_stored_fields())[1] == {"id": "b", "title": "第二", "body": ""}
        names = r.storage().list()
    assert any(name.endswith(STORED_EXT) for name in names)
