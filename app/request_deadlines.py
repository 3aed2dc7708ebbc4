"""The time limit on each GraphQL request (``server.request_timeout_seconds``), watched by
``app.deadline_watch`` rather than a timer per request (``asyncio.timeout``'s cost there).

What a request sees is what ``asyncio.timeout`` gives, but up to one check period late:
past its deadline its task is cancelled, and the cancellation leaves the ``async with`` block
as ``TimeoutError`` (:attr:`Deadline.expired` says it was this deadline's); a cancellation
from elsewhere stays a cancellation (the same ``cancelling``/``uncancel`` accounting as
``asyncio.Timeout``).
"""

from __future__ import annotations

import asyncio
from types import TracebackType

from app.deadline_watch import DeadlineWatch


class RequestDeadlines:
    """The limit of this process's requests; :meth:`deadline` makes one request's."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.watch: DeadlineWatch[Deadline] = DeadlineWatch(seconds, Deadline.cancel)

    def deadline(self) -> Deadline:
        """The limit of one request: ``async with`` it around the request's work."""
        return Deadline(self.watch)


class Deadline:
    """One request's limit (an async context manager, as ``asyncio.timeout``'s)."""

    __slots__ = ("_cancelling", "_watch", "expired", "task")

    def __init__(self, watch: DeadlineWatch[Deadline]) -> None:
        self._watch = watch
        self.expired = False
        """Whether this deadline passed and cancelled the request."""

    def cancel(self) -> None:
        """The deadline passed: cancel the request's task."""
        self.expired = True
        self.task.cancel()

    async def __aenter__(self) -> Deadline:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a request deadline must be used inside a task")
        self.task = task
        self._cancelling = task.cancelling()
        self._watch.start(self, asyncio.get_running_loop())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._watch.stop(self)
        # uncancel() whenever this deadline cancelled the task (it counts cancellations)
        expired = self.expired and self.task.uncancel() <= self._cancelling
        if expired and exc_type is asyncio.CancelledError:
            raise TimeoutError from exc
