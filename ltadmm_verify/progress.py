"""A small text progress bar for sweeps, runs and reports (written to stderr)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")


class ProgressBar:
    """Draw ``desc |#####.....| done/total elapsed`` on one terminal line.

    Disabled bars cost nothing; enabled ones redraw at most every ``min_interval`` seconds.
    """

    def __init__(
        self,
        total: int,
        desc: str = "",
        *,
        enabled: bool = True,
        stream: TextIO | None = None,
        width: int = 30,
        min_interval: float = 0.2,
    ) -> None:
        self.total = max(int(total), 1)
        self.desc = desc
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.min_interval = min_interval
        self.done = 0
        self._start = time.monotonic()
        self._last = -float("inf")

    def update(self, n: int = 1, note: str = "") -> None:
        """Advance by ``n`` and redraw if due (always at the end)."""
        self.done = min(self.done + n, self.total)
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.min_interval and self.done < self.total:
            return
        self._last = now
        filled = int(self.width * self.done / self.total)
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = now - self._start
        self.stream.write(
            f"\r{self.desc} |{bar}| {self.done}/{self.total} {elapsed:6.1f}s {note}".rstrip()
        )
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()

    def close(self) -> None:
        """Finish the line if the bar stopped early."""
        if self.enabled and self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()


def progress(items: Iterable[T], total: int, desc: str = "", enabled: bool = True) -> Iterator[T]:
    """Iterate over ``items`` while drawing a :class:`ProgressBar`."""
    bar = ProgressBar(total, desc, enabled=enabled)
    try:
        for item in items:
            yield item
            bar.update()
    finally:
        bar.close()
