"""A serving worker gives a query's large arrays back to the system when they are freed
(``web.server.give_back_large_allocations``, ``ZHSEARCH_MALLOC_MMAP_THRESHOLD``), where glibc by itself keeps
them in the heap once a larger block has been freed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from web import create_app

ROOT = Path(__file__).resolve().parent.parent
#: a process that sets the threshold, frees a 10 MB array (glibc's own threshold rises to 10 MB), then holds
#: and frees thirty 1 MB arrays with small objects kept between them; prints the RSS left (MB)
SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    from web.server import give_back_large_allocations

    def rss_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

    set_ = give_back_large_allocations(int(sys.argv[1]))
    big = np.ones(10_000_000 // 8)
    del big
    before = rss_mb()
    keep, arrays = [], []
    for _ in range(30):
        arrays.append(np.ones(1_000_000 // 8))
        keep.append(bytearray(2000))
    del arrays
    print(set_, rss_mb() - before)
    """
)


def _left_after_a_burst(threshold: int) -> tuple[bool, float]:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(threshold)], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0] == "True", float(out[1])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the RSS from /proc")
def test_large_arrays_are_given_back_when_the_threshold_is_set() -> None:
    set_, left = _left_after_a_burst(131072)
    assert set_ and left < 3, left  # the 30 MB went back to the system
    unset, kept = _left_after_a_burst(0)
    assert not unset and kept > 20, kept  # glibc's own threshold: they stay with the process


@pytest.mark.parametrize(
    ("value", "error"), [("-1", "at least 0"), ("40000000", "at most"), ("lots", "whole")]
)
def test_a_bad_threshold_fails_at_start_up(value: str, error: str) -> None:
    with pytest.raises(ValueError, match=f"MALLOC_MMAP_THRESHOLD: .*{error}"):
        create_app({"TESTING": True, "INDEX_DIR": "/nonexistent", "MALLOC_MMAP_THRESHOLD": value})
