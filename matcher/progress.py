"""A progress bar for long work on the terminal (ESCO import, full re-ranking).

Writes to stderr; when stderr is not a terminal (CI logs, cron) it prints a line per 10 % instead
of redrawing, so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, label: str, total: int, stream: TextIO | None = None, width: int = 30):
        self.label, self.total, self.width = label, max(total, 0), width
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_decile = -1
        self._started = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total) if self.total else self.done + n
        self._draw()

    def finish(self) -> None:
        self.done = self.total or self.done
        self._draw(final=True)

    def _draw(self, final: bool = False) -> None:
        fraction = self.done / self.total if self.total else 1.0
        elapsed = time.monotonic() - self._started
        if self._tty:
            filled = int(self.width * fraction)
            bar = "#" * filled + "-" * (self.width - filled)
            end = "\n" if final else ""
            self.stream.write(
                f"\r{self.label:<28} [{bar}] {fraction:4.0%} {self.done:>9,}/{self.total:,}"
                f" {elapsed:5.1f}s{end}"
            )
            self.stream.flush()
            return
        decile = int(fraction * 10)
        if decile != self._last_decile or final:
            if final and decile == self._last_decile:
                return
            self._last_decile = decile
            self.stream.write(f"{self.label}: {fraction:.0%} ({self.done:,}/{self.total:,})\n")
            self.stream.flush()
