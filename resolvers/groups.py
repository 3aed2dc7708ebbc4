"""Reading groups, relationships and effective permissions (the writes are use cases:
``resolvers.use_cases.groups``, ``group_assignments``, ``customer_assignments``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from datasources.customer_user_directory import CustomerUserDirectory
from datasources.paging import Page, SortKey, keyset_page
from domain.group_rules import group_settings
from domain.pagination import Cursor
from domain.permissions import (
    RW,
    SAME_CONTEXT,
    EffectivePermission,
    GroupSettings,
    GroupTable,
    customer_ids,
    effective_permissions,
    split_customer_ids,
)
from domain.records import CustomerRecord, CustomerUserRecord, GroupRecord
from domain.validity import Validity
from resolvers.context import RequestContext
from resolvers.paging import page_arguments


async def group_by_name(ctx: RequestContext, name: str) -> GroupRecord | None:
    return await ctx.storage.groups.get_by_name(name)


async def groups(
    ctx: RequestContext, *, valid: bool | None, first: int, after: str | None
) -> Page[GroupRecord]:
    """A page of groups by name (``valid``: only VALID ones)."""
    store = ctx.storage.groups

    async def fetch(after_key: SortKey | None, limit: int) -> list[GroupRecord]:
        return await store.page(valid_only=bool(valid), after=after_key, limit=limit)

    cursor = page_arguments(first, after)
    return await keyset_page(fetch, lambda g: (g.name,), first=first, after=cursor)


async def group_count(ctx: RequestContext, *, valid: bool | None) -> int:
    return await ctx.storage.groups.count(valid_only=bool(valid))


def settings_of(ctx: RequestContext) -> GroupSettings:
    return group_settings(ctx.storage.config.customer_group)


def excludes_primary(users: CustomerUserDirectory, record: CustomerUserRecord) -> bool:
    """The user's backend leaves the primary CustomerID out of its CustomerIDs."""
    backend = users.backend(record.source)
    return bool(backend and backend.config.exclude_primary_customer_id)


async def user_customer_ids(ctx: RequestContext, record: CustomerUserRecord) -> list[str]:
    """OTOBO's ``CustomerIDs(User)``: multi-ID field, primary (unless excluded), assigned."""
    return (await users_customer_ids(ctx, [record]))[0]


async def users_customer_ids(
    ctx: RequestContext, records: Sequence[CustomerUserRecord]
) -> list[list[str]]:
    """``user_customer_ids`` of several users, through one ``load_many`` (a page of users
    completed at once: ``schema.flat_lists``)."""
    users = ctx.storage.customer_users
    assigned = await ctx.loaders.groups.assigned_customers.load_many([r.login for r in records])
    return [
        customer_ids(
            record.customer_id,
            [row.customer_id for row in rows],
            exclude_primary=excludes_primary(users, record),
            multi=split_customer_ids(record.values.get("UserCustomerIDs")),
        )
        for record, rows in zip(records, assigned, strict=True)
    ]


async def assigned_customers(
    ctx: RequestContext, record: CustomerUserRecord
) -> list[CustomerRecord]:
    return (await users_assigned_customers(ctx, [record]))[0]


async def users_assigned_customers(
    ctx: RequestContext, records: Sequence[CustomerUserRecord]
) -> list[list[CustomerRecord]]:
    """The assigned customers of several users (by customer ID): the relation rows of all of
    them with the customers they name, in one ``load_many`` (one statement)."""
    per_user = await ctx.loaders.assigned_customers.load_many([r.login for r in records])
    return [sorted(customers, key=lambda c: c.customer_id) for customers in per_user]


async def user_effective_permissions(
    ctx: RequestContext, record: CustomerUserRecord, *, also: Sequence[str] = ()
) -> list[EffectivePermission]:
    """The user's effective permissions with reasons; an invalid user has none (OTOBO drops
    invalid users from every permission check)."""
    return (await users_effective_permissions(ctx, [record], also=also))[0]


