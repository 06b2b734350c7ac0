"""Posting blocks compressed with Zstandard (:mod:`indexer.format.compression`): the encoders write the same
bytes, and blocks of the zlib codec (indexes of format 4) are still read, by Whoosh's matcher, by the query
engine's bulk decoder and through the block-copying merge, alone or mixed with Zstandard segments."""

from __future__ import annotations

import io
import random
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.formats import Positions
from whoosh.index import TOC
from whoosh.util.numeric import byte_to_length

import indexer.format.postingblocks
import indexer.format.write
import indexer.segments.merge
from indexer.codec import ZhCompactCodec
from indexer.compat import postings_buffer
from indexer.format.blocks import block_table, decode_blocks
from indexer.format.compression import COMP_ZSTD, COMPRESS_MIN, compress, decompress
from indexer.format.layout import SHUFFLED, position_array, read_typed_array, typed_array
from indexer.format.postingblocks import encode_field, length_bytes
from indexer.format.write import ZhPostingsWriter
from indexer.schema import make_schema
from indexer.segments.documents import article_document

INDEX = "MAIN"


def _zlib_compress(data: bytes, level: int) -> tuple[int, bytes]:
    """What the writers of format 4 did: zlib at ``level``, the level in the header."""
    if not level or len(data) < COMPRESS_MIN:
        return 0, data
    packed = zlib.compress(data, level)
    return (level, packed) if len(packed) < len(data) else (0, data)


@pytest.fixture
def zlib_writers(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Within ``with zlib_writers():``, both encoders write format 4's zlib blocks (Whoosh's writer path also its
    uint16 positions as they are, not in byte planes)."""

    class _Patch:
        def __enter__(self) -> None:
            monkeypatch.setattr(indexer.format.write, "compress", _zlib_compress)
            monkeypatch.setattr(indexer.format.write, "position_array", typed_array)
            monkeypatch.setattr(indexer.format.postingblocks, "compress", _zlib_compress)

        def __exit__(self, *exc: object) -> None:
            monkeypatch.undo()

    return _Patch


def test_compress_round_trips_and_keeps_short_or_incompressible_data() -> None:
    data = bytes(range(200)) * 4
    comp, packed = compress(data, 3)
    assert comp == COMP_ZSTD and len(packed) < len(data) and decompress(packed, comp) == data
    assert compress(data[: COMPRESS_MIN - 1], 3) == (0, data[: COMPRESS_MIN - 1])
    noise = random.Random(1).randbytes(500)
    assert compress(noise, 3) == (0, noise)
    assert compress(data, 0) == (0, data)
    assert decompress(zlib.compress(data, 3), 3) == data  # format 4's blocks
    with pytest.raises(ValueError, match="compression"):
        decompress(data, 0x7F)


@pytest.mark.parametrize("values", [[], [0, 5, 255], [3, 256, 1000, 65535], [0, 65536], [2**33]])
def test_position_arrays_read_back(values: list[int]) -> None:
    data = b"xx" + position_array(values)
    shuffled = 255 < max(values, default=0) <= 0xFFFF
    assert (data[2:3] == SHUFFLED) == shuffled
    if shuffled:  # the low bytes, then the high bytes
        assert data[3:] == bytes(v & 0xFF for v in values) + bytes(v >> 8 for v in values)
    else:
        assert data[2:] == typed_array(values)
    arr, end = read_typed_array(data, 2, len(values))
    assert arr.tolist() == values and end == len(data)


def _field(seed: int, n_terms: int, n_docs: int) -> dict[str, np.ndarray]:
    """A positions field as the fast build's arrays: per term ascending documents, frequencies, positions."""
    rng = np.random.default_rng(seed)
    docs, freqs, positions, starts = [], [], [], [0]
    for t in range(n_terms):
        df = int(rng.integers(1, n_docs)) if t % 3 else int(rng.integers(1, 4))
        d = np.sort(rng.choice(n_docs, size=df, replace=False))
        f = rng.integers(1, 6 if t % 2 else 2, size=df)
        for k in f.tolist():
            positions.append(np.sort(rng.choice(3000 if t % 4 else 200, size=k, replace=False)))
        docs.append(d)
        freqs.append(f)
        starts.append(starts[-1] + df)
    flat = np.concatenate(positions)
    pos_starts = np.zeros(len(positions) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in positions], out=pos_starts[1:])
    return {
        "starts": np.array(starts, dtype=np.int64),
        "docs": np.concatenate(docs).astype(np.int64),
        "freqs": np.concatenate(freqs).astype(np.int64),
        "positions": flat.astype(np.int64),
        "pos_starts": pos_starts,
        "lengths": rng.integers(1, 5000, size=n_docs),
    }


