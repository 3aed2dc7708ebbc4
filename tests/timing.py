"""Timing a request in a test without timing the test process's own pauses."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def no_collection() -> Iterator[None]:
    """The garbage collector off while a request is timed. The server runs in the test's
    process, whose heap grows over a full run: late in one, a full collection takes 0.1-0.8 s
    of CPU and longer on the loaded machine (measured: ``app.probes.deadline``), which is
    the test process's pause, not a wait of the server's. Collections resume afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
