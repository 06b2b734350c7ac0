"""``zhsearch snapshot DEST``: a consistent copy of the live index, for read replicas.

The copy holds one Whoosh commit of the live generation: its table of contents and exactly the segment files
it lists. The files are opened before anything is copied, so a reindex running meanwhile (a commit that merges
segments deletes their files) cannot tear the copy: an open file stays readable after it is deleted.

``DEST`` is laid out like any index directory (``CURRENT``, ``gen-NNNNNN/``) and updated the same way: the new
copy is written beside the one being served as ``gen-NNNNNN.building``, then ``CURRENT`` is switched to it
atomically, and ``zhsearch serve --index DEST`` picks it up without a restart. Then the previous copy is removed:
``DEST`` holds ``CURRENT``, ``LOCK`` and the one generation it serves, so that copying ``DEST`` to a replica
copies nothing stale. A server reading ``DEST`` loses nothing: the files of the commit it serves stay mapped
after their deletion, and one that resolved ``CURRENT`` just before the switch finds the old generation gone,
reads ``CURRENT`` again and opens the new one (search/live.py). Generation numbers are ``DEST``'s own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from indexer.derived.dups import DUPS_FILE
from indexer.derived.spelling import SPELLING_FILE
from indexer.derived.suggest import SUGGEST_FILE
from indexer.ingest.filestate import FILE_STATE
from indexer.store import (
    INDEX_NAME,
    NoIndexError,
    ReindexLock,
    StoreError,
    current_generation,
    generation_name,
    next_generation,
    publish_generation,
    remove_stale,
)

_COPY_CHUNK = 1 << 20


@dataclass
class SnapshotSummary:
    source: str  # "gen-000003 commit 5"
    generation: str  # the generation written in DEST
    documents: int
    files: int
    bytes: int


def _open_commit(gen: Path) -> tuple[int, dict[str, BinaryIO], int]:
    """(commit number, open files of that commit by name, live documents); FileNotFoundError if it changed."""
    from whoosh.index import TOC

    from indexer.format.mmapstore import MappedStorage

    numbers = []
    for name in os.listdir(gen):
        if name.startswith(f"_{INDEX_NAME}_") and name.endswith(".toc"):
            middle = name[len(INDEX_NAME) + 2 : -4]
            if middle.isdigit():
                numbers.append(int(middle))
    if not numbers:
        raise StoreError(f"{gen}: no table of contents: the generation is incomplete")
    commit = max(numbers)
    files: dict[str, BinaryIO] = {}
    try:
        toc_name = f"_{INDEX_NAME}_{commit}.toc"
        files[toc_name] = open(gen / toc_name, "rb")  # noqa: SIM115 (closed by the caller)
        toc = TOC.read(MappedStorage(str(gen), readonly=True), INDEX_NAME, gen=commit)
        prefixes = tuple(f"{seg.segment_id()}." for seg in toc.segments)
        for name in os.listdir(gen):
            if name.startswith(prefixes):
                files[name] = open(gen / name, "rb")  # noqa: SIM115
        for name in (
            SUGGEST_FILE,
            SPELLING_FILE,
            DUPS_FILE,
            FILE_STATE,
        ):  # the data files (used when they match the commit)
            with contextlib.suppress(FileNotFoundError):
                files[name] = open(gen / name, "rb")  # noqa: SIM115
        documents = sum(seg.doc_count() for seg in toc.segments)
    except BaseException:
        for fh in files.values():
            fh.close()
        raise
    return commit, files, documents


def snapshot(
    index_dir: str | os.PathLike[str], dest: str | os.PathLike[str], *, keep: int = 1
) -> SnapshotSummary:
    """Copy the live commit of ``index_dir`` into ``dest`` and make it ``dest``'s live generation."""
    index_dir, dest = Path(index_dir), Path(dest)
    if dest.resolve() == index_dir.resolve():
        raise StoreError("the snapshot destination is the index itself")
    for attempt in range(5):
        gen = current_generation(index_dir)
        if gen is None:
            raise NoIndexError(f"no index at {index_dir} (run `zhsearch reindex` first)")
        try:
            commit, files, documents = _open_commit(gen)
            break
        except FileNotFoundError:
            if attempt == 4:
                raise StoreError(
                    f"the index at {index_dir} kept changing while it was being opened"
                ) from None
    try:
        try:
            dest.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {dest}: {exc.strerror or exc}") from None
        with ReindexLock(dest):  # one writer of DEST at a time (and never a reindex into it)
            remove_stale(dest, keep=keep)
            number = next_generation(dest)
            building = dest / (generation_name(number) + ".building")
            total = 0
            try:
                building.mkdir()
                for name, fh in sorted(files.items()):
                    fh.seek(0)
                    with open(building / name, "wb") as out:
                        shutil.copyfileobj(fh, out, _COPY_CHUNK)
                        total += out.tell()
                final = publish_generation(dest, building, number)
            except OSError as exc:
                shutil.rmtree(building, ignore_errors=True)
                raise StoreError(
                    f"writing the snapshot into {dest} failed: {exc.strerror or exc}; what {dest} served is unchanged"
                ) from None
            remove_stale(dest, keep=keep)
    finally:
        for fh in files.values():
            fh.close()
    return SnapshotSummary(f"{gen.name} commit {commit}", final.name, documents, len(files), total)