def _per_posting(field: dict[str, np.ndarray], blocklimit: int) -> bytes:
    """The same postings through Whoosh's writer path (``add_posting``, one posting at a time)."""
    out = io.BytesIO()
    postfile = StructFile(out)
    writer = ZhPostingsWriter(postfile, blocklimit=blocklimit, compression=3)
    fmt = Positions()
    lbytes = length_bytes(field["lengths"])
    starts, ps = field["starts"].tolist(), field["pos_starts"].tolist()
    for t in range(len(starts) - 1):
        writer.start_postings(fmt, W3TermInfo())
        for i in range(starts[t], starts[t + 1]):
            doc = int(field["docs"][i])
            positions = field["positions"][ps[i] : ps[i + 1]].tolist()
            writer.add_posting(
                doc, float(field["freqs"][i]), fmt.encode(positions), byte_to_length(lbytes[doc])
            )
        writer.finish_postings()
    return out.getvalue()


@pytest.mark.parametrize("blocklimit", [7, 128])
def test_both_encoders_write_the_same_zstd_blocks(blocklimit: int) -> None:
    field = _field(3, 40, 900)
    enc = encode_field(
        field["starts"],
        field["docs"],
        field["freqs"],
        length_bytes(field["lengths"]),
        positions=field["positions"],
        pos_starts=field["pos_starts"],
        blocklimit=blocklimit,
        compression=3,
    )
    assert enc.data == _per_posting(field, blocklimit)
    comps = set()
    for offset, length in zip(enc.offset.tolist(), enc.length.tolist(), strict=True):
        comps.update(block_table(enc.data, offset, length).comp.tolist())
    assert comps <= {0, COMP_ZSTD} and (COMP_ZSTD in comps or blocklimit < 64)


