"""Groups and every assignment between customer users, customers and groups.

The six assignment operations mirror OTOBO's admin screens (a user's customers, a customer's
users, a user's groups, a group's users, a customer's groups, a group's customers): each names
the complete set it wants for one owner, is validated as a whole before anything is written,
and either replaces the set in one transaction or, with ``dry_run``, only reports the diff.
Unlike OTOBO, every login, customer and group named must exist, every permission must be a
configured type, a group must be valid to be granted, one target named twice must have the
same permissions both times (``DUPLICATE`` otherwise), and a login that a backend that is down
might hold is refused (``BACKEND_UNAVAILABLE``) rather than called unknown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa

from datasources.backend import BackendUnavailable
from datasources.customer_directory import CustomerDirectory
from datasources.customer_user_directory import CustomerUserDirectory, unresolvable
from datasources.db.groups import DbGroupStore
from datasources.db.links import CUSTOMER_GROUPS, USER_CUSTOMERS, USER_GROUPS, LinkReader, LinkTable
from datasources.paging import Page, SortKey, keyset_page
from datasources.unit_of_work import Outcome, transaction
from domain.assignments import ChangeKind, Link, conflicting_duplicates, dedupe_folded, diff
from domain.config import CustomerGroupConfig
from domain.errors import ErrorCode, Problem, ProblemsFound
from domain.pagination import Cursor
from domain.permissions import OTHER_CONTEXT, SAME_CONTEXT, GroupSettings
from domain.records import CustomerRecord, CustomerUserRecord, GroupRecord
from domain.text import check_text, is_blank
from domain.validity import Validity

T = TypeVar("T")
R = TypeVar("R")

CONTEXT_VALUES = {"Same": SAME_CONTEXT, "Other": OTHER_CONTEXT}
MAX_ITEMS = 10_000
"""Most entries one assignment may name: a bound on the work a single request can cause."""


@dataclass(frozen=True, slots=True)
class Grant:
    """One entry of an assignment input: ``target`` (a group ID, login or customer ID) gets
    ``permissions`` (in ``context`` for customers)."""

    target: Any
    permissions: tuple[str, ...]
    context: str = "Same"


class GroupDirectory:
    def __init__(
        self,
        store: DbGroupStore,
        users: CustomerUserDirectory,
        customers: CustomerDirectory,
        config: CustomerGroupConfig,
    ) -> None:
        self.store = store
        self.users = users
        self.customers = customers
        self.config = config
        self.engine = store.engine
        self._locks: dict[str, asyncio.Lock] = {}
        """One replacement per table at a time in this process (SQLite has no row locks)."""
        self._readers: dict[tuple[str, str], LinkReader] = {}

    def _reader(self, table: LinkTable, link_field: str) -> LinkReader:
        """The prepared reader of ``table`` by ``link_field``, built on first use."""
        key = (table.table.name, link_field)
        if key not in self._readers:
            self._readers[key] = table.reader(self.engine, link_field)
        return self._readers[key]

    @property
    def settings(self) -> GroupSettings:
        return GroupSettings(
            support=self.config.support,
            always_groups=tuple(self.config.always_groups),
            company_always_groups=tuple(self.config.company_always_groups),
            permission_types=tuple(self.config.permission_types),
        )

    # ---- groups ----------------------------------------------------------------------------

    async def page(
        self, *, valid_only: bool, first: int, after: Cursor | None
    ) -> Page[GroupRecord]:
        async def fetch(after_key: SortKey | None, limit: int) -> list[GroupRecord]:
            return await self.store.page(valid_only=valid_only, after=after_key, limit=limit)

        return await keyset_page(fetch, lambda g: (g.name,), first=first, after=after)

    async def create(self, values: Mapping[str, Any], *, actor: int) -> Outcome[GroupRecord]:
        values = {**values, "name": str(values.get("name") or "").strip()}
        problems = _group_problems(values, creating=True)
        if problems:
            return Outcome.failed(problems)
        try:
            async with transaction(self.engine) as conn:
                if await self.store.name_in_use(conn, values["name"], except_id=None):
                    raise ProblemsFound([_name_taken(values["name"])])
                group_id = await self.store.insert(conn, values, actor=actor)
        except ProblemsFound as exc:
            return Outcome.failed(exc.problems)
        except sa.exc.IntegrityError:
            return Outcome.failed([_name_taken(values["name"])])
        return Outcome(record=(await self.store.get_many([group_id]))[group_id])

    async def update(
        self, group_id: int, changes: Mapping[str, Any], *, actor: int
    ) -> Outcome[GroupRecord]:
        if group_id not in await self.store.get_many([group_id]):
            return Outcome.failed([_unknown_group(("input", "groupId"), group_id)])
        changes = dict(changes)
        if isinstance(changes.get("name"), str):
            changes["name"] = changes["name"].strip()
        problems = _group_problems(changes, creating=False)
        if problems:
            return Outcome.failed(problems)
        try:
            async with transaction(self.engine) as conn:
                name = changes.get("name")
                if name and await self.store.name_in_use(conn, name, except_id=group_id):
                    raise ProblemsFound([_name_taken(name)])
                await self.store.update(conn, group_id, changes, actor=actor)
        except ProblemsFound as exc:
            return Outcome.failed(exc.problems)
        except sa.exc.IntegrityError:
            return Outcome.failed([_name_taken(str(changes.get("name")))])
        return Outcome(record=(await self.store.get_many([group_id]))[group_id])

    # ---- reading relation rows -------------------------------------------------------------

    async def assigned_customers(self, logins: Sequence[str]) -> list[Link]:
        return await self._reader(USER_CUSTOMERS, "login").links(logins)

    async def assigned_users(self, customer_ids: Sequence[str]) -> list[Link]:
        return await self._reader(USER_CUSTOMERS, "customer_id").links(customer_ids)

    async def user_grants(self, logins: Sequence[str]) -> list[Link]:
        return await self._reader(USER_GROUPS, "login").links(logins)

    async def customer_grants(self, customer_ids: Sequence[str]) -> list[Link]:
        return await self._reader(CUSTOMER_GROUPS, "customer_id").links(customer_ids)

    async def group_user_grants(self, group_ids: Sequence[int]) -> list[Link]:
        return await self._reader(USER_GROUPS, "group_id").links(group_ids)

    async def group_customer_grants(self, group_ids: Sequence[int]) -> list[Link]:
        return await self._reader(CUSTOMER_GROUPS, "group_id").links(group_ids)

    # ---- assignments -----------------------------------------------------------------------

    async def set_user_customers(
        self, login: str, customer_ids: Sequence[str], *, dry_run: bool, actor: int
    ) -> Outcome[CustomerUserRecord]:
        user = await self._user(login)
        if isinstance(user, Problem):
            return Outcome.failed([user])
        found, problems = await self._customers_named(customer_ids, ("input", "customerIds"))
        if problems:
            return Outcome.failed(problems)
        desired = [Link(login=user.login, customer_id=c.customer_id) for c in found]
        return await self._replace(
            USER_CUSTOMERS, "login", user.login, desired, user, dry_run=dry_run, actor=actor
        )

    async def set_customer_users(
        self, customer_id: str, logins: Sequence[str], *, dry_run: bool, actor: int
    ) -> Outcome[CustomerRecord]:
        customer = await self.customers.get(customer_id)
        if customer is None:
            return Outcome.failed([_unknown_customer(("input", "customerId"), customer_id)])
        users, problems = await self._users_named(logins, ("input", "logins"))
        if problems:
            return Outcome.failed(problems)
        desired = [Link(login=u.login, customer_id=customer.customer_id) for u in users]
        return await self._replace(
            USER_CUSTOMERS,
            "customer_id",
            customer.customer_id,
            desired,
            customer,
            dry_run=dry_run,
            actor=actor,
        )

    async def set_user_groups(
        self, login: str, grants: Sequence[Grant], *, dry_run: bool, actor: int
    ) -> Outcome[CustomerUserRecord]:
        user = await self._user(login)
        if isinstance(user, Problem):
            return Outcome.failed([user])
        groups, problems = await self._groups_of(grants)
        problems += self._permission_problems(grants) + _duplicate_problems(grants, "groupId")
        if problems:
            return Outcome.failed(problems)
        desired = [
            Link(login=user.login, group_id=groups[g.target].id, permission=p)
            for g in grants
            for p in g.permissions
        ]
        return await self._replace(
            USER_GROUPS,
            "login",
            user.login,
            desired,
            user,
            dry_run=dry_run,
            actor=actor,
            group_paths=_group_paths(grants),
        )

    async def set_group_users(
        self, group_id: int, grants: Sequence[Grant], *, dry_run: bool, actor: int
    ) -> Outcome[GroupRecord]:
        group, problems = await self._target_group(group_id)
        if group is None:
            return Outcome.failed(problems)
        users, problems = await self._users_named(
            [str(g.target) for g in grants], ("input", "grants"), item_field="login"
        )
        problems += self._permission_problems(grants) + _duplicate_problems(grants, "login")
        if problems:
            return Outcome.failed(problems)
        by_login = {u.login.lower(): u for u in users}
        desired = [
            Link(login=by_login[str(g.target).lower()].login, group_id=group.id, permission=p)
            for g in grants
            for p in g.permissions
        ]
        return await self._replace(
            USER_GROUPS, "group_id", group.id, desired, group, dry_run=dry_run, actor=actor
        )

    async def set_customer_groups(
        self, customer_id: str, grants: Sequence[Grant], *, dry_run: bool, actor: int
    ) -> Outcome[CustomerRecord]:
        customer = await self.customers.get(customer_id)
        if customer is None:
            return Outcome.failed([_unknown_customer(("input", "customerId"), customer_id)])
        groups, problems = await self._groups_of(grants)
        problems += self._permission_problems(grants) + self._context_problems(grants)
        problems += _duplicate_problems(grants, "groupId")
        if problems:
            return Outcome.failed(problems)
        desired = [
            Link(
                customer_id=customer.customer_id,
                group_id=groups[g.target].id,
                permission=p,
                context=CONTEXT_VALUES[g.context],
            )
            for g in grants
            for p in g.permissions
        ]
        return await self._replace(
            CUSTOMER_GROUPS,
            "customer_id",
            customer.customer_id,
            desired,
            customer,
            dry_run=dry_run,
            actor=actor,
            group_paths=_group_paths(grants),
        )

    async def set_group_customers(
        self, group_id: int, grants: Sequence[Grant], *, dry_run: bool, actor: int
    ) -> Outcome[GroupRecord]:
        group, problems = await self._target_group(group_id)
        if group is None:
            return Outcome.failed(problems)
        found, problems = await self._customers_named(
            [str(g.target) for g in grants], ("input", "grants"), item_field="customerId"
        )
        problems += self._permission_problems(grants) + self._context_problems(grants)
        problems += _duplicate_problems(grants, "customerId")
        if problems:
            return Outcome.failed(problems)
        by_id = {c.customer_id.lower(): c for c in found}
        desired = [
            Link(
                customer_id=by_id[str(g.target).lower()].customer_id,
                group_id=group.id,
                permission=p,
                context=CONTEXT_VALUES[g.context],
            )
            for g in grants
            for p in g.permissions
        ]
        return await self._replace(
            CUSTOMER_GROUPS, "group_id", group.id, desired, group, dry_run=dry_run, actor=actor
        )

    # ---- helpers ---------------------------------------------------------------------------

    async def _replace(
        self,
        table: LinkTable,
        owner_field: str,
        owner: Any,
        desired: list[Link],
        record: T,
        *,
        dry_run: bool,
        actor: int,
        group_paths: Mapping[int, tuple[str, ...]] | None = None,
    ) -> Outcome[T]:
        """Make ``desired`` the set of rows of ``owner``: read the stored set, diff, and
        (unless a dry run) replace it, all in one transaction under the table's lock.

        Grants on invalid groups are never added (INACTIVE_GROUP at ``group_paths``, which
        also says which groups the input names), and on the user and customer side the stored
        grants of invalid groups the input does not name stay, as OTOBO's screens only show
        valid groups; a group's own set is replaced whole.
        """
        invalid = {g.id for g in await self.store.all() if g.validity is not Validity.VALID}
        async with (
            self._locks.setdefault(table.table.name, asyncio.Lock()),
            transaction(self.engine) as conn,
        ):
            await table.lock(conn)
            current = await self._reader(table, owner_field).links([owner], conn)
            if owner_field != "group_id":
                named = set(group_paths or {})
                desired = desired + [
                    link
                    for link in current
                    if link.group_id in invalid and link.group_id not in named
                ]
            changes = diff(current, desired)
            inactive = [
                Problem(
                    (group_paths or {}).get(gid, ("input", "groupId")),
                    ErrorCode.INACTIVE_GROUP,
                    f"Group {gid} is not valid; make it valid before granting it.",
                )
                for gid in sorted(
                    {
                        int(c.link.group_id)
                        for c in changes
                        if c.kind is ChangeKind.ADDED and c.link.group_id in invalid
                    }
                )
            ]
            if inactive:
                return Outcome.failed(inactive)
            if changes and not dry_run:
                unique = list({link.key(): link for link in desired}.values())
                await table.replace(conn, owner_field, owner, unique, actor=actor)
        return Outcome(record=record, changes=changes)

    async def _target_group(self, group_id: int) -> tuple[GroupRecord | None, list[Problem]]:
        group = (await self.store.get_many([group_id])).get(group_id)
        if group is None:
            return None, [_unknown_group(("input", "groupId"), group_id)]
        return group, []

    async def _user(self, login: str) -> CustomerUserRecord | Problem:
        """The user an assignment is for; with a backend down that might hold it, a refusal
        (BACKEND_UNAVAILABLE), never a false "no such user"."""
        try:
            user = await self.users.get(login, strict=True)
        except BackendUnavailable as exc:
            return unresolvable(("input", "login"), exc)
        return user if user is not None else _unknown_user(("input", "login"), login)

    async def _users_named(
        self, logins: Sequence[str], path: tuple[str, ...], *, item_field: str | None = None
    ) -> tuple[list[CustomerUserRecord], list[Problem]]:
        async def lookup(keys: Sequence[str]) -> dict[str, CustomerUserRecord]:
            return await self.users.get_many(keys, strict=True)

        try:
            return await _named(lookup, logins, path, item_field, _unknown_user)
        except BackendUnavailable as exc:
            return [], [unresolvable(path, exc)]

    async def _customers_named(
        self, customer_ids: Sequence[str], path: tuple[str, ...], *, item_field: str | None = None
    ) -> tuple[list[CustomerRecord], list[Problem]]:
        return await _named(
            self.customers.get_many, customer_ids, path, item_field, _unknown_customer
        )

    async def _groups_of(
        self, grants: Sequence[Grant]
    ) -> tuple[dict[Any, GroupRecord], list[Problem]]:
        if len(grants) > MAX_ITEMS:
            return {}, [_too_many(("input", "grants"))]
        found = await self.store.get_many([int(g.target) for g in grants])
        problems: list[Problem] = []
        for i, grant in enumerate(grants):
            path = ("input", "grants", str(i), "groupId")
            if int(grant.target) not in found:
                problems.append(_unknown_group(path, grant.target))
        return found, problems

    def _permission_problems(self, grants: Sequence[Grant]) -> list[Problem]:
        allowed = self.config.permission_types
        return [
            Problem(
                ("input", "grants", str(i), "permissions"),
                ErrorCode.UNKNOWN_PERMISSION,
                f"{permission!r} is not a permission type; configured: {', '.join(allowed)}.",
            )
            for i, grant in enumerate(grants)
            for permission in grant.permissions
            if permission not in allowed
        ]

    def _context_problems(self, grants: Sequence[Grant]) -> list[Problem]:
        return [
            Problem(
                ("input", "grants", str(i), "context"),
                ErrorCode.UNKNOWN_CONTEXT,
                f"The {grant.context} context is not configured (customer_group.contexts).",
            )
            for i, grant in enumerate(grants)
            if grant.context not in self.config.contexts
        ]


async def _named(
    lookup: Callable[[Sequence[str]], Awaitable[dict[str, R]]],
    keys: Sequence[str],
    path: tuple[str, ...],
    item_field: str | None,
    unknown: Callable[[tuple[str, ...], str], Problem],
) -> tuple[list[R], list[Problem]]:
    """The records ``keys`` name (case-insensitively, once each) and a problem per unknown key,
    at ``path`` + its index (+ ``item_field`` when the list holds objects)."""
    if len(keys) > MAX_ITEMS:
        return [], [_too_many(path)]
    found = await lookup(dedupe_folded(keys))
    problems = [
        unknown((*path, str(i), *([item_field] if item_field else [])), key)
        for i, key in enumerate(keys)
        if key.lower() not in found
    ]
    return list(found.values()), problems


_NOUNS = {"groupId": "Group", "login": "Customer user", "customerId": "Customer"}


def _duplicate_problems(grants: Sequence[Grant], item_field: str) -> list[Problem]:
    """One input naming the same group (login, customer: case-insensitively; for customers,
    in the same context) twice with different permissions is refused at the later entry: a
    silent union would grant what neither entry says. The same permissions twice is only a
    repetition and is accepted, as a replacement with the same set is idempotent."""
    return [
        Problem(
            ("input", "grants", str(index), item_field),
            ErrorCode.DUPLICATE,
            f"{_NOUNS[item_field]} {grants[index].target!r} is named again with other "
            f"permissions than at grants[{first}]; name it once, with every permission it is "
            "to have.",
        )
        for index, first in conflicting_duplicates(
            [(_folded(g.target), g.context) for g in grants], [g.permissions for g in grants]
        )
    ]


def _folded(target: Any) -> Any:
    return target.lower() if isinstance(target, str) else target


def _group_paths(grants: Sequence[Grant]) -> dict[int, tuple[str, ...]]:
    """Where each group of an input was named, for errors about it."""
    return {int(g.target): ("input", "grants", str(i), "groupId") for i, g in enumerate(grants)}


def _group_problems(values: Mapping[str, Any], *, creating: bool) -> list[Problem]:
    problems: list[Problem] = []
    if creating or "name" in values:
        name = values.get("name")
        if is_blank(name):
            problems.append(Problem(("input", "name"), ErrorCode.REQUIRED, "name is required."))
        else:
            problems += check_text(str(name), field=("input", "name"), max_length=200)
    comment = values.get("comment")
    if isinstance(comment, str):
        problems += check_text(comment, field=("input", "comment"), max_length=250, multiline=True)
    if "validity" in values and values["validity"] is None:
        problems.append(Problem(("input", "validity"), ErrorCode.REQUIRED, "validity is required."))
    return problems


def _name_taken(name: str) -> Problem:
    return Problem(("input", "name"), ErrorCode.NAME_TAKEN, f"A group named {name!r} exists.")


def _unknown_group(path: tuple[str, ...], group_id: object) -> Problem:
    return Problem(path, ErrorCode.UNKNOWN_GROUP, f"No group with ID {group_id}.")


def _unknown_user(path: tuple[str, ...], login: str) -> Problem:
    return Problem(path, ErrorCode.UNKNOWN_CUSTOMER_USER, f"No customer user {login!r}.")


def _unknown_customer(path: tuple[str, ...], customer_id: str) -> Problem:
    return Problem(path, ErrorCode.UNKNOWN_CUSTOMER, f"No customer with ID {customer_id!r}.")


def _too_many(path: tuple[str, ...]) -> Problem:
    return Problem(path, ErrorCode.TOO_LONG, f"At most {MAX_ITEMS} entries per assignment.")
