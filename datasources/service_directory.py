"""The service catalog: services, their hierarchy, and who is assigned to them.

Every write follows the one mutation pattern (``datasources.unit_of_work``): the input is
cleaned and checked, then the checks that need stored data run inside the transaction that
writes, so a problem found there rolls everything back. Where OTOBO is silent or lenient we
are strict: an unknown parent is an error (OTOBO silently makes the service top-level), a move
that would push a descendant past 200 characters is refused (OTOBO's database would fail
half-way), and assignment sets are checked before anything is written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.backend import BackendUnavailable
from datasources.customer_user_directory import CustomerUserDirectory, unresolvable
from datasources.db.services import DbServiceStore
from datasources.paging import Page, SortKey, keyset_page
from datasources.unit_of_work import Outcome, transaction
from domain.assignments import dedupe_folded
from domain.config import ServicesConfig
from domain.errors import ErrorCode, Problem, ProblemsFound
from domain.pagination import Cursor
from domain.records import CustomerUserRecord
from domain.search_grammar import SearchExpr
from domain.services import (
    DEFAULT_LOGIN,
    ServiceRecord,
    by_name,
    clean,
    full_name,
    full_name_problem,
    is_reserved_login,
    is_within,
    listed,
    rebase,
    replacement,
    too_many,
    validate_service,
)
from domain.validity import Validity

S = TypeVar("S")
K = TypeVar("K")

SERVICE_IDS = ("input", "serviceIds")
LOGINS = ("input", "logins")


@dataclass(frozen=True, slots=True)
class Assignment(Generic[S, K]):
    """A replaced assignment set: its owner as it now is (or would be) and what changed."""

    subject: S
    added: list[K]
    removed: list[K]


class ServiceDirectory:
    def __init__(
        self, store: DbServiceStore, config: ServicesConfig, users: CustomerUserDirectory
    ) -> None:
        self.store = store
        self.config = config
        self.users = users

    @property
    def keep_children(self) -> bool:
        return self.config.keep_children

    # ---- reading -----------------------------------------------------------------------------

    async def get_many(self, ids: Sequence[int]) -> dict[int, ServiceRecord]:
        return await self.store.get_many(ids)

    async def get(self, service_id: int) -> ServiceRecord | None:
        return (await self.store.get_many([service_id])).get(service_id)

    async def get_by_names(self, names: Sequence[str]) -> dict[str, ServiceRecord]:
        return await self.store.get_by_names(names)

    async def find(self, name: str) -> ServiceRecord | None:
        """A service by full name, case-insensitively (as names are unique)."""
        return await self.store.find_by_name(name)

    async def children_of(self, names: Sequence[str]) -> dict[str, list[ServiceRecord]]:
        """Parent full name → its direct children, in name order."""
        wanted = set(names)
        children: dict[str, list[ServiceRecord]] = {name: [] for name in wanted}
        for record in await self.store.children_of(names):
            if record.parent_name in wanted:
                children[record.parent_name].append(record)
        return children

    async def list_page(
        self, *, search: SearchExpr | None, valid_only: bool, first: int, after: Cursor | None
    ) -> Page[ServiceRecord]:
        """Services by full name; ``valid_only`` leaves out what does not count as valid."""

        async def fetch(after_key: SortKey | None, limit: int) -> list[ServiceRecord]:
            return await self.store.list_page(
                search=search,
                valid_only=valid_only,
                keep_children=self.keep_children,
                after=after_key,
                limit=limit,
            )

        return await keyset_page(fetch, lambda s: (s.name,), first=first, after=after)

    async def count(self, *, search: SearchExpr | None, valid_only: bool) -> int:
        return await self.store.count(
            search=search, valid_only=valid_only, keep_children=self.keep_children
        )

    async def assigned_ids(self, logins: Sequence[str]) -> dict[str, list[int]]:
        """Lower-cased login → the ids assigned to it (see ``DbServiceStore.assigned_ids``)."""
        return await self.store.assigned_ids(logins)

    async def assigned_to(self, logins: Sequence[str]) -> dict[str, list[ServiceRecord]]:
        """Lower-cased login → the existing services assigned to it, by name."""
        ids = await self.store.assigned_ids(logins)
        found = await self.store.get_many([i for group in ids.values() for i in group])
        return {
            login: by_name(found[i] for i in group if i in found) for login, group in ids.items()
        }

    async def member_pages(
        self, service_ids: Sequence[int], *, after: str | None, limit: int
    ) -> dict[int, list[str]]:
        return await self.store.member_pages(service_ids, after=after, limit=limit)

    async def member_counts(self, service_ids: Sequence[int]) -> dict[int, int]:
        return await self.store.member_counts(service_ids)

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that holds the catalog's write lock (see ``DbServiceStore.lock``)."""
        async with transaction(self.store.engine) as conn:
            await self.store.lock(conn)
            yield conn

    # ---- services ----------------------------------------------------------------------------

    async def create(self, values: Mapping[str, Any], *, actor: int) -> Outcome[ServiceRecord]:
        values = _cleaned(values)
        problems = validate_service(values, creating=True)
        if problems:
            return Outcome.failed(problems)
        try:
            async with self._writing() as conn:
                parent = await self._parent(conn, values.get("parentId"))
                name = full_name(parent.name if parent else None, str(values["name"]))
                await self._check_names(conn, {None: name}, field=("input", "name"), own=[])
                new_id = await self.store.insert(conn, {**values, "name": name}, actor=actor)
        except ProblemsFound as exc:
            return Outcome.failed(exc.problems)
        except sa.exc.IntegrityError:
            return Outcome.failed(_conflict())
        return Outcome(record=await self.get(new_id))

    async def update(
        self, service_id: int, changes: Mapping[str, Any], *, actor: int
    ) -> Outcome[ServiceRecord]:
        changes = _cleaned(changes)
        problems = validate_service(changes, creating=False)
        if problems:
            return Outcome.failed(problems)
        try:
            async with self._writing() as conn:
                old = (await self.store.get_many([service_id], conn)).get(service_id)
                if old is None:
                    raise ProblemsFound([_not_found(service_id, ("input", "serviceId"))])
                name = await self._new_name(conn, old, changes)
                if name != old.name:
                    await self._rename(conn, old, name, changes, actor=actor)
                patch = {k: v for k, v in changes.items() if k in ("comment", "validity")}
                await self.store.update(conn, old.id, {**patch, "name": name}, actor=actor)
        except ProblemsFound as exc:
            return Outcome.failed(exc.problems)
        except sa.exc.IntegrityError:
            return Outcome.failed(_conflict())
        return Outcome(record=await self.get(service_id))

    async def _parent(self, conn: AsyncConnection, parent_id: int | None) -> ServiceRecord | None:
        if parent_id is None:
            return None
        parent = (await self.store.get_many([parent_id], conn)).get(parent_id)
        if parent is None:
            raise ProblemsFound(
                [_not_found(parent_id, ("input", "parentId"), ErrorCode.UNKNOWN_SERVICE)]
            )
        return parent

    async def _new_name(
        self, conn: AsyncConnection, old: ServiceRecord, changes: Mapping[str, Any]
    ) -> str:
        """The full name after a patch: a new short name, a new parent, or both."""
        parent_name = old.parent_name
        if "parentId" in changes:
            parent = await self._parent(conn, changes["parentId"])
            if parent is not None and is_within(parent.name, old.name):
                raise ProblemsFound(
                    [
                        Problem(
                            ("input", "parentId"),
                            ErrorCode.CYCLE,
                            f"{parent.name!r} is {old.name!r} itself or below it; a service "
                            "cannot move under itself.",
                        )
                    ]
                )
            parent_name = parent.name if parent else None
        return full_name(parent_name, str(changes.get("name", old.name_short)))

    async def _rename(
        self,
        conn: AsyncConnection,
        old: ServiceRecord,
        name: str,
        changes: Mapping[str, Any],
        *,
        actor: int,
    ) -> None:
        """Rename ``old`` and carry every descendant along, after checking all new names."""
        below = await self.store.subtree(conn, old.name)
        names: dict[int | None, str] = {old.id: name}
        names.update({i: rebase(n, old.name, name) for i, n in below.items()})
        renamed = "name" in changes and changes["name"] != old.name_short
        field = ("input", "name") if renamed or "parentId" not in changes else ("input", "parentId")
        await self._check_names(conn, names, field=field, own=[old.id, *below])
        await self.store.rename_subtree(conn, old.name, name, actor=actor)

    async def _check_names(
        self,
        conn: AsyncConnection,
        names: Mapping[int | None, str],
        *,
        field: tuple[str, ...],
        own: Sequence[int],
    ) -> None:
        """Every full name fits and is free (case-insensitively), or ProblemsFound. ``names``
        maps a service id (None: the one being created) to the full name it would get."""
        root = next(iter(names.values()))
        for name in names.values():
            subject = "the service" if name == root else f"descendant {name!r}"
            problem = full_name_problem(name, field=field, subject=subject)
            if problem:
                raise ProblemsFound([problem])
        taken = await self.store.names_in_use(conn, list(names.values()), except_ids=own)
        if taken:
            raise ProblemsFound(
                [
                    Problem(
                        field,
                        ErrorCode.NAME_TAKEN,
                        f"A service named {listed(sorted(taken))} already exists.",
                    )
                ]
            )

    # ---- assignments -------------------------------------------------------------------------

    async def set_services_of(
        self, login: str, service_ids: Sequence[int], *, dry_run: bool, actor: int
    ) -> Outcome[Assignment[CustomerUserRecord, int]]:
        """Make ``service_ids`` the complete set of ``login``'s own services."""
        if is_reserved_login(login):
            return Outcome.failed(
                [
                    Problem(
                        ("input", "login"),
                        ErrorCode.RESERVED,
                        f"{login!r} names the default services; use defaultServicesSet.",
                    )
                ]
            )
        try:
            user = await self.users.get(login, strict=True)
        except BackendUnavailable as exc:
            return Outcome.failed([unresolvable(("input", "login"), exc)])
        if user is None:
            return Outcome.failed(
                [Problem(("input", "login"), ErrorCode.NOT_FOUND, f"No such user {login!r}.")]
            )
        try:
            added, removed = await self._replace_services(
                user.login, service_ids, dry_run=dry_run, actor=actor
            )
        except ProblemsFound as exc:
            return Outcome.failed(exc.problems)
        return Outcome(record=Assignment(user, added, removed))

    async def set_default_services(
        self, service_ids: Sequence[int], *, dry_run: bool, actor: int
    ) -> Outcome[Assignment[list[ServiceRecord], int]]:
        """Make ``service_ids`` the default services (the ``<DEFAULT>`` rows)."""
        try:
            added, removed = await self._replace_services(
                DEFAULT_LOGIN, service_ids, dry_run=dry_run, actor=actor
            )
        except ProblemsFound as exc:
            return Outcome.failed(exc.problems)
        defaults = (await self.assigned_to([DEFAULT_LOGIN])).get(DEFAULT_LOGIN.lower(), [])
        return Outcome(record=Assignment(defaults, added, removed))

    async def _replace_services(
        self, login: str, service_ids: Sequence[int], *, dry_run: bool, actor: int
    ) -> tuple[list[int], list[int]]:
        """Replace the service set of ``login`` (a user's or ``<DEFAULT>``); only services
        being added must exist and be valid, so re-saving a set never fails on what is there."""
        wanted = list(dict.fromkeys(service_ids))
        problem = too_many(len(wanted), field=SERVICE_IDS)
        if problem:
            raise ProblemsFound([problem])
        async with self._writing() as conn:
            change = replacement(await self.store.service_ids_of(conn, login), wanted)
            found = await self.store.get_many(change.added, conn)
            unknown = [i for i in change.added if i not in found]
            inactive = [found[i] for i in change.added if i in found and not _valid(found[i])]
            problems = []
            if unknown:
                problems.append(
                    Problem(
                        SERVICE_IDS,
                        ErrorCode.UNKNOWN_SERVICE,
                        f"No service with id {listed(unknown)}.",
                    )
                )
            if inactive:
                problems.append(_inactive(inactive, SERVICE_IDS))
            if problems:
                raise ProblemsFound(problems)
            if not dry_run:
                await self.store.remove_services_of(conn, login, change.removed)
                await self.store.add_rows(conn, [(login, i) for i in change.added], actor=actor)
        return change.added, change.removed

    async def set_customer_users_of(
        self, service_id: int, logins: Sequence[str], *, dry_run: bool, actor: int
    ) -> Outcome[Assignment[ServiceRecord, str]]:
        """Make ``logins`` the complete set of customer users assigned to the service (the
        default-services row of the service is not one of them and stays as it is)."""
        reserved = [login for login in logins if is_reserved_login(login)]
        if reserved:
            return Outcome.failed(
                [
                    Problem(
                        LOGINS,
                        ErrorCode.RESERVED,
                        f"{DEFAULT_LOGIN!r} is not a customer user; use defaultServicesSet.",
                    )
                ]
            )
        wanted = dedupe_folded(logins)
        problem = too_many(len(wanted), field=LOGINS)
        if problem:
            return Outcome.failed([problem])
        try:
            async with self._writing() as conn:
                record = (await self.store.get_many([service_id], conn)).get(service_id)
                if record is None:
                    raise ProblemsFound([_not_found(service_id, ("input", "serviceId"))])
                current = await self.store.logins_of(conn, service_id)
                change = replacement(list(current), [login.lower() for login in wanted])
                spelled = {login.lower(): login for login in wanted}
                users = await self._users([spelled[k] for k in change.added])
                added = [users[k].login for k in change.added if k in users]
                removed = [current[k] for k in change.removed]
                self._check_members(
                    record, [spelled[k] for k in change.added if k not in users], added
                )
                if not dry_run:
                    await self.store.remove_logins_of(conn, service_id, removed)
                    await self.store.add_rows(conn, [(u, service_id) for u in added], actor=actor)
        except ProblemsFound as exc:
            return Outcome.failed(exc.problems)
        return Outcome(record=Assignment(record, added, removed))

    async def _users(self, logins: Sequence[str]) -> dict[str, CustomerUserRecord]:
        """The users being added (only those: removing a login needs no backend); with a
        backend down that might hold one, the replacement is refused, not half-judged."""
        try:
            return await self.users.get_many(logins, strict=True)
        except BackendUnavailable as exc:
            raise ProblemsFound([unresolvable(LOGINS, exc)]) from None

    @staticmethod
    def _check_members(record: ServiceRecord, unknown: list[str], added: list[str]) -> None:
        problems = []
        if unknown:
            problems.append(
                Problem(
                    LOGINS,
                    ErrorCode.UNKNOWN_CUSTOMER_USER,
                    f"No customer user with login {listed(unknown)}.",
                )
            )
        if added and not _valid(record):
            problems.append(_inactive([record], ("input", "serviceId")))
        if problems:
            raise ProblemsFound(problems)


