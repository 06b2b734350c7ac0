"""What a reindex did (:class:`ReindexSummary`) and the errors that stop one."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from indexer.ingest.loaders import Problem
from indexer.store import StoreError

#: Problems kept in the summary for printing (all are counted).
MAX_PROBLEMS_KEPT = 200
#: Problems listed in the message of a run that could read nothing.
MAX_PROBLEMS_LISTED = 20


class ReindexError(StoreError):
    """A reindex that could not be done; the live index is unchanged."""


class NothingReadError(ReindexError):
    """No article could be read from the given paths; the index was left as it was."""


@dataclass
class ReindexSummary:
    """What a reindex did."""

    mode: str = "incremental"
    reason: str = ""
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    #: Articles indexed with a change (a body cut to ZHSEARCH_MAX_BODY_CHARS, a date dropped, a repeated id).
    warned: Counter[str] = field(default_factory=Counter)
    warnings: list[Problem] = field(default_factory=list)
    files: int = 0
    files_unchanged: int = 0
    seconds: float = 0.0
    generation: str = ""
    documents: int = 0
    stale_lock_pid: int | None = None

    @property
    def read(self) -> int:
        """Articles read from files this run (unchanged files that were not re-read are not counted)."""
        return self.added + self.updated + self.unchanged_read

    unchanged_read: int = 0

    @property
    def articles_per_second(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0

    def add_problem(self, problem: Problem) -> None:
        self.skipped[problem.reason] += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)

    def add_warning(self, warning: Problem) -> None:
        self.warned[warning.reason] += 1
        if len(self.warnings) < MAX_PROBLEMS_KEPT:
            self.warnings.append(warning)

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "reason": self.reason,
            "added": self.added,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "skipped": sum(self.skipped.values()),
            "skipped_by_reason": dict(self.skipped),
            "warnings": sum(self.warned.values()),
            "warnings_by_reason": dict(self.warned),
            "files": self.files,
            "files_unchanged": self.files_unchanged,
            "seconds": round(self.seconds, 3),
            "articles_per_second": round(self.articles_per_second, 1),
            "generation": self.generation,
            "documents": self.documents,
        }


def check_read(summary: ReindexSummary) -> None:
    """Raise :class:`NothingReadError`, listing every path and what it held, when the run read nothing."""
    if summary.read == 0 and summary.files_unchanged == 0:
        reasons = ", ".join(f"{n} {r}" for r, n in summary.skipped.most_common()) or "no article files found"
        lines = [f"  {problem}" for problem in summary.problems[:MAX_PROBLEMS_LISTED]]
        more = sum(summary.skipped.values()) - len(lines)
        if more > 0:
            lines.append(f"  … and {more:,} more")
        raise NothingReadError(
            f"no article could be read ({reasons}); the index was left as it was"
            + "".join("\n" + line for line in lines)
        )
