"""Which file held which articles: the run state beside the index (``FILES.json``).

An incremental reindex must know, for each source file, the signature it had when it was last read (an
unchanged file is not read again) and the ids of the articles it held (what a changed file no longer holds is
deleted). That is kept per file here, beside the index, not in the documents: an article whose content did not
change is not written again when its file is edited around it, renamed, moved or re-exported; only this state
changes. Each id comes with its article's content hash, which the run compares with what it reads: the live
index is not scanned to find what changed.

The state names the commit it describes. A state that is missing, damaged or of another commit (a run killed
between its commit and this file) is not trusted: the run then reads every file again, compares each article's
hash with the index and writes only what changed, and saves a fresh state.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

__all__ = [
    "FILE_STATE",
    "FileEntry",
    "FileState",
    "estimate_articles",
    "file_signature",
    "state_from_index",
    "under_paths",
]

FILE_STATE = "FILES.json"
#: Version of the file's layout; another version is not trusted (every file is read again).
_LAYOUT = 3


@dataclass
class FileEntry:
    """A source file as the last run left it: its signature (None: read it again next time), its ids, their
    content hashes and the digest of the JSON line each was read from ("" for none, or a line that gave a
    warning: it is read again)."""

    sig: str | None
    ids: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def add(self, doc_id: str, content_hash: str, line: str = "") -> None:
        self.ids.append(doc_id)
        self.hashes.append(content_hash)
        self.lines.append(line)

    def known_lines(self) -> dict[str, str]:
        """The id of each line digest."""
        return {line: doc_id for doc_id, line in zip(self.ids, self.lines, strict=True) if line}


class FileState:
    """Source files by path (as the run was given them), each with its signature and article ids."""

    def __init__(self, files: Mapping[str, FileEntry] | None = None, max_body: int | None = None) -> None:
        self.files: dict[str, FileEntry] = dict(files or {})
        #: The body cap the lines were read with: another cap reads every line again.
        self.max_body = max_body

    @classmethod
    def load(cls, gen_dir: Path | None, commit: int) -> FileState | None:
        """The state saved in ``gen_dir`` for ``commit``; None when there is none to trust."""
        if gen_dir is None:
            return None
        try:
            data = json.loads((gen_dir / FILE_STATE).read_text(encoding="utf-8"))
            if data.get("layout") != _LAYOUT or data.get("commit") != commit:
                return None
            files = {}
            for path, (sig, ids, hashes, lines) in data["files"].items():
                if not len(ids) == len(hashes) == len(lines):
                    return None
                files[path] = FileEntry(sig, list(ids), list(hashes), list(lines))
            return cls(files, data.get("max_body"))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None  # written by this module only: a damaged copy costs one run that reads every file

    def save(self, gen_dir: Path, commit: int) -> None:
        """Write the state of ``commit`` into ``gen_dir``, atomically."""
        data = {
            "layout": _LAYOUT,
            "commit": commit,
            "max_body": self.max_body,
            "files": {path: [e.sig, e.ids, e.hashes, e.lines] for path, e in sorted(self.files.items())},
        }
        tmp = gen_dir / f"{FILE_STATE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, gen_dir / FILE_STATE)

    def signatures(self) -> dict[str, str]:
        """The signature of each file that need not be read again, by path."""
        return {path: entry.sig for path, entry in self.files.items() if entry.sig is not None}

    def ids_by_path(self) -> dict[str, list[str]]:
        return {path: entry.ids for path, entry in self.files.items()}

    def lines_by_path(self, max_body: int) -> dict[str, dict[str, str]]:
        """Each file's :meth:`FileEntry.known_lines`, if its lines were read with the body cap ``max_body``."""
        if self.max_body != max_body:
            return {}
        return {path: entry.known_lines() for path, entry in self.files.items() if any(entry.lines)}

    def hashes(self) -> dict[str, str]:
        """The content hash of each id."""
        return {i: h for entry in self.files.values() for i, h in zip(entry.ids, entry.hashes, strict=True)}

    def path_of(self) -> dict[str, str]:
        """The file each id was last read from (an id in several files: the last one listed)."""
        return {doc_id: path for path, entry in self.files.items() for doc_id in entry.ids}

    def carry(self, other: FileState, paths: Iterable[str]) -> None:
        """Keep ``other``'s entries for ``paths`` (files this run did not read) as they were."""
        for path in paths:
            entry = other.files.get(path)
            if entry is not None:
                self.files[path] = entry


def file_signature(path: Path) -> str:
    """What tells a changed file from an unchanged one: its size and modification time."""
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def estimate_articles(path: Path) -> int:
    """A cheap estimate of the number of articles in a file, for the progress bar's ETA."""
    name = path.name.lower()
    try:
        if name.endswith(".jsonl.gz"):
            with gzip.open(path, "rb") as fh:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) or 1
        if name.endswith(".jsonl"):
            with open(path, "rb") as fh:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) or 1
    except (OSError, EOFError, gzip.BadGzipFile):
        return 1
    return 1


def _under(path: str, roots: Sequence[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def under_paths(paths: Sequence[Path]) -> Callable[[str], bool]:
    """Whether a stored path is under one of ``paths``, both sides resolved (a path is stored as the run
    was given it, relative or not), each stored path resolved once."""
    roots = [str(p.resolve()) for p in paths]
    resolved: dict[str, bool] = {}

    def under(path: str) -> bool:
        answer = resolved.get(path)
        if answer is None:
            answer = resolved[path] = _under(str(Path(path).resolve()), roots)
        return answer

    return under


def state_from_index(ix: whoosh_index.Index) -> FileState:
    """A file state from what the live documents of ``ix`` record (ids, content hashes, the path each was read
    from), for an index without a state to trust: no file has a known signature (every one is read again)."""
    state = FileState()
    with ix.reader() as reader:
        if reader.doc_count_all() == 0:
            return state
        ids = reader.column_reader("id")
        hashes = reader.column_reader("hash")
        paths = reader.column_reader("path")
        for docnum in range(reader.doc_count_all()):
            if not reader.is_deleted(docnum):
                state.files.setdefault(paths[docnum], FileEntry(None)).add(ids[docnum], hashes[docnum])
    return state