async def users_effective_permissions(
    ctx: RequestContext, records: Sequence[CustomerUserRecord], *, also: Sequence[str] = ()
) -> list[list[EffectivePermission]]:
    """``user_effective_permissions`` of several users: each relation read with one
    ``load_many`` for all of them (a page of users completed at once: ``schema.flat_lists``)."""
    valid = [r for r in records if r.validity is Validity.VALID]
    if not valid:
        return [[] for _ in records]
    loaders = ctx.loaders.groups
    ids_per_user, groups, grants_per_user = await asyncio.gather(
        users_customer_ids(ctx, valid),
        loaders.all_groups(),
        loaders.user_grants.load_many([r.login for r in valid]),
    )
    wanted = list(dict.fromkeys(i for ids in ids_per_user for i in ids))
    grants_of = dict(zip(wanted, await loaders.customer_grants.load_many(wanted), strict=True))
    settings = settings_of(ctx)
    table = GroupTable(groups)
    # Users of one company without direct grants of their own have the same inputs, so the
    # same answer: computed once per distinct (customer IDs, direct grants in their order;
    # the login in a grant row changes nothing) and shared (the
    # permissions are frozen; each user gets its own list).
    shared: dict[tuple[tuple[str, ...], tuple[tuple[int, str], ...]], list[EffectivePermission]]
    shared = {}
    held = {}
    for record, ids, user_grants in zip(valid, ids_per_user, grants_per_user, strict=True):
        key = (tuple(ids), tuple((g.group_id, g.permission) for g in user_grants))
        found = shared.get(key)
        if found is None:
            found = shared[key] = effective_permissions(
                settings,
                table,
                ids,
                user_grants,
                [row for customer_id in ids for row in grants_of[customer_id]],
                also=also,
            )
        held[id(record)] = list(found)
    return [held.get(id(record), []) for record in records]


async def group_members(
    ctx: RequestContext, group: GroupRecord, permission: str, *, first: int, after: str | None
) -> Page[tuple[CustomerUserRecord, EffectivePermission]]:
    """The valid customer users who effectively hold ``permission`` on ``group``, by login.

    When the group may reach everyone (group support off, an always-group, a company
    always-group) the candidates are the valid users, scanned page by page until a page of
    members is full; otherwise they come from the relation rows: direct grants, and the users
    (primary or assigned) of customers granted in the Same context. Each candidate's effective
    permissions decide, so a member shows the same reasons as on the user. An invalid group
    has no members.
    """
    cursor = page_arguments(first, after, ordering="login:asc")
    if group.validity is not Validity.VALID:
        return Page(items=[], has_next_page=False, has_previous_page=cursor is not None)
    held = _held_by(ctx, group, permission)
    if _may_reach_everyone(ctx, group):
        return await _scan_for_members(ctx, held, first=first, after=cursor)
    members = await _members_from_relations(ctx, group, permission, held)

    async def fetch(after_key: SortKey | None, limit: int) -> list[tuple[Any, Any]]:
        start = str(after_key[0]) if after_key else None
        return [m for m in members if start is None or m[0].login > start][:limit]

    return await keyset_page(
        fetch, lambda m: (m[0].login,), first=first, after=cursor, ordering="login:asc"
    )


async def _scan_for_members(
    ctx: RequestContext,
    held: Callable[[CustomerUserRecord], Awaitable[EffectivePermission | None]],
    *,
    first: int,
    after: Cursor | None,
) -> Page[tuple[CustomerUserRecord, EffectivePermission]]:
    """Walk the valid users in login order, keeping members, until ``first`` + 1 are found
    (the one more tells a next page exists) or the users run out."""
    collected: list[tuple[tuple[CustomerUserRecord, EffectivePermission], Cursor]] = []
    position = after
    while True:
        page = await ctx.loaders.valid_users_page.load((max(first, 1), position))
        found = await asyncio.gather(*(held(record) for record, _ in page.items))
        collected += [
            ((record, held_by), cursor)
            for (record, cursor), held_by in zip(page.items, found, strict=True)
            if held_by is not None
        ]
        if len(collected) > first or not page.has_next_page or not page.items:
            break
        position = page.items[-1][1]
    return Page(
        items=collected[:first],
        has_next_page=len(collected) > first or page.has_next_page,
        has_previous_page=after is not None,
    )


def _may_reach_everyone(ctx: RequestContext, group: GroupRecord) -> bool:
    """Group support off or an always-group: every valid user may be a member."""
    settings = settings_of(ctx)
    return (
        not settings.support
        or group.name in settings.always_groups
        or group.name in settings.company_always_groups
    )


async def _members_from_relations(
    ctx: RequestContext,
    group: GroupRecord,
    permission: str,
    held: Callable[[CustomerUserRecord], Awaitable[EffectivePermission | None]],
) -> list[tuple[CustomerUserRecord, EffectivePermission]]:
    logins = await _candidate_logins(ctx, group, permission)
    records = await ctx.loaders.customer_user.load_many(sorted(logins))
    candidates = sorted(
        (r for r in records if r is not None and r.validity is Validity.VALID),
        key=lambda r: r.login,
    )
    reasons = await asyncio.gather(*(held(record) for record in candidates))
    return [(r, f) for r, f in zip(candidates, reasons, strict=True) if f is not None]


