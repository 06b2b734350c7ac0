"""Query-time synonyms: ``index_data/synonyms.txt`` (setting ``ZHSEARCH_SYNONYMS``), one group a line.

::

    # words of a group match each other; '#' starts a comment
    美国,美方,美利坚
    新冠, 新型冠状病毒

A query word that belongs to a group matches any word of the group (the index is not touched: no reindex).
Words are folded like the index (traditional to simplified, full-width to half-width, lower case), so 美國
finds the group of 美国. Groups may also be separated by ``，`` or ``、``. A word in several groups gets the
union of them.

The file is looked at again at most every ``check_seconds``; a change of its modification time or size reloads
it, so an edit is live in every worker within a second or two. A file that cannot be read keeps the groups
loaded before (and reports why in :attr:`SynonymTable.error`).
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

from indexer.normalize import fold

_SEPARATORS = re.compile(r"[,，、]")
#: Largest synonyms file read (a bigger one is a mistake, not a thesaurus).
MAX_BYTES = 4 * 1024 * 1024


def parse_synonyms(text: str) -> dict[str, tuple[str, ...]]:
    """``{word: the other words of its groups}`` from the text of a synonyms file (words folded)."""
    groups: dict[str, set[str]] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = []
        for part in _SEPARATORS.split(line):
            word = fold(" ".join(part.split()))
            if word and word not in words:
                words.append(word)
        if len(words) < 2:
            continue
        for word in words:
            groups.setdefault(word, set()).update(w for w in words if w != word)
    return {word: tuple(sorted(others)) for word, others in groups.items()}


class SynonymTable:
    """The synonym groups of one file, reloaded when it changes. Thread-safe."""

    def __init__(self, path: str | os.PathLike[str] | None, *, check_seconds: float = 1.0) -> None:
        self.path = Path(path) if path else None
        self.check_seconds = check_seconds
        self.error: str | None = None
        self._groups: dict[str, tuple[str, ...]] = {}
        self._stamp: tuple[int, int] | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self.reload_if_changed(force=True)

    def __len__(self) -> int:
        return len(self._groups)

    def reload_if_changed(self, *, force: bool = False) -> bool:
        """Read the file again if its modification time or size changed; True if the groups changed."""
        if self.path is None:
            return False
        now = time.monotonic()
        if not force and now - self._checked < self.check_seconds:
            return False
        if not self._lock.acquire(blocking=force):
            return False  # another thread is looking
        try:
            self._checked = now
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                changed = bool(self._groups)
                self._groups, self._stamp, self.error = {}, None, None
                return changed
            except OSError as exc:
                self.error = f"{self.path}: {exc.strerror or exc}"
                return False
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp == self._stamp:
                return False
            try:
                if st.st_size > MAX_BYTES:
                    raise ValueError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
                groups = parse_synonyms(self.path.read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                self.error = f"{self.path}: cannot be read ({exc}); the groups loaded before are kept"
                self._stamp = stamp
                return False
            self._groups, self._stamp, self.error = groups, stamp, None
            return True
        finally:
            self._lock.release()

    @property
    def version(self) -> tuple[int, int] | None:
        """The modification time and size of the file behind the groups (None: no file); checked first as in
        :meth:`lookup`. A result cache keys on it, so that an edit of the file is a miss."""
        self.reload_if_changed()
        return self._stamp

    def lookup(self, word: str) -> tuple[str, ...]:
        """The other words of the groups of ``word`` (folded), () if none."""
        self.reload_if_changed()
        return self._groups.get(word, ())