def _valid(record: ServiceRecord) -> bool:
    """Only a service that is itself VALID can be newly assigned (as OTOBO's screen offers
    only valid services; a child of an invalid one is offered there, so it may be assigned)."""
    return record.validity is Validity.VALID


def _inactive(records: Sequence[ServiceRecord], field: tuple[str, ...]) -> Problem:
    names = listed([f"{r.id} ({r.name})" for r in records])
    return Problem(
        field,
        ErrorCode.INACTIVE_SERVICE,
        f"Not valid, so it cannot be assigned: {names}. Make it valid first.",
    )


def _cleaned(values: Mapping[str, Any]) -> dict[str, Any]:
    """Name and comment cleaned as OTOBO cleans them; a blank comment is no comment."""
    out = dict(values)
    if isinstance(out.get("name"), str):
        out["name"] = clean(out["name"])
    if isinstance(out.get("comment"), str):
        out["comment"] = clean(out["comment"]) or None
    return out


def _not_found(
    service_id: int, field: tuple[str, ...], code: ErrorCode = ErrorCode.NOT_FOUND
) -> Problem:
    return Problem(field, code, f"No service with id {service_id}.")


def _conflict() -> list[Problem]:
    """The unique name index fired although no stored name is equal but for case (the check
    runs under the catalog's lock): the database's collation ignores more, e.g. OTOBO's
    ``utf8mb4_unicode_ci`` on MariaDB/MySQL ignores accents."""
    return [
        Problem(
            ("input", "name"),
            ErrorCode.NAME_TAKEN,
            "The database counts this name as the same as a stored service's "
            "(its collation ignores accents).",
        )
    ]
