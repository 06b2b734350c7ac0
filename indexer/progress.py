"""Progress reporting for long runs: a bar on a terminal, periodic plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm


class Progress:
    """The interface the index writer reports to. This base class reports nothing."""

    def start(self, total: int | None) -> None:
        """Called once with the estimated number of articles (None when unknown)."""

    def advance(self, n: int = 1) -> None:
        """``n`` more articles were read."""

    def close(self) -> None:
        """The run is over."""


class TerminalProgress(Progress):
    """A tqdm bar with articles/s and ETA."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.bar: tqdm | None = None

    def start(self, total: int | None) -> None:
        # monitor_interval=0: no monitor thread (the index writer forks worker processes)
        tqdm.monitor_interval = 0
        self.bar = tqdm(total=total, unit=" articles", file=self.stream, dynamic_ncols=True, smoothing=0.1)

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class LogProgress(Progress):
    """A plain line every ``interval`` seconds: count, estimate, rate, ETA (for logs and pipes)."""

    def __init__(self, stream: TextIO | None = None, interval: float = 5.0) -> None:
        self.stream = stream or sys.stderr
        self.interval = interval
        self.total: int | None = None
        self.done = 0
        self.t0 = self.last = 0.0

    def start(self, total: int | None) -> None:
        self.total = total
        self.t0 = self.last = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            rate = self.done / max(now - self.t0, 1e-9)
            line = f"progress: {self.done:,} articles, {rate:,.0f} articles/s"
            if self.total and self.total > self.done:
                line += f", about {(self.total - self.done) / max(rate, 1e-9):,.0f} s left of ~{self.total:,}"
            print(line, file=self.stream, flush=True)
