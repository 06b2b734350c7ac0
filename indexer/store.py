"""The on-disk layout of an index directory: generations, the CURRENT pointer and the reindex lock.

::

    index/
      CURRENT            name of the live generation ("gen-000003"), replaced atomically
      gen-000003/        a complete Whoosh index
      gen-000004.building/   a full rebuild in progress (removed on the next run if its process died)
      LOCK               held (flock) by the one running reindex; holds its pid

Readers resolve CURRENT when they open the index, so a full rebuild becomes visible in one step and a
crash at any point leaves the previous generation serving. Incremental updates commit inside the live
generation (Whoosh commits are atomic: a new table of contents is written after the new segments).
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
from pathlib import Path

from whoosh import index as whoosh_index

CURRENT = "CURRENT"
LOCK = "LOCK"
#: Whoosh's index name inside a generation directory (its TOC files are ``_MAIN_<n>.toc``).
INDEX_NAME = "MAIN"
_GEN_RE = re.compile(r"^gen-(\d{6,})$")


class StoreError(Exception):
    """Base class of index store errors (shown to the user as a message, never a traceback)."""


class NoIndexError(StoreError):
    """There is no index at the given directory yet."""


class IndexBusyError(StoreError):
    """Another reindex holds the lock."""


def generation_name(n: int) -> str:
    return f"gen-{n:06d}"


def current_generation(index_dir: Path) -> Path | None:
    """The directory of the live generation, or None if there is none."""
    pointer = index_dir / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not _GEN_RE.match(name):
        raise StoreError(f"{pointer}: unexpected content {name!r}")
    path = index_dir / name
    return path if path.is_dir() else None


_TOC_RE = re.compile(rf"^_{INDEX_NAME}_(\d+)\.toc$")


def live_version(index_dir: Path) -> tuple[str, int] | None:
    """``(generation directory, Whoosh commit number)`` of the live index, or None when there is none.

    It changes on a full rebuild (a new generation) and on an incremental commit; reading it costs a file read
    and a directory listing. Raises :class:`StoreError` or ``OSError`` when ``CURRENT`` cannot be read; a
    generation directory that cannot be listed counts as no index.
    """
    gen = current_generation(index_dir)
    if gen is None:
        return None
    try:
        numbers = [int(m.group(1)) for name in os.listdir(gen) if (m := _TOC_RE.match(name))]
    except OSError:
        return None
    return (gen.name, max(numbers)) if numbers else None


def generations(index_dir: Path) -> list[tuple[int, Path]]:
    """All complete generation directories, oldest first."""
    if not index_dir.is_dir():
        return []
    out = []
    for child in index_dir.iterdir():
        m = _GEN_RE.match(child.name)
        if m and child.is_dir():
            out.append((int(m.group(1)), child))
    return sorted(out)


def next_generation(index_dir: Path) -> int:
    numbers = [n for n, _ in generations(index_dir)]
    for child in index_dir.glob("gen-*.building") if index_dir.is_dir() else ():
        m = re.match(r"^gen-(\d+)\.building$", child.name)
        if m:
            numbers.append(int(m.group(1)))
    return max(numbers, default=0) + 1


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_generation(index_dir: Path, building: Path, number: int) -> Path:
    """Move a finished build into place and point CURRENT at it, atomically."""
    final = index_dir / generation_name(number)
    for f in building.iterdir():
        if f.is_dir():  # Whoosh's temporary storage: nothing in it belongs to the index
            shutil.rmtree(f, ignore_errors=True)
            continue
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())
    os.replace(building, final)
    tmp = index_dir / f"{CURRENT}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(final.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)
    return final


def remove_stale(index_dir: Path, keep: int = 2) -> list[Path]:
    """Remove unfinished builds and all but the newest ``keep`` generations (the live one always stays).

    The previous generation is kept so that a reader that resolved CURRENT just before the swap can finish.
    Call only while holding the lock.
    """
    removed = []
    for child in index_dir.glob("gen-*.building"):
        shutil.rmtree(child, ignore_errors=True)
        removed.append(child)
    try:
        live = current_generation(index_dir)
    except StoreError:
        return removed  # a damaged pointer: which generation is live is unknown, so none is removed
    gens = generations(index_dir)
    for _, path in gens[: max(0, len(gens) - keep)]:
        if live is not None and path == live:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def open_index(index_dir: Path) -> whoosh_index.Index:
    """Open the live generation for reading."""
    gen = current_generation(index_dir)
    if gen is None or not whoosh_index.exists_in(str(gen)):
        raise NoIndexError(f"no index at {index_dir} (run `zhsearch reindex` first)")
    return open_generation(gen)


def open_generation(gen: Path) -> whoosh_index.Index:
    """Open one generation directory read-only, memory-mapped (see :mod:`indexer.format.mmapstore`)."""
    from indexer.format.mmapstore import MappedStorage

    return MappedStorage(str(gen), readonly=True).open_index()


class ReindexLock:
    """An exclusive, non-blocking lock on an index directory, held for the whole reindex.

    It is an ``flock`` on ``LOCK``: the kernel drops it when the holder dies, so a lock left by a
    killed process never blocks the next run (the pid it left is reported as stale and replaced).
    """

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / LOCK
        self._fd: int | None = None
        self.stale_pid: int | None = None

    def acquire(self) -> ReindexLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # a read-only or unwritable index directory: a message, not a traceback
            raise StoreError(
                f"cannot write the lock file {self.path}: {exc.strerror or exc}; the index is unchanged"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise IndexBusyError(
                    f"another reindex (pid {holder or '?'}) is running on {self.path.parent}; try again when it ends"
                ) from None
            raise
        previous = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if previous.isdigit():
            self.stale_pid = int(previous)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ReindexLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
