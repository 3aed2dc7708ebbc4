"""The customer-user directory: OTOBO's front ``CustomerUser.pm`` over ordered backends.

Backends are asked in configured order (``CustomerUser``, ``CustomerUser1``, …): a read takes
the first backend that has the login, and a listing merges the backends' pages, each login
from the earliest backend that holds it. For a write the directory only says where it goes
(a create to the named or first writable backend, a change to the user's own backend); the
checks and the transaction are the use cases' (``resolvers.use_cases.customer_users``).
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Awaitable, Sequence
from typing import TypeGuard, TypeVar

from datasources.backend import BackendUnavailable, CustomerUserBackend, report_unavailable
from datasources.db.customer_users import DbCustomerUserBackend
from datasources.paging import Page, SortKey, keyset_page
from domain.customer_user_query import CustomerUserQuery, record_sort_key
from domain.errors import ErrorCode, Problem
from domain.pagination import Cursor
from domain.records import CustomerUserRecord

SOURCE = ("source",)
"""Where a problem with the backend a create names points (``NewCustomerUser.source``)."""
COUNT_CHUNK = 1000  # users read per step when counting across an LDAP backend
T = TypeVar("T")


async def _answer(
    backend: CustomerUserBackend, call: Awaitable[T], unavailable: T, *, strict: bool = False
) -> T:
    """``call``'s answer; for a backend that is down, ``unavailable`` and a report (or, when
    ``strict``, the error: a write must not decide on a partial view)."""
    try:
        return await call
    except BackendUnavailable as exc:
        if strict:
            raise
        report_unavailable(exc)
        return unavailable


def _writable(backend: CustomerUserBackend | None) -> TypeGuard[DbCustomerUserBackend]:
    """Only database backends are ever written, and only when not configured read-only."""
    return isinstance(backend, DbCustomerUserBackend) and not backend.read_only


class CustomerUserDirectory:
    """Reads over the ordered backends, and the choice of the backend a write goes to (the
    write itself is decided in ``resolvers.use_cases.customer_users``)."""

    def __init__(self, backends: Sequence[CustomerUserBackend]) -> None:
        self.backends = list(backends)

    def backend(self, name: str) -> CustomerUserBackend | None:
        return next((b for b in self.backends if b.name == name), None)

    # ---- reading ---------------------------------------------------------------------------

    async def get_many(
        self, logins: Sequence[str], *, strict: bool = False
    ) -> dict[str, CustomerUserRecord]:
        """Records by lower-cased login; the earliest backend that has a login wins. A backend
        that is down is skipped and reported (``strict``: raises ``BackendUnavailable``)."""
        found: dict[str, CustomerUserRecord] = {}
        missing = list(logins)
        for backend in self.backends:
            if not missing:
                break
            answer = await _answer(backend, backend.get_many(missing), {}, strict=strict)
            for key, record in answer.items():
                found.setdefault(key, record)
            missing = [login for login in missing if login.lower() not in found]
        return found

    async def get(self, login: str, *, strict: bool = False) -> CustomerUserRecord | None:
        """The user of ``login``. A write that must resolve a login passes ``strict``: with a
        backend down that might hold it, "no such user" would be a guess, so
        ``BackendUnavailable`` is raised instead (see :func:`unresolvable`)."""
        return (await self.get_many([login], strict=strict)).get(login.lower())

    @property
    def list_limit(self) -> int:
        """A search result stops at the smallest backend list limit (OTOBO's admin screen
        asks every backend for that many and reports "more than N")."""
        return min(b.config.search_list_limit for b in self.backends)

    async def page(
        self, query: CustomerUserQuery, *, first: int, after: Cursor | None
    ) -> Page[CustomerUserRecord]:
        """One page of matching users from every backend, merged in the query's order."""
        ordering = query.ordering

        def key(record: CustomerUserRecord) -> SortKey:
            return record_sort_key(record, ordering)

        async def fetch(after_key: SortKey | None, limit: int) -> list[CustomerUserRecord]:
            pages = await asyncio.gather(
                *(
                    _answer(b, b.page(query, after=after_key, limit=limit), [])
                    for b in self.backends
                )
            )
            pages = await self._drop_shadowed(pages)
            merged = heapq.merge(*pages, key=key, reverse=ordering.descending)
            return list(merged)[:limit]

        cap = self.list_limit if query.is_search else None
        return await keyset_page(
            fetch, key, first=first, after=after, cap=cap, ordering=ordering.name
        )

    async def _drop_shadowed(
        self, pages: Sequence[list[CustomerUserRecord]]
    ) -> list[list[CustomerUserRecord]]:
        """Drop users that an earlier backend also has: the earlier backend wins a login."""
        kept = [pages[0]] if pages else []
        for index in range(1, len(pages)):
            shadowed = await self._held_before(index, [r.login for r in pages[index]])
            kept.append([r for r in pages[index] if r.login.lower() not in shadowed])
        return kept

    async def _held_before(self, index: int, logins: Sequence[str]) -> set[str]:
        """Which of ``logins`` (lower-cased) a backend before backend ``index`` holds."""
        held: set[str] = set()
        for earlier in self.backends[:index]:
            if logins:
                held |= set(await _answer(earlier, earlier.get_many(logins), {}))
        return held

    async def logins_by_primary_customer(
        self, customer_ids: Sequence[str], *, valid_only: bool = True
    ) -> dict[str, set[str]]:
        """Users, of every backend, whose primary customer is one of ``customer_ids``, by
        lower-cased customer ID."""
        answers = await asyncio.gather(
            *(
                _answer(b, b.logins_by_primary_customer(customer_ids, valid_only=valid_only), {})
                for b in self.backends
            )
        )
        merged: dict[str, set[str]] = {}
        for answer in answers:
            for customer_id, logins in answer.items():
                merged.setdefault(customer_id, set()).update(logins)
        return merged

    async def count(self, query: CustomerUserQuery) -> int:
        """How many users the (capped) result lists."""
        return await self._count_listed(query, self.list_limit if query.is_search else None)

    async def limit_reached(self, query: CustomerUserQuery) -> bool:
        """Whether a list limit cut the result: a search's (the smallest of the backends'),
        or an LDAP backend's own in a plain listing."""
        if query.is_search:
            return await self._count_listed(query, self.list_limit + 1) > self.list_limit
        cuts = await asyncio.gather(
            *(_answer(b, b.listing_cut(query), False) for b in self.backends)
        )
        return any(cuts)

    async def _count_listed(self, query: CustomerUserQuery, at_most: int | None) -> int:
        """How many users ``page`` lists for ``query``, counting at most ``at_most``: a login
        that several backends hold is listed (and counted) once, from the earliest."""
        counts = await asyncio.gather(
            *(
                _answer(backend, self._count_unshadowed(index, query, at_most), 0)
                for index, backend in enumerate(self.backends)
            )
        )
        # Each count is exact up to at_most, so the capped sum is exact too.
        return sum(counts) if at_most is None else min(sum(counts), at_most)

    async def _count_unshadowed(
        self, index: int, query: CustomerUserQuery, at_most: int | None
    ) -> int:
        """Backend ``index``'s matching users that no earlier backend holds."""
        backend, earlier = self.backends[index], self.backends[:index]
        same_database = [b for b in earlier if isinstance(b, DbCustomerUserBackend)]
        if isinstance(backend, DbCustomerUserBackend) and len(same_database) == len(earlier):
            return await backend.count(query, at_most=at_most, excluding=same_database)
        # An LDAP backend on either side: walk the matching users and ask the earlier
        # backends, as the listing does. A search stops at its list limit; a plain listing
        # of a large backend is read in full (only when totalCount is asked for).
        ordering = query.ordering
        counted = 0
        after: SortKey | None = None
        while True:
            records = await backend.page(query, after=after, limit=COUNT_CHUNK)
            held = await self._held_before(index, [record.login for record in records])
            counted += sum(1 for record in records if record.login.lower() not in held)
            if len(records) < COUNT_CHUNK or (at_most is not None and counted >= at_most):
                return counted if at_most is None else min(counted, at_most)
            after = record_sort_key(records[-1], ordering)

    # ---- where a write goes ----------------------------------------------------------------

    def writable_backend(self, source: str | None) -> DbCustomerUserBackend | Problem:
        """Where a new user is written: the backend named ``source``, or else the first one
        that may be written (OTOBO's front takes the first backend too)."""
        if source is not None:
            backend = self.backend(source)
            if backend is None:
                return Problem(SOURCE, ErrorCode.NOT_FOUND, f"No backend named {source!r}.")
            if not _writable(backend):
                return Problem(SOURCE, ErrorCode.READ_ONLY, f"Backend {source!r} is read-only.")
            return backend
        for backend in self.backends:
            if _writable(backend):
                return backend
        return Problem((), ErrorCode.READ_ONLY, "Every customer-user backend is read-only.")

    def own_backend(self, record: CustomerUserRecord) -> DbCustomerUserBackend | Problem:
        """Where a change of ``record`` is written: the backend that holds it, if that one
        may be written (a user never moves between backends)."""
        backend = self.backend(record.source)
        if not _writable(backend):
            return Problem((), ErrorCode.READ_ONLY, f"Backend {record.source!r} is read-only.")
        return backend


def unresolvable(field: tuple[str, ...], exc: BackendUnavailable) -> Problem:
    """A write that names a login a backend that is down might hold is refused, as a create
    is while the login's uniqueness cannot be checked: not "no such user", which may be false,
    and nothing written."""
    return Problem(
        field,
        ErrorCode.BACKEND_UNAVAILABLE,
        f"Backend {exc.backend!r} is unavailable, so the customer user cannot be looked up; "
        "retry when it is back.",
    )
