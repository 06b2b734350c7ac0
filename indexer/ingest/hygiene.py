"""What a reindex does about articles that cannot be taken as they are, and remembers about files it skips.

* A body longer than ``ZHSEARCH_MAX_BODY_CHARS`` is cut to that many characters, with a warning naming the
  file and line (:func:`max_body_chars`).
* An id read again in the same run: the later line is an update, it replaces the earlier one
  (:func:`drop_replaced` removes the earlier copies after the commit).
* The problems and warnings of every file are kept beside the index (``KNOWN_PROBLEMS`` in the generation
  directory, with the file's signature), so that a file that is not re-read because it did not change reports
  them again (:class:`KnownProblems`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from indexer.config import setting
from indexer.ingest.loaders import Problem
from indexer.ingest.summary import ReindexError, ReindexSummary
from indexer.segments.segmentwriter import ChangeWriter

KNOWN_PROBLEMS = "PROBLEMS.json"


def max_body_chars(value: str | int | None = None) -> int:
    """The body length cap: ``value``, else ``ZHSEARCH_MAX_BODY_CHARS``; 0 means no cap."""
    raw = setting("MAX_BODY_CHARS") if value is None else value
    try:
        number = int(str(raw).strip().replace(",", "").replace("_", ""))
    except ValueError:
        raise ReindexError(f"ZHSEARCH_MAX_BODY_CHARS: expected a whole number, got {raw!r}") from None
    if number < 0:
        raise ReindexError(f"ZHSEARCH_MAX_BODY_CHARS: must be 0 (no cap) or more, got {number}")
    return number


def body_cut_warning(path: str, line: int, length: int, limit: int) -> Problem:
    return Problem(
        path,
        line or None,
        "body truncated",
        f"body of {length:,} characters cut to its first {limit:,} (ZHSEARCH_MAX_BODY_CHARS)",
    )


class KnownProblems:
    """The problems and warnings of each file read, by path, with the signature of the file they were found in."""

    def __init__(self, entries: dict[str, dict[str, Any]] | None = None) -> None:
        self.entries: dict[str, dict[str, Any]] = entries or {}
        self.fresh: dict[str, dict[str, Any]] = {}

    @classmethod
    def load(cls, gen_dir: Path | None) -> KnownProblems:
        """What the last run wrote into ``gen_dir`` (nothing when there is no file or it cannot be read)."""
        if gen_dir is None:
            return cls()
        try:
            data = json.loads((gen_dir / KNOWN_PROBLEMS).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError):
            return cls()  # written by this module only; a damaged copy is rebuilt as files are re-read
        return cls(data if isinstance(data, dict) else {})

    def replay(self, path: str, sig: str, summary: ReindexSummary) -> None:
        """Report again what ``path`` held when it had signature ``sig`` (it was not re-read)."""
        entry = self.entries.get(path)
        if not entry or entry.get("sig") != sig:
            return
        self.fresh[path] = entry
        for kind, line, reason, message in entry.get("items", []):
            problem = Problem(path, line, reason, message)
            if kind == "warning":
                summary.add_warning(problem)
            else:
                summary.add_problem(problem)

    def note(self, sig: str, problem: Problem, *, warning: bool) -> None:
        """Remember a problem (or warning) found while reading ``problem.path`` with signature ``sig``."""
        entry = self.fresh.setdefault(problem.path, {"sig": sig, "items": []})
        entry["items"].append(
            ["warning" if warning else "problem", problem.line, problem.reason, problem.message]
        )

    def keep(self, path: str) -> None:
        """Carry over the entry of a file this run did not look at (it is under none of the paths given)."""
        if path in self.entries and path not in self.fresh:
            self.fresh[path] = self.entries[path]

    def save(self, gen_dir: Path) -> None:
        """Write what this run found into ``gen_dir``, atomically."""
        target = gen_dir / KNOWN_PROBLEMS
        tmp = gen_dir / f"{KNOWN_PROBLEMS}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(self.fresh, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, target)


def drop_replaced(index_path: Path, kept: dict[str, tuple[str, int]]) -> int:
    """Delete, in the index at ``index_path``, every copy of the ids in ``kept`` but the one read at
    ``kept[id]`` (path, line): the earlier lines of an id read several times. Returns the copies deleted."""
    if not kept:
        return 0
    ix = whoosh_index.open_dir(str(index_path))
    doomed = []
    with ix.reader() as reader:
        for doc_id, where in kept.items():
            if ("id", doc_id) not in reader:
                continue
            for docnum in reader.postings("id", doc_id).all_ids():
                if reader.is_deleted(docnum):
                    continue
                fields = reader.stored_fields(docnum)
                if (fields.get("path"), fields.get("line")) != where:
                    doomed.append(docnum)
    if not doomed:
        return 0
    writer = ChangeWriter(str(index_path))
    try:
        for docnum in doomed:
            writer.delete_document(docnum)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return len(doomed)