@pytest.mark.parametrize("positions", [False, True])
def test_bulk_decoder_reads_zstd_zlib_and_raw_blocks_alike(positions: bool, zlib_writers: Any) -> None:
    field = _field(5, 30, 700)
    args = (field["starts"], field["docs"], field["freqs"], length_bytes(field["lengths"]))
    kwargs = {"positions": field["positions"], "pos_starts": field["pos_starts"], "blocklimit": 50}
    new = encode_field(*args, **kwargs, compression=3)
    raw = encode_field(*args, **kwargs, compression=0)
    with zlib_writers():
        old = encode_field(*args, **kwargs, compression=3)
    assert len(old.data) != len(new.data) and len(raw.data) > len(new.data)
    for t in range(len(field["starts"]) - 1):
        got = []
        for enc in (new, old, raw):
            table = block_table(enc.data, int(enc.offset[t]), int(enc.length[t]))
            for sel in (np.arange(len(table.firsts)), np.arange(len(table.firsts))[1::2]):
                if len(sel):
                    got.append(decode_blocks(enc.data, table, sel, positions))
        want = got[: len(got) // 3]
        for decoded in (got[len(want) : 2 * len(want)], got[2 * len(want) :]):
            for a, b in zip(want, decoded, strict=True):
                for x, y in zip(a, b, strict=True):
                    assert (x is None and y is None) or np.array_equal(x, y)
    start, end = field["starts"][0], field["starts"][1]
    ids, tfs, pstart, flat = decode_blocks(
        new.data, block_table(new.data, int(new.offset[0]), int(new.length[0])), np.arange(1), True
    )
    assert ids.tolist() == field["docs"][start:end].tolist()[: len(ids)]
    assert tfs.tolist() == field["freqs"][start : start + len(ids)].tolist()
    assert pstart is not None and flat is not None
    lo, hi = field["pos_starts"][start], field["pos_starts"][start + len(ids)]
    assert flat.tolist() == field["positions"][lo:hi].tolist()


def _docs(n: int, seed: int) -> list[dict[str, Any]]:
    from indexer.articles import Article

    rng = random.Random(seed)
    words = "经济 发展 改革 开放 创新 科技 农业 粮食 丰收 乡村 振兴 城市 交通 高铁 生态 环境 保护 长江 的 了".split()
    return [
        article_document(
            Article(
                f"z{seed}-{i}",
                "".join(rng.choices(words, k=4)),
                "，".join(
                    "".join(rng.choices(words, k=rng.randint(3, 30))) for _ in range(rng.randint(1, 8))
                ),
                path="/x/z.jsonl",
                line=i + 1,
            ),
            "1:2",
        )
        for i in range(n)
    ]


def _dump(ix: Any) -> dict[Any, Any]:
    """Every posting through Whoosh's matcher, and through the bulk decoder, and the stored fields."""
    out: dict[Any, Any] = {}
    with ix.reader() as r:
        for fieldname, text in r.all_terms():
            fmt = r.schema[fieldname].format
            m = r.postings(fieldname, text)
            rows = []
            while m.is_active():
                rows.append(
                    (
                        m.id(),
                        m.weight(),
                        tuple(m.value_as("positions")) if fmt.supports("positions") else None,
                    )
                )
                m.next()
            out[(fieldname, text)] = rows
        out["stored"] = [r.stored_fields(d) for d in range(r.doc_count_all())]
        for sub, base in r.leaf_readers():
            buf, start, _end = postings_buffer(sub)
            for fieldname, text in sub.all_terms():
                ti = sub.term_info(fieldname, text)
                offset, length = ti.extent()
                length = length[0] if isinstance(length, tuple) else length
                table = block_table(buf, start + offset, length)
                positions = type(sub.schema[fieldname].format) is Positions
                ids, tfs, ps, flat = decode_blocks(buf, table, np.arange(len(table.firsts)), positions)
                where = None if ps is None or flat is None else (ps.tolist(), flat.tolist())
                out[("bulk", base, fieldname, text)] = (ids.tolist(), tfs.tolist(), where)
    return out


def _comps(ix: Any) -> set[int]:
    """The compression codes of every block."""
    comps: set[int] = set()
    with ix.reader() as r:
        for sub, _base in r.leaf_readers():
            buf, start, _end = postings_buffer(sub)
            for fieldname, text in sub.all_terms():
                offset, length = sub.term_info(fieldname, text).extent()
                length = length[0] if isinstance(length, tuple) else length
                table = block_table(buf, start + offset, length)
                comps.update(table.comp.tolist())
    return comps


def _build(path: Path, batches: list[tuple[list[dict[str, Any]], bool]], zlib_writers: Any) -> Any:
    path.mkdir(parents=True)
    ix = whoosh_index.create_in(str(path), make_schema())
    for docs, old in batches:
        w = ix.writer(codec=ZhCompactCodec(blocklimit=64), compound=False)
        if old:
            with zlib_writers():
                for doc in docs:
                    w.add_document(**doc)
                w.commit(merge=False)
        else:
            for doc in docs:
                w.add_document(**doc)
            w.commit(merge=False)
    return whoosh_index.open_dir(str(path))


def _block_merge(path: Path) -> Any:
    storage = FileStorage(str(path))
    info = storage.open_index(INDEX)._read_toc()
    merged = indexer.segments.merge.merge_segments(storage, info.schema, info.segments, INDEX)
    for seg in info.segments:
        for name in seg.list_files(storage):
            storage.delete_file(name)
    TOC(info.schema, [merged], info.generation + 1).write(storage, INDEX)
    return whoosh_index.open_dir(str(path))


def test_zlib_segments_read_and_merge_with_zstd_ones(tmp_path: Path, zlib_writers: Any) -> None:
    a, b = _docs(150, 1), _docs(120, 2)
    new = _build(tmp_path / "new", [(a, False), (b, False)], zlib_writers)
    old = _build(tmp_path / "old", [(a, True), (b, True)], zlib_writers)
    mixed = _build(tmp_path / "mixed", [(a, True), (b, False)], zlib_writers)
    assert _comps(new) == {0, COMP_ZSTD}
    assert _comps(old) == {0, 3}
    assert _comps(mixed) == {0, 3, COMP_ZSTD}
    want = _dump(new)
    assert _dump(old) == want
    assert _dump(mixed) == want
    merged = _block_merge(tmp_path / "mixed")  # blocks copied as they are: both codecs in one segment
    assert len(merged._segments()) == 1 and _comps(merged) == {0, 3, COMP_ZSTD}
    got = _dump(merged)
    assert {k: v for k, v in got.items() if k[0] != "bulk"} == {
        k: v for k, v in want.items() if k[0] != "bulk"
    }
    fresh = _block_merge(tmp_path / "new")
    assert _dump(fresh) == got
