"""A small text progress bar for sweeps, runs and reports (written to stderr).

On a terminal the bar is redrawn in place (carriage returns). Anywhere else (a file, a pipe, a CI
log) it writes plain lines, no carriage return: nothing for work shorter than ``plain_interval``
seconds, then one line at most every ``plain_interval`` seconds and a last line when done.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")


class ProgressBar:
    """Draw ``desc |#####.....| done/total elapsed`` on one terminal line (plain lines elsewhere).

    Disabled bars cost nothing; enabled ones redraw at most every ``min_interval`` seconds on a
    terminal, write a line at most every ``plain_interval`` seconds elsewhere.
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
        plain_interval: float = 10.0,
    ) -> None:
        self.total = max(int(total), 1)
        self.desc = desc
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.min_interval = min_interval
        self.plain_interval = plain_interval
        self.terminal = _is_terminal(self.stream)
        self.done = 0
        self._start = time.monotonic()
        self._last = -float("inf") if self.terminal else self._start
        self._plain_lines = 0

    def update(self, n: int = 1, note: str = "") -> None:
        """Advance by ``n`` and redraw if due (always at the end)."""
        self.done = min(self.done + n, self.total)
        if not self.enabled:
            return
        now = time.monotonic()
        elapsed = now - self._start
        if not self.terminal:
            finished = self.done >= self.total and self._plain_lines > 0
            if now - self._last >= self.plain_interval or finished:
                self._last = now
                self._plain_lines += 1
                self.stream.write(
                    f"{self.desc}: {self.done}/{self.total} after {elapsed:.1f}s {note}".rstrip() + "\n")
                self.stream.flush()
                if finished:
                    self._plain_lines = 0  # the last line is written once
            return
        if now - self._last < self.min_interval and self.done < self.total:
            return
        self._last = now
        filled = int(self.width * self.done / self.total)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(
            f"\r{self.desc} |{bar}| {self.done}/{self.total} {elapsed:6.1f}s {note}".rstrip()
        )
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()

    def close(self) -> None:
        """Finish the line if the bar stopped early (on a terminal)."""
        if self.enabled and self.terminal and self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def progress(items: Iterable[T], total: int, desc: str = "", enabled: bool = True) -> Iterator[T]:
    """Iterate over ``items`` while drawing a :class:`ProgressBar`."""
    bar = ProgressBar(total, desc, enabled=enabled)
    try:
        for item in items:
            yield item
            bar.update()
    finally:
        bar.close()
