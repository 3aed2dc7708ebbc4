"""A circuit breaker: stop asking a server that keeps failing, and try again later.

Without it every request would wait out the full timeout against a dead directory, and pile
connection attempts onto it. After ``failures`` consecutive failures the breaker opens: calls
fail at once for ``reset_seconds``. Then it is half-open: one trial call goes through (the
others still fail fast); its success closes the breaker, its failure opens it again.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class BreakerOpen(Exception):
    """The breaker refuses the call; the message says since when and until when."""


class CircuitBreaker:
    def __init__(
        self,
        failures: int,
        reset_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = failures
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False
        self.last_error: str | None = None

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at < self.reset_seconds:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def admit(self) -> None:
        """Let a call through, or raise :class:`BreakerOpen`. An admitted call must end in
        :meth:`succeeded`, :meth:`failed` or :meth:`abandoned`."""
        state = self.state
        if state is BreakerState.CLOSED:
            return
        if state is BreakerState.HALF_OPEN and not self._trial_running:
            self._trial_running = True
            return
        assert self._opened_at is not None
        wait = max(0.0, self.reset_seconds - (self._clock() - self._opened_at))
        retry = f"retrying in {wait:.0f} s" if wait > 0 else "a trial call is under way"
        raise BreakerOpen(
            f"circuit open after {self._failures} consecutive failure(s), {retry}; "
            f"last error: {self.last_error}"
        )

    def succeeded(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def failed(self, reason: str) -> None:
        self._failures += 1
        self.last_error = reason
        if self._trial_running or self._failures >= self.threshold:
            self._opened_at = self._clock()
        self._trial_running = False

    def abandoned(self) -> None:
        """An admitted call was cancelled before it knew: it proves nothing either way."""
        self._trial_running = False
