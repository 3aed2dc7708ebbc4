"""Loaders for services: a page of customer users with their own and available services
costs one query (the relation rows of every login, the ``<DEFAULT>`` rows in the same
batch, joined with the services they name), and a page of services with parents, children and
members one query per kind."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from datasources.storage import Storage
from domain.services import ServiceRecord
from loaders.batching import JOINED_UP_TO, Loader, weakly

MemberPageKey = tuple[int, str | None, int]
"""(service id, lower-cased login to start after, how many)."""


def _lower(key: str) -> str:
    return key.lower()


class ServiceLoaders:
    """Each loader is made on first use."""

    def __init__(self, storage: Storage) -> None:
        self._store = storage.services

    @cached_property
    def by_id(self) -> Loader[int, ServiceRecord | None]:
        return Loader[int, ServiceRecord | None](load_fn=weakly(self._by_id))

    @cached_property
    def by_name(self) -> Loader[str, ServiceRecord | None]:
        """By exact full name (a parent's name, as taken from its child's)."""
        return Loader[str, ServiceRecord | None](load_fn=weakly(self._by_name))

    @cached_property
    def children(self) -> Loader[str, list[ServiceRecord]]:
        """Direct children by the parent's full name."""
        return Loader[str, list[ServiceRecord]](load_fn=weakly(self._children))

    @cached_property
    def assigned(self) -> Loader[str, list[ServiceRecord]]:
        """The services assigned to a login (``<DEFAULT>``: the default services)."""
        return Loader[str, list[ServiceRecord]](load_fn=weakly(self._assigned), cache_key_fn=_lower)

    @cached_property
    def member_page(self) -> Loader[MemberPageKey, list[str]]:
        return Loader[MemberPageKey, list[str]](load_fn=weakly(self._member_pages))

    @cached_property
    def member_count(self) -> Loader[int, int]:
        return Loader[int, int](load_fn=weakly(self._member_counts))

    async def _by_id(self, ids: Sequence[int]) -> list[ServiceRecord | None]:
        found = await self._store.get_many(ids)
        return [found.get(i) for i in ids]

    async def _by_name(self, names: Sequence[str]) -> list[ServiceRecord | None]:
        found = await self._store.get_by_names(names)
        return [found.get(name) for name in names]

    async def _children(self, names: Sequence[str]) -> list[list[ServiceRecord]]:
        found = await self._store.children_of(names)
        return [found.get(name, []) for name in names]

    async def _assigned(self, logins: Sequence[str]) -> list[list[ServiceRecord]]:
        """The relation rows of every login with their services, in one statement, the
        services primed into ``by_id``; for more than ``JOINED_UP_TO`` logins the rows, then
        each distinct service once."""
        if len(logins) > JOINED_UP_TO:
            ids = await self._store.assigned_ids(logins)
            wanted = sorted({i for group in ids.values() for i in group})
            records = await self.by_id.load_many(wanted)
            known = {record.id: record for record in records if record is not None}
            return [
                [known[i] for i in ids.get(login.lower(), []) if i in known] for login in logins
            ]
        found = await self._store.assigned_services(logins)
        self.by_id.prime_many({s.id: s for services in found.values() for s in services})
        return [found.get(login.lower(), []) for login in logins]

    async def _member_pages(self, keys: Sequence[MemberPageKey]) -> list[list[str]]:
        """One statement per distinct (after, limit): in practice one for a whole page of
        services, which all ask for their first N members."""
        pages: dict[MemberPageKey, list[str]] = {}
        for after, limit in dict.fromkeys((k[1], k[2]) for k in keys):
            ids = [k[0] for k in keys if (k[1], k[2]) == (after, limit)]
            found = await self._store.member_pages(ids, after=after, limit=limit)
            pages.update({(i, after, limit): found.get(i, []) for i in ids})
        return [pages[key] for key in keys]

    async def _member_counts(self, ids: Sequence[int]) -> list[int]:
        found = await self._store.member_counts(ids)
        return [found.get(i, 0) for i in ids]
