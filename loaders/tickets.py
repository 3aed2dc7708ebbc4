"""Per-request loaders for tickets: tickets by number, and every queue (one read)."""

from __future__ import annotations

from collections.abc import Sequence

from datasources.db.tickets import DbTicketStore
from domain.tickets import QueueRecord, TicketRecord
from loaders.batching import Loader


class TicketLoaders:
    def __init__(self, store: DbTicketStore) -> None:
        self.store = store
        self.by_number = Loader[str, TicketRecord | None](load_fn=self._by_number)
        self.queues = Loader[str, list[QueueRecord]](load_fn=self._queues)

    async def all_queues(self) -> list[QueueRecord]:
        return await self.queues.load("all")

    async def _by_number(self, numbers: Sequence[str]) -> list[TicketRecord | None]:
        found = await self.store.by_numbers(numbers)
        return [found.get(n) for n in numbers]

    async def _queues(self, keys: Sequence[str]) -> list[list[QueueRecord]]:
        queues = await self.store.queues()
        return [queues for _ in keys]
