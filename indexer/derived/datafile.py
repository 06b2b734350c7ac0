"""Data files ``reindex`` writes beside an index generation (the suggestions, the spelling tables): one pickled
dict each, with a header (``format``, the Whoosh ``commit`` it describes, the sizes it was built for), written
atomically and read back only when the header matches what the reader expects."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

#: What reading a damaged, truncated or foreign file can raise: such a file counts as absent.
UNREADABLE = (
    OSError,
    EOFError,
    pickle.UnpicklingError,
    AttributeError,
    ImportError,
    TypeError,
    ValueError,
    KeyError,
    IndexError,
)


def write_data(path: Path, payload: dict[str, Any]) -> None:
    """Pickle ``payload`` to ``path`` atomically (a temporary file in the same directory, then a rename)."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as fh:
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_data(path: Path, **expected: Any) -> dict[str, Any] | None:
    """The payload in ``path`` if it can be read and its header holds the ``expected`` values, else None."""
    try:
        with open(path, "rb") as fh:
            payload = pickle.load(fh)  # noqa: S301 -- written by reindex into the index directory, like Whoosh's TOC
    except UNREADABLE:
        return None
    if not isinstance(payload, dict):
        return None
    if any(payload.get(name) != value for name, value in expected.items()):
        return None
    return payload
