"""``deadline``: ``asyncio.timeout`` counting only the time the event loop ran on schedule.

Why: a wall-clock timeout also counts the time this process stood still, and then it blames
the dependency. Measured while the whole test suite ran (2 workers) on the loaded 2-core
machine: 117 full garbage collections in the test processes took over 0.1 s, each 0.1-0.8 s
of CPU and up to 12.8 s of wall clock; one that straddles a wall-clock deadline expires it
although the answer has long arrived (the timer's callback runs before the task that would
read the answer), and ``/readyz`` answered 503 "database: no answer within 2 s" for a
database that answered in a millisecond. In production the same happens when the
container's CPU quota is throttled or a request holds the loop. Every wait on another server
that must not blame it for our own pause uses this: ``/readyz``'s checks (``app.probes``)
and every LDAP wait (``datasources.ldap``: a pool slot, a connect, each operation, a
sign-in's whole check).

It lives here, below ``app/``, so that both the datasources and the app import the one
implementation.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

LOOK = 0.1
"""Seconds between a ``deadline``'s looks at the clock."""


@contextlib.asynccontextmanager
async def deadline(seconds: float) -> AsyncIterator[None]:
    """``asyncio.timeout(seconds)``, counting only the time the event loop ran on schedule:
    the block raises ``TimeoutError`` once it has run ``seconds`` of a running loop.

    The clock is read every ``LOOK`` seconds, and each look counts only the ``LOOK`` it asked
    for, however late it came: the time the loop stood still is not counted. A dependency
    that really does not answer still expires it after ``seconds`` of a running loop
    (``seconds / LOOK`` looks, each late by at most one stall)."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(None) as timeout:
        left = seconds
        handle: asyncio.TimerHandle | None = None

        def look(step: float) -> None:
            nonlocal left, handle
            left -= step
            if left <= 1e-9:
                timeout.reschedule(loop.time())  # expire now
                return
            step = min(LOOK, left)
            handle = loop.call_later(step, look, step)

        step = min(LOOK, seconds)
        handle = loop.call_later(step, look, step)
        try:
            yield
        finally:
            handle.cancel()
