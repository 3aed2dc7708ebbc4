"""Group writes: create, and update (a patch).

A group's name is required and unique case-insensitively (OTOBO's GroupAdd lets the database
refuse a duplicate; here the caller gets ``NAME_TAKEN``); every text is checked first
(``domain.group_rules``), and the row is written in one transaction, or nothing is.
Deactivating a group (validity INVALID) keeps its grants stored; they count for nothing while
it is invalid (``domain.permissions``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.db.collation_check import taken_by_collation_twin
from datasources.db.tables import groups_table
from datasources.storage import Storage
from datasources.unit_of_work import Outcome, transaction
from domain.audit import Action, event, given
from domain.changes import differs
from domain.errors import ErrorCode, Problem, ProblemsFound
from domain.group_rules import (
    GROUP_ID,
    NAME,
    GroupChanges,
    name_taken,
    unknown_group,
    validate_group,
)
from domain.origins import OriginKey
from domain.records import GroupRecord
from resolvers.context import Actor
from resolvers.use_cases import audit_trail

FIELDS = ("name", "comment", "validity")


async def create(storage: Storage, actor: Actor, change: GroupChanges) -> Outcome[GroupRecord]:
    """A new group from ``change``; its name is required and unique."""
    change = change.trimmed()
    problems = validate_group(change, creating=True, three_byte=storage.groups.three_byte)
    if problems:
        return Outcome.failed(problems)

    async def insert(conn: AsyncConnection) -> int:
        group_id = await storage.groups.insert(conn, change, agent=storage.origins.agent_id)
        key = OriginKey.group(group_id)
        await storage.origins.record(conn, [key], actor.id, created=True)
        created = event(key, str(group_id), Action.CREATED, None, given(change, FIELDS))
        audit_trail.record(conn, actor, [created])
        return group_id

    return await _write(storage, change, None, insert, old_name=None)


async def update(
    storage: Storage, actor: Actor, group_id: int, change: GroupChanges
) -> Outcome[GroupRecord]:
    """Patch group ``group_id`` with the given fields of ``change``: those that differ from
    the stored group's are written; with none, the update is a no-op (nothing written, no
    event, no live update, the group as it is)."""
    old = (await storage.groups.get_many([group_id])).get(group_id)
    if old is None:
        return Outcome.failed([unknown_group(GROUP_ID, group_id)])
    change = change.trimmed()
    problems = validate_group(change, creating=False, three_byte=storage.groups.three_byte)
    if problems:
        return Outcome.failed(problems)
    changing = {f: v for f, v in given(change, FIELDS).items() if differs(getattr(old, f), v)}
    if not changing:
        return Outcome(record=old, unchanged=True)
    change = GroupChanges(**changing)

    async def patch(conn: AsyncConnection) -> int:
        await storage.groups.update(conn, group_id, change, agent=storage.origins.agent_id)
        key = OriginKey.group(group_id)
        await storage.origins.record(conn, [key], actor.id)
        before = {f: getattr(old, f) for f in FIELDS}
        changed = event(key, str(group_id), Action.UPDATED, before, given(change, FIELDS))
        audit_trail.record(conn, actor, [changed])
        return group_id

    return await _write(storage, change, group_id, patch, old_name=old.name)


async def _write(
    storage: Storage,
    change: GroupChanges,
    group_id: int | None,
    write: Callable[[AsyncConnection], Awaitable[int]],
    *,
    old_name: str | None,
) -> Outcome[GroupRecord]:
    """In one transaction: refuse a name another group has (case-insensitively), then
    ``write``; the group as stored afterwards."""
    store = storage.groups
    name = change.name if isinstance(change.name, str) else None
    try:
        async with transaction(store.engine, store.input_fields) as conn:
            held = await store.name_holder(conn, name, except_id=group_id) if name else None
            if name and held is not None:
                raise ProblemsFound([name_taken(name, held)])
            written = await write(conn)
    except ProblemsFound as exc:
        return Outcome.failed(exc.problems)
    except sa.exc.IntegrityError:  # a concurrent create took the name after the check
        return Outcome.failed([await _conflict(storage, str(name), old_name)])
    return Outcome(record=(await store.get_many([written]))[written])


async def _conflict(storage: Storage, name: str, old_name: str | None) -> Problem:
    """The unique name index refused ``name`` although no other group's name is equal but
    for case (checked in the transaction): a concurrent create took it, or the database's
    collation counts it as a stored name (OTOBO's ``utf8mb4_unicode_ci`` on MariaDB/MySQL
    ignores accents and tells no two emoji apart), which the message then names."""
    column = groups_table.c.name
    message = await taken_by_collation_twin(
        storage.groups.engine, column, name, subject="Group name", except_value=old_name
    )
    return name_taken(name) if message is None else Problem(NAME, ErrorCode.NAME_TAKEN, message)
