"""Deadlines watched by one recurring check per process and event loop, instead of a timer
per deadline: for limits set and cleared on every request (a request's time limit, a
kept-alive connection's header timeout).

Why: with uvloop each ``loop.call_later`` makes and starts a libuv timer and each cancel
stops it: about 2.2 us of CPU for a timer set and cancelled, 5.5 us for ``asyncio.timeout``
around a request (measured on a no-op), together ~2.5 % of a one-user lookup (bench scenario
(3)). Noting a deadline in a dict costs a tenth of that. The price is precision: a deadline
is acted on up to one :func:`check_period` late (a twentieth of the limit, 10 ms to 1 s).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

MIN_PERIOD = 0.01
MAX_PERIOD = 1.0

Key = TypeVar("Key", bound=Hashable)


def check_period(seconds: float) -> float:
    """How often deadlines of a limit of ``seconds`` are checked."""
    return min(MAX_PERIOD, max(MIN_PERIOD, seconds / 20))


class DeadlineWatch(Generic[Key]):
    """Calls ``expire(key)`` once for each key still watched ``seconds`` after :meth:`start`
    (within one check period), unless :meth:`stop` came first."""

    def __init__(self, seconds: float, expire: Callable[[Key], None]) -> None:
        self.seconds = seconds
        self._expire = expire
        self._period = check_period(seconds)
        self._due: dict[Key, float] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, key: Key, loop: asyncio.AbstractEventLoop) -> float:
        """Watch ``key`` from now; returns its deadline (``loop.time()``'s clock)."""
        at = self._due[key] = loop.time() + self.seconds
        if self._timer is None or self._loop is not loop:  # (tests run several loops)
            self._loop = loop
            self._timer = loop.call_later(self._period, self._check)
        return at

    def stop(self, key: Key) -> None:
        self._due.pop(key, None)

    def _check(self) -> None:
        self._timer = None
        loop = self._loop
        if not self._due or loop is None:
            return  # idle: the next start arms the check again
        now = loop.time()
        for key, at in list(self._due.items()):
            if at <= now:
                del self._due[key]
                self._expire(key)
        self._timer = loop.call_later(self._period, self._check)
