"""Customers (companies): reads, searches and writes, with the customer-ID rename cascade.

OTOBO's company backend checks nothing and re-points at most 250 users on a rename; here a
create or update is validated first and a rename re-points every user and relation row in
the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.db.customer_users import DbCustomerUserBackend
from datasources.db.customers import DbCustomerStore
from datasources.paging import Page, SortKey, keyset_page
from datasources.unit_of_work import Outcome, transaction
from domain.customer_rules import validate_customer
from domain.errors import ErrorCode, Problem, ProblemsFound
from domain.pagination import Cursor
from domain.records import CustomerRecord
from domain.search_grammar import SearchExpr


class CustomerDirectory:
    def __init__(self, store: DbCustomerStore, user_backends: Sequence[DbCustomerUserBackend]):
        self.store = store
        self.user_backends = list(user_backends)

    @property
    def list_limit(self) -> int:
        return self.store.config.search_list_limit

    async def get_many(self, customer_ids: Sequence[str]) -> dict[str, CustomerRecord]:
        return await self.store.get_many(customer_ids)

    async def get(self, customer_id: str) -> CustomerRecord | None:
        return (await self.store.get_many([customer_id])).get(customer_id.lower())

    async def list_page(
        self,
        *,
        search: SearchExpr | None,
        searching: bool,
        valid_only: bool,
        first: int,
        after: Cursor | None,
    ) -> Page[CustomerRecord]:
        """A page of customers by customer ID; a search result (``searching``, even one that
        matches everything) stops at the list limit, as OTOBO's does."""

        async def fetch(after_key: SortKey | None, limit: int) -> list[CustomerRecord]:
            return await self.store.list_page(
                search=search,
                valid_only=valid_only,
                after=str(after_key[0]) if after_key else None,
                limit=limit,
            )

        cap = self.list_limit if searching else None
        return await keyset_page(
            fetch, lambda c: (c.customer_id,), first=first, after=after, cap=cap
        )

    async def count(self, *, search: SearchExpr | None, searching: bool, valid_only: bool) -> int:
        total = await self.store.count(search=search, valid_only=valid_only)
        return min(total, self.list_limit) if searching else total

    async def limit_reached(
        self, *, search: SearchExpr | None, searching: bool, valid_only: bool
    ) -> bool:
        if not searching:
            return False
        return await self.store.count(search=search, valid_only=valid_only) > self.list_limit

    async def _uniqueness_problems(
        self,
        conn: AsyncConnection,
        values: Mapping[str, Any],
        *,
        own_id: str | None,
        id_field: str = "customerId",
    ) -> list[Problem]:
        problems: list[Problem] = []
        new_id = values.get("customerId")
        if (
            isinstance(new_id, str)
            and (own_id is None or new_id.lower() != own_id.lower())
            and await self.store.get_many([new_id], conn)
        ):
            problems.append(
                Problem(
                    ("input", id_field),
                    ErrorCode.CUSTOMER_ID_TAKEN,
                    f"A customer with ID {new_id!r} already exists.",
                )
            )
        name = values.get("name")
        if isinstance(name, str) and await self.store.name_in_use(conn, name, except_id=own_id):
            problems.append(
                Problem(
                    ("input", "name"),
                    ErrorCode.NAME_TAKEN,
                    f"A customer named {name!r} already exists.",
                )
            )
        return problems

    async def create(self, values: Mapping[str, Any], *, actor: int) -> Outcome[CustomerRecord]:
        values = _trimmed(values)
        problems = validate_customer(values, creating=True)
        if problems:
            return Outcome.failed(problems)
        try:
            async with transaction(self.store.engine) as conn:
                found = await self._uniqueness_problems(conn, values, own_id=None)
                if found:
                    raise ProblemsFound(found)
                await self.store.insert(conn, values, actor=actor)
        except ProblemsFound as exc:
            return Outcome.failed(exc.problems)
        except sa.exc.IntegrityError:
            return Outcome.failed(_conflict())
        return Outcome(record=await self.get(str(values["customerId"])))

    async def update(
        self, customer_id: str, changes: Mapping[str, Any], *, actor: int
    ) -> Outcome[CustomerRecord]:
        old = await self.get(customer_id)
        if old is None:
            return Outcome.failed(
                [
                    Problem(
                        ("input", "customerId"),
                        ErrorCode.NOT_FOUND,
                        f"No customer with ID {customer_id!r}.",
                    )
                ]
            )
        changes = _trimmed(changes)
        renamed_to = changes.get("newCustomerId")
        patch = {k: v for k, v in changes.items() if k != "newCustomerId"}
        if renamed_to is not None:
            patch["customerId"] = renamed_to
        problems = [_renamed_field(p) for p in validate_customer(patch, creating=False)]
        if problems:
            return Outcome.failed(problems)
        new_id = str(patch.get("customerId", old.customer_id))
        try:
            async with transaction(self.store.engine) as conn:
                found = await self._uniqueness_problems(
                    conn, patch, own_id=old.customer_id, id_field="newCustomerId"
                )
                if found:
                    raise ProblemsFound(found)
                await self.store.update(conn, old.customer_id, patch, actor=actor)
                if new_id != old.customer_id:
                    await self._carry_customer_id(conn, old.customer_id, new_id)
        except ProblemsFound as exc:
            return Outcome.failed(exc.problems)
        except sa.exc.IntegrityError:
            return Outcome.failed(_conflict())
        return Outcome(record=await self.get(new_id))

    async def _carry_customer_id(self, conn: AsyncConnection, old: str, new: str) -> None:
        await self.store.carry_customer_id(conn, old, new)
        for backend in self.user_backends:
            if backend.engine is self.store.engine and not backend.read_only:
                await backend.repoint_customer(conn, old, new)


def _trimmed(values: Mapping[str, Any]) -> dict[str, Any]:
    """Customer IDs and names are identifiers people paste with stray spaces."""
    out = dict(values)
    for key in ("customerId", "newCustomerId", "name"):
        if isinstance(out.get(key), str):
            out[key] = out[key].strip()
    return out


def _renamed_field(problem: Problem) -> Problem:
    """On an update the new customer ID arrives as ``newCustomerId``; report it there."""
    if problem.field == ("input", "customerId"):
        return Problem(("input", "newCustomerId"), problem.code, problem.message)
    return problem


def _conflict() -> list[Problem]:
    return [
        Problem(
            ("input",),
            ErrorCode.INVALID,
            "A concurrent change conflicted, or the database counts the customer ID or name as "
            "a stored customer's (its collation may ignore accents); retry or choose another.",
        )
    ]
