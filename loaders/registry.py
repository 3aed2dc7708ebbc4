"""The loaders of one request. A new :class:`Loaders` per request keeps caches request-local."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

from datasources.paging import Page
from datasources.storage import Storage
from domain.customer_user_query import CustomerUserQuery
from domain.origins import Origin, OriginKey
from domain.pagination import Cursor
from domain.records import CustomerRecord, CustomerUserRecord
from loaders.audit import AuditLoaders
from loaders.batching import JOINED_UP_TO, Loader, weakly
from loaders.dynamic_fields import customer_user_values_loader, customer_values_loader
from loaders.groups import GroupLoaders
from loaders.services import ServiceLoaders
from loaders.tickets import TicketLoaders
from loaders.two_factor import has_secret_loader

VALID_USERS = CustomerUserQuery(valid_only=True)


def _lower(key: str) -> str:
    return key.lower()


class CustomerUserLoader(Loader[str, CustomerUserRecord | None]):
    """Customer users by login (case-insensitive), knowing the users a page already read.

    A page of 1000 users was primed into the DataLoader one future each, which cost more than
    reading them; ``remember`` keeps the records in a plain dict instead, and a ``load`` of a
    remembered login answers from it without a query."""

    def __init__(self, load_fn: Callable[[Sequence[str]], Awaitable[Sequence[Any]]]) -> None:
        super().__init__(load_fn=load_fn, cache_key_fn=_lower)
        self._known: dict[str, CustomerUserRecord] = {}

    def remember(self, records: Iterable[CustomerUserRecord]) -> None:
        self._known.update((record.login.lower(), record) for record in records)

    def load(self, key: str) -> Awaitable[CustomerUserRecord | None]:
        known = self._known.get(key.lower())
        if known is None:
            return super().load(key)
        answered: asyncio.Future[CustomerUserRecord | None] = self.loop.create_future()
        answered.set_result(known)
        return answered


async def _customer_users(
    storage: Storage, logins: Sequence[str]
) -> list[CustomerUserRecord | None]:
    found = await storage.customer_users.get_many(logins)
    return [found.get(login.lower()) for login in logins]


class Loaders:
    """Each loader is made on first use: a request reads one or two kinds of object, and
    making all of them (about twenty DataLoaders) for every request was measurable in a
    one-user lookup."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    @cached_property
    def customer_user(self) -> CustomerUserLoader:
        # Not the bound ``self._customer_users``: the loader would hold this object that holds
        # it, a cycle left to the garbage collector on every lookup.
        return CustomerUserLoader(functools.partial(_customer_users, self._storage))

    @cached_property
    def customer(self) -> Loader[str, CustomerRecord | None]:
        return Loader(load_fn=weakly(self._customers), cache_key_fn=_lower)

    @cached_property
    def assigned_customers(self) -> Loader[str, list[CustomerRecord]]:
        """Login → the customers of its ``customer_user_customer`` rows (existing ones, in
        row order), read joined in one statement and primed into ``customer`` (for more than
        ``JOINED_UP_TO`` logins: the rows, then each distinct customer once)."""
        return Loader(load_fn=weakly(self._assigned_customers), cache_key_fn=_lower)

    @cached_property
    def origin(self) -> Loader[OriginKey, Origin | None]:
        """Roster's record of which API key wrote an object (with the keys' names)."""
        return Loader(load_fn=weakly(self._origins))

    @cached_property
    def agent_login(self) -> Loader[int, str | None]:
        """The login of an OTOBO agent (``users.id``), as ``create_by``/``change_by`` name it."""
        return Loader(load_fn=weakly(self._agent_logins))

    @cached_property
    def valid_users_page(self) -> Loader[tuple[int, Cursor | None], Page[CustomerUserRecord]]:
        """(page size, after) → a page of the valid users in login order. Groups that may
        reach every user scan these pages for members; a list of such groups reads each page
        once instead of once per group."""
        return Loader(load_fn=weakly(self._valid_users_pages))

    @cached_property
    def valid_users_count(self) -> Loader[bool, int]:
        """How many valid users there are (one key, True): every such group's member count."""
        return Loader(load_fn=weakly(self._valid_users_count))

    @cached_property
    def groups(self) -> GroupLoaders:
        return GroupLoaders(self._storage)

    @cached_property
    def services(self) -> ServiceLoaders:
        return ServiceLoaders(self._storage)

    @cached_property
    def tickets(self) -> TicketLoaders:
        return TicketLoaders(self._storage.tickets, self._storage.dynamic_fields)

    @cached_property
    def audit(self) -> AuditLoaders:
        return AuditLoaders(self._storage.audit)

    @cached_property
    def has_two_factor_secret(self) -> Loader[str, bool]:
        return has_secret_loader(self._storage)

    @cached_property
    def dynamic_field_values(self) -> Loader[str, Mapping[str, Any]]:
        """login → the user's dynamic-field values by Map attribute."""
        return customer_user_values_loader(self._storage)

    @cached_property
    def customer_dynamic_field_values(self) -> Loader[str, Mapping[str, Any]]:
        """CustomerID → the customer's dynamic-field values by Map attribute."""
        return customer_values_loader(self._storage)

    def reset(self) -> None:
        """Forget everything loaded so far: after a write, later fields must see it."""
        self.__dict__ = {"_storage": self._storage}

    async def _customers(self, ids: Sequence[str]) -> list[CustomerRecord | None]:
        found = await self._storage.customers.get_many(ids)
        return [found.get(customer_id.lower()) for customer_id in ids]

    async def _assigned_customers(self, logins: Sequence[str]) -> list[list[CustomerRecord]]:
        if len(logins) > JOINED_UP_TO:
            per_login = await self.groups.assigned_customers.load_many(logins)
            wanted = list(dict.fromkeys(row.customer_id for rows in per_login for row in rows))
            known = dict(zip(wanted, await self.customer.load_many(wanted), strict=True))
            return [
                [c for c in (known[row.customer_id] for row in rows) if c is not None]
                for rows in per_login
            ]
        found = await self._storage.customers.assigned_to(logins)
        self.customer.prime_many({r.customer_id: r for records in found.values() for r in records})
        return [found.get(login.lower(), []) for login in logins]

    async def _valid_users_pages(
        self, keys: Sequence[tuple[int, Cursor | None]]
    ) -> list[Page[CustomerUserRecord]]:
        directory = self._storage.customer_users
        return list(
            await asyncio.gather(
                *(directory.page(VALID_USERS, first=first, after=after) for first, after in keys)
            )
        )

    async def _valid_users_count(self, keys: Sequence[bool]) -> list[int]:
        count = await self._storage.customer_users.count(VALID_USERS)
        return [count for _ in keys]

    async def _origins(self, keys: Sequence[OriginKey]) -> list[Origin | None]:
        found = await self._storage.origins.get_many(keys)
        return [found.get(key) for key in keys]

    async def _agent_logins(self, ids: Sequence[int]) -> list[str | None]:
        logins = await self._storage.origins.agent_logins(ids)
        return [logins.get(i) for i in ids]
