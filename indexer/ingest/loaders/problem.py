"""What a loader reports instead of an article: a broken record, an unreadable file, a loop in a directory tree."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing that could not be loaded. Loading goes on after it.

    ``reason`` is a short, stable category for summaries (``"bad JSON"``, ``"unparseable date"``, ...);
    ``message`` says what exactly went wrong; ``line`` is 1-based, or ``None`` when the whole file is concerned.
    """

    path: str
    line: int | None
    reason: str
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class LoadError(Exception):
    """Raised inside a loader for a whole-file failure; the loader turns it into a :class:`Problem`."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def problem(self, path: str, line: int | None = None) -> Problem:
        return Problem(path, line, self.reason, self.message)
