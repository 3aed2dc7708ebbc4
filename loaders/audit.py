"""Per-request loaders for the audit trail: objects' histories, a batch per level of a query
(every ``history`` of a page of users in one statement), and their counts."""

from __future__ import annotations

from collections.abc import Sequence

from datasources.db.audit_events import DbAuditEventStore
from domain.audit import StoredEvent
from domain.origins import OriginKey
from loaders.batching import Loader

HistoryKey = tuple[OriginKey, int, int | None]
"""(object, how many events, after which position)."""


class AuditLoaders:
    def __init__(self, store: DbAuditEventStore) -> None:
        self.store = store
        self.history = Loader[HistoryKey, list[StoredEvent]](load_fn=self._histories)
        self.history_count = Loader[OriginKey, int](load_fn=self._counts)

    async def _histories(self, keys: Sequence[HistoryKey]) -> list[list[StoredEvent]]:
        """One statement per distinct (limit, after): in practice one per batch."""
        by_page: dict[tuple[int, int | None], list[OriginKey]] = {}
        for key, limit, after in keys:
            by_page.setdefault((limit, after), []).append(key)
        found: dict[HistoryKey, list[StoredEvent]] = {}
        for (limit, after), objects in by_page.items():
            histories = await self.store.histories(objects, after, limit)
            found.update({(k, limit, after): histories.get(k, []) for k in objects})
        return [found[key] for key in keys]

    async def _counts(self, keys: Sequence[OriginKey]) -> list[int]:
        counts = await self.store.history_counts(keys)
        return [counts.get(key, 0) for key in keys]
