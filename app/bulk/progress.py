"""The import's progress: a bar with rate and ETA on a terminal, plain lines otherwise.

Progress is measured in bytes of the file read (over every pass), which is known without
counting the rows first; the rate is in rows per second.
"""

from __future__ import annotations

import time
from typing import IO

BAR_WIDTH = 30
TTY_EVERY = 0.2
"""Seconds between redraws of the bar."""
PLAIN_EVERY = 5.0
"""Seconds between plain progress lines (a log, a pipe)."""


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    def __init__(self, err: IO[str], *, total_bytes: int) -> None:
        self.err = err
        self.total = max(total_bytes, 1)
        self.tty = bool(getattr(err, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.done_bytes = 0
        self._pass_bytes = 0
        self._passes_done = 0
        self.done_rows = 0
        self._shown = self.started if not self.tty else 0.0
        self._drawn = False

    def read_to(self, bytes_read: int) -> None:
        """The current pass has read ``bytes_read`` bytes of the file."""
        self.done_bytes = self._passes_done + bytes_read
        self._pass_bytes = bytes_read

    def end_pass(self) -> None:
        self._passes_done += self._pass_bytes
        self._pass_bytes = 0

    def rows(self, count: int) -> None:
        self.done_rows += count
        self._show()

    def _show(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._shown < (TTY_EVERY if self.tty else PLAIN_EVERY):
            return
        self._shown = now
        elapsed = max(now - self.started, 1e-6)
        share = min(self.done_bytes / self.total, 1.0)
        rate = self.done_rows / elapsed
        eta = _duration(elapsed / share - elapsed) if share > 0 else "?"
        text = f"{share:4.0%} {self.done_rows:,} rows, {rate:,.0f} rows/s, ETA {eta}"
        if self.tty:
            filled = int(share * BAR_WIDTH)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.err.write(f"\r[{bar}] {text}\x1b[K")
            self._drawn = True
        else:
            self.err.write(f"import: {text}\n")
        self.err.flush()

    def finish(self) -> None:
        if self.tty and self._drawn:
            self.err.write("\n")
            self.err.flush()
