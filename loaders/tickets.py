"""Per-request loaders for tickets: tickets by number, every queue (one read), and the
dynamic-field values of tickets by id (one read per level of a query)."""

from __future__ import annotations

from collections.abc import Sequence

from datasources.db.dynamic_fields import DbDynamicFieldStore
from datasources.db.tickets import DbTicketStore
from domain.dynamic_fields import DynamicFieldDefinition, ValueRow
from domain.tickets import QueueRecord, TicketRecord
from loaders.batching import Loader

FieldValues = list[tuple[DynamicFieldDefinition, list[ValueRow]]]


class TicketLoaders:
    def __init__(self, store: DbTicketStore, dynamic_fields: DbDynamicFieldStore) -> None:
        self.store = store
        self.dynamic_fields = dynamic_fields
        self.dynamic_values = Loader[int, FieldValues](load_fn=self._dynamic_values)
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

    async def _dynamic_values(self, ticket_ids: Sequence[int]) -> list[FieldValues]:
        found = await self.dynamic_fields.ticket_values(ticket_ids)
        return [found.get(i, []) for i in ticket_ids]