async def group_member_count(ctx: RequestContext, group: GroupRecord, permission: str) -> int:
    """How many members ``group_members`` pages through."""
    if group.validity is not Validity.VALID:
        return 0
    held = _held_by(ctx, group, permission)
    if not _may_reach_everyone(ctx, group):
        return len(await _members_from_relations(ctx, group, permission, held))
    settings = settings_of(ctx)
    users = ctx.storage.customer_users
    everyone = not settings.support or group.name in settings.always_groups
    if everyone or not any(b.config.exclude_primary_customer_id for b in users.backends):
        # Every valid user is a member (the primary customer ID is required, so every user
        # has a customer ID unless a backend excludes it).
        return await ctx.loaders.valid_users_count.load(True)
    total, cursor = 0, None
    while True:
        page = await _scan_for_members(ctx, held, first=1000, after=cursor)
        total += len(page.items)
        if not page.has_next_page or not page.items:
            return total
        cursor = page.items[-1][1]


def _held_by(
    ctx: RequestContext, group: GroupRecord, permission: str
) -> Callable[[CustomerUserRecord], Awaitable[EffectivePermission | None]]:
    """A check: does a user effectively hold ``permission`` on ``group``, and why."""

    async def held(record: CustomerUserRecord) -> EffectivePermission | None:
        for found in await user_effective_permissions(ctx, record, also=(permission,)):
            if found.group.id == group.id and found.permission == permission:
                return found
        return None

    return held


async def _candidate_logins(ctx: RequestContext, group: GroupRecord, permission: str) -> set[str]:
    loaders = ctx.loaders.groups
    user_grants, customer_grants = await asyncio.gather(
        loaders.group_user_grants.load(group.id), loaders.group_customer_grants.load(group.id)
    )
    counts = {permission, RW}
    logins = {row.login for row in user_grants if row.permission in counts}
    customers = sorted(
        {
            row.customer_id
            for row in customer_grants
            if row.permission in counts and row.context == SAME_CONTEXT
        }
    )
    if customers:
        assigned, primary = await asyncio.gather(
            loaders.assigned_users.load_many(customers),
            loaders.primary_users.load_many([(customer_id, True) for customer_id in customers]),
        )
        logins |= {row.login for rows in assigned for row in rows}
        logins = logins.union(*primary)
    return logins


async def customer_users_of(
    ctx: RequestContext, customer: CustomerRecord, *, valid: bool, first: int, after: str | None
) -> Page[CustomerUserRecord]:
    """The users whose primary customer this is, or to whom it is assigned, by login."""
    cursor = page_arguments(first, after, ordering="login:asc")
    users = await _users_of_customer(ctx, customer, valid=valid)

    async def fetch(after_key: SortKey | None, limit: int) -> list[CustomerUserRecord]:
        start = str(after_key[0]) if after_key else None
        return [u for u in users if start is None or u.login > start][:limit]

    return await keyset_page(
        fetch, lambda u: (u.login,), first=first, after=cursor, ordering="login:asc"
    )


async def customer_user_count(ctx: RequestContext, customer: CustomerRecord, *, valid: bool) -> int:
    return len(await _users_of_customer(ctx, customer, valid=valid))


async def _users_of_customer(
    ctx: RequestContext, customer: CustomerRecord, *, valid: bool
) -> list[CustomerUserRecord]:
    primary, assigned = await asyncio.gather(
        ctx.loaders.groups.primary_users.load((customer.customer_id, valid)),
        ctx.loaders.groups.assigned_users.load(customer.customer_id),
    )
    assigned_logins = {row.login.lower() for row in assigned}
    logins = {login.lower() for login in primary} | assigned_logins
    records = await ctx.loaders.customer_user.load_many(sorted(logins))
    own_id = customer.customer_id.lower()
    return sorted(
        (
            r
            for r in records
            if r
            and (not valid or r.validity is Validity.VALID)
            # A login that two backends hold is the earlier backend's user: listed here
            # only if that user's own customer ID (or an assignment) is this customer.
            and ((r.customer_id or "").lower() == own_id or r.login.lower() in assigned_logins)
        ),
        key=lambda r: r.login,
    )
