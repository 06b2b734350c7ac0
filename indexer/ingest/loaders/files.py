"""Finding the article files under the paths given on the command line."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from indexer.ingest.loaders.problem import Problem

#: File name endings the loaders read (compared case-insensitively). Other files in a directory are ignored.
SUPPORTED_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".txt", ".html", ".htm", ".xml")


def is_supported(name: str) -> bool:
    return name.lower().endswith(SUPPORTED_SUFFIXES)


def iter_source_files(paths: Sequence[str | Path]) -> Iterator[Path | Problem]:
    """The article files named by ``paths``, directories walked recursively, each file once.

    Paths are taken in the order given; a directory's entries in sorted name order, depth first. Symbolic links are
    followed; a link back to an enclosing directory is reported as a "symlink loop" and skipped. Hidden entries
    (names starting with ".") inside directories are skipped, and so are files without a supported suffix, silently.
    A path that does not exist, an unreadable directory, a directory without any article file ("no article files")
    and a named file of an unsupported type are problems.
    """
    for _, item in iter_source_files_by_root(paths):
        yield item


def iter_source_files_by_root(paths: Sequence[str | Path]) -> Iterator[tuple[Path, Path | Problem]]:
    """Like :func:`iter_source_files`, each item with the path given that it was found under."""
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()
    for given in paths:
        path = Path(given)
        try:
            info = path.stat()
        except OSError as exc:
            yield path, _stat_problem(path, exc)
            continue
        if stat.S_ISDIR(info.st_mode):
            if _key(info) in seen_dirs:
                continue
            supported: list[int] = [0]  # supported entries met (read now or already, under another path)
            for item in _walk(path, info, seen_files, seen_dirs, supported):
                supported[0] += 1
                yield path, item
            if not supported[0]:
                yield (
                    path,
                    Problem(
                        str(path),
                        None,
                        "no article files",
                        f"no article files in it ({', '.join(SUPPORTED_SUFFIXES)})",
                    ),
                )
        elif not stat.S_ISREG(info.st_mode):
            yield (
                path,
                Problem(
                    str(path), None, "not a regular file", "not a regular file (a device, pipe or socket)"
                ),
            )
        elif not is_supported(path.name):
            yield (
                path,
                Problem(
                    str(path), None, "unsupported file type", f"not one of {', '.join(SUPPORTED_SUFFIXES)}"
                ),
            )
        elif _key(info) not in seen_files:
            seen_files.add(_key(info))
            yield path, path


def _walk(
    root: Path,
    info: os.stat_result,
    seen_files: set[tuple[int, int]],
    seen_dirs: set[tuple[int, int]],
    supported: list[int],
) -> Iterator[Path | Problem]:
    """The files and problems under ``root``; ``supported[0]`` counts the article files met, read or not."""
    if _key(info) in seen_dirs:
        return
    seen_dirs.add(_key(info))
    # A stack of (directory entries still to visit, the directories enclosing them): depth first, in name order.
    entries, problem = _list(root)
    if problem:
        yield problem
        return
    stack = [(entries, frozenset({_key(info)}))]
    while stack:
        pending, ancestors = stack[-1]
        if not pending:
            stack.pop()
            continue
        entry = pending.pop()
        if entry.name.startswith("."):
            continue
        try:
            info = os.stat(entry.path)
        except OSError as exc:
            if exc.errno == errno.ELOOP or is_supported(entry.name):
                supported[0] += 1
                yield _stat_problem(Path(entry.path), exc)
            continue  # a dangling link to something the loaders would not read anyway
        key = _key(info)
        if stat.S_ISDIR(info.st_mode):
            if key in ancestors:
                yield Problem(
                    entry.path, None, "symlink loop", "symbolic link back to an enclosing directory"
                )
            elif key not in seen_dirs:
                seen_dirs.add(key)
                children, problem = _list(Path(entry.path))
                if problem:
                    yield problem
                else:
                    stack.append((children, ancestors | {key}))
        elif is_supported(entry.name):
            supported[0] += 1
            if not stat.S_ISREG(info.st_mode):
                yield Problem(
                    entry.path, None, "not a regular file", "not a regular file (a device, pipe or socket)"
                )
            elif key not in seen_files:
                seen_files.add(key)
                yield Path(entry.path)


def _list(directory: Path) -> tuple[list[os.DirEntry[str]], Problem | None]:
    """The directory's entries in reverse name order (popped from the end), or the problem reading it."""
    try:
        with os.scandir(directory) as scan:
            return sorted(scan, key=lambda entry: entry.name, reverse=True), None
    except OSError as exc:
        reason = "symlink loop" if exc.errno == errno.ELOOP else "unreadable directory"
        return [], Problem(str(directory), None, reason, f"cannot list the directory: {exc.strerror or exc}")


def _stat_problem(path: Path, exc: OSError) -> Problem:
    if exc.errno == errno.ELOOP:
        return Problem(str(path), None, "symlink loop", "symbolic links that loop back on themselves")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        if path.is_symlink():
            return Problem(str(path), None, "not found", "broken symbolic link")
        return Problem(str(path), None, "not found", "no such file or directory")
    return Problem(str(path), None, "unreadable file", f"cannot read: {exc.strerror or exc}")


def _key(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino
