"""Batches of one import take their write step in the order they were started.

Why: ``roster import`` keeps two batches in flight (``app.bulk.importer.IN_FLIGHT``) so that
one is checked while the other is written. Each checks e-mail uniqueness against what is
stored and claims its addresses in its write transaction, so when two rows of different
batches give the same address, the batch that reaches that step first keeps it. Without an
order, a later batch with less to do before it (no passwords to hash) could get there first,
and the row refused would depend on timing: a re-run or a dry run of the same file could
refuse another row (seen on MariaDB under load). With it, the earlier row in the file wins,
as when the file is imported one batch at a time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class BatchOrder:
    """Hands out turns in the order batches start; a turn is reached when every earlier one
    has been left (a batch leaves its turn once it holds its write locks, or when it ends)."""

    _taken: int = 0
    _open: int = 0
    """The earliest turn not left yet."""
    _left: set[int] = field(default_factory=set)
    _waiting: dict[int, asyncio.Future[None]] = field(default_factory=dict)

    def take(self) -> Turn:
        """The next turn: call it before the batch's first ``await``, so turns follow the
        order the batches were started in."""
        turn = Turn(self, self._taken)
        self._taken += 1
        return turn

    async def _reach(self, number: int) -> None:
        if number > self._open:
            waiter = asyncio.get_running_loop().create_future()
            self._waiting[number] = waiter
            try:
                await waiter
            finally:
                self._waiting.pop(number, None)

    def _leave(self, number: int) -> None:
        self._left.add(number)
        while self._open in self._left:
            self._left.discard(self._open)
            self._open += 1
        waiter = self._waiting.get(self._open)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


@dataclass
class Turn:
    """One batch's place in a :class:`BatchOrder`."""

    order: BatchOrder
    number: int
    left: bool = False

    async def reached(self) -> None:
        """Wait until every earlier batch has left its turn."""
        if not self.left:
            await self.order._reach(self.number)

    def leave(self) -> None:
        """Let the next batch go on (once; later calls do nothing)."""
        if not self.left:
            self.left = True
            self.order._leave(self.number)
