"""Creating and changing a service, with the hierarchy carried along.

The hierarchy lives in the full name (``Parent::Child``), so a new short name or a new parent
renames the service and every service below it, in one transaction. Where OTOBO is silent or
lenient we are strict: an unknown parent is an error (OTOBO silently makes the service
top-level), and a move that would push a descendant past 191 characters is refused before
anything is written (OTOBO's database would fail half-way).

Every write here and in ``service_assignments`` runs under :func:`writing`: one transaction
holding the services' write lock, so the reads a write decides on (is the name free, what is
the parent called, what is the current set) cannot change under it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.db.collation_check import ColumnFields, taken_by_collation_twin
from datasources.db.tables import service
from datasources.storage import Storage
from datasources.unit_of_work import NothingChanged, Outcome, transaction
from domain.audit import Action, event
from domain.changes import UNSET, differs, is_given
from domain.errors import ErrorCode, Problem, ProblemsFound
from domain.origins import OriginKey
from domain.services import (
    ServiceChanges,
    ServiceRecord,
    full_name,
    full_name_problem,
    is_within,
    listed,
    rebase,
    unknown_service,
    validate_service,
)
from domain.validity import Validity
from resolvers.context import Actor
from resolvers.use_cases import audit_trail

NAME = ("name",)
PARENT = ("parent",)
SERVICE_ID = ("service_id",)


@asynccontextmanager
async def writing(
    storage: Storage, fields: ColumnFields | None = None
) -> AsyncIterator[AsyncConnection]:
    """A transaction that holds the services' write lock (see ``DbServiceStore.lock``);
    ``fields``: as :func:`~datasources.unit_of_work.transaction`'s."""
    async with transaction(storage.engine, fields) as conn:
        await storage.services.lock(conn)
        yield conn


async def create(storage: Storage, actor: Actor, change: ServiceChanges) -> Outcome[ServiceRecord]:
    """A new service below ``change.parent_id`` (or at the top level)."""
    change = change.cleaned()
    parent_id = change.parent_id if is_given(change.parent_id) else None
    validity = change.validity if isinstance(change.validity, Validity) else Validity.VALID
    checked = _Checked()

    async def write(conn: AsyncConnection) -> int:
        parent = await _parent(storage, conn, parent_id)
        name = full_name(parent.name if parent else None, str(change.name))
        await _check_names(storage, conn, {None: name}, field=NAME, own=[], checked=checked)
        service_id = await storage.services.insert(
            conn,
            name=name,
            validity=validity,
            comment=change.comment if is_given(change.comment) else None,
            agent=storage.origins.agent_id,
        )
        key = OriginKey.service(service_id)
        await storage.origins.record(conn, [key], actor.id, created=True)
        values = {"name": name, "comment": change.comment, "validity": validity}
        created = event(key, str(service_id), Action.CREATED, None, given_values(values))
        audit_trail.record(conn, actor, [created])
        return service_id

    return await _checked_write(storage, change, write, checked, creating=True)


async def update(
    storage: Storage, actor: Actor, service_id: int, change: ServiceChanges
) -> Outcome[ServiceRecord]:
    """A patch of the given fields; a new name or parent renames the whole subtree. A patch
    that changes nothing (the same name and parent, comment and validity as stored) is a
    no-op: nothing written, no event, no live update, the service as it is."""
    change = change.cleaned()
    checked = _Checked()

    async def write(conn: AsyncConnection) -> int:
        old = await storage.services.get(service_id, conn)
        if old is None:
            raise ProblemsFound([unknown_service(service_id, SERVICE_ID)])
        name = await _new_name(storage, conn, old, change)
        values = {"name": name, "comment": change.comment, "validity": change.validity}
        before = {"name": old.name, "comment": old.comment, "validity": old.validity}
        if not any(differs(before[k], v) for k, v in given_values(values).items()):
            raise NothingChanged  # decided under the services' lock, before any write
        moved = await _rename(storage, conn, old, name, change, checked) if name != old.name else {}
        await storage.services.update(
            conn,
            old.id,
            name=name,
            comment=change.comment,
            validity=change.validity if change.validity is not None else UNSET,
            agent=storage.origins.agent_id,
        )
        key = OriginKey.service(old.id)
        await storage.origins.record(conn, [key], actor.id)
        events = [event(key, str(old.id), Action.UPDATED, before, given_values(values))]
        # The services below are renamed, and only renamed (as OTOBO's ServiceUpdate: their
        # change_* and origin stay); each rename is an event of its own in the feed.
        events += [
            event(OriginKey.service(i), str(i), Action.UPDATED, {"name": n}, {"name": new_name})
            for i, n in moved.items()
            if (new_name := rebase(n, old.name, name)) != n
        ]
        audit_trail.record(conn, actor, events)
        return old.id

    try:
        return await _checked_write(storage, change, write, checked, creating=False)
    except NothingChanged:
        return Outcome(record=await storage.services.get(service_id), unchanged=True)


def given_values(values: Mapping[str, object]) -> dict[str, object]:
    """The values that were given (not ``UNSET``)."""
    return {name: value for name, value in values.items() if is_given(value)}


async def _checked_write(
    storage: Storage,
    change: ServiceChanges,
    write: Callable[[AsyncConnection], Awaitable[int]],
    checked: _Checked,
    *,
    creating: bool,
) -> Outcome[ServiceRecord]:
    """Validate the (cleaned) ``change``, then run ``write`` under :func:`writing`: the
    service it wrote (its id returned) as now stored, or the problems, nothing written. The
    ``validity`` ``None`` of a patch never reaches ``write``: it is refused here."""
    problems = validate_service(change, creating=creating, three_byte=storage.services.three_byte)
    if problems:
        return Outcome.failed(problems)
    try:
        async with writing(storage, storage.services.input_fields) as conn:
            service_id = await write(conn)
    except ProblemsFound as exc:
        return Outcome.failed(exc.problems)
    except sa.exc.IntegrityError:
        return Outcome.failed(await _conflict(storage, checked))
    return Outcome(record=await storage.services.get(service_id))


async def _parent(
    storage: Storage, conn: AsyncConnection, parent_id: int | None
) -> ServiceRecord | None:
    """The parent named by id, which must exist (``None``: the top level)."""
    if parent_id is None:
        return None
    parent = await storage.services.get(parent_id, conn)
    if parent is None:
        raise ProblemsFound([unknown_service(parent_id, PARENT, ErrorCode.UNKNOWN_SERVICE)])
    return parent


async def _new_name(
    storage: Storage, conn: AsyncConnection, old: ServiceRecord, change: ServiceChanges
) -> str:
    """The full name after a patch: a new short name, a new parent, or both."""
    parent_name = old.parent_name
    if is_given(change.parent_id):
        parent = await _parent(storage, conn, change.parent_id)
        if parent is not None and is_within(parent.name, old.name):
            raise ProblemsFound(
                [
                    Problem(
                        PARENT,
                        ErrorCode.CYCLE,
                        f"{parent.name!r} is {old.name!r} itself or below it; a service "
                        "cannot move under itself.",
                    )
                ]
            )
        parent_name = parent.name if parent else None
    short = change.name if isinstance(change.name, str) else old.name_short
    return full_name(parent_name, short)


async def _rename(
    storage: Storage,
    conn: AsyncConnection,
    old: ServiceRecord,
    name: str,
    change: ServiceChanges,
    checked: _Checked,
) -> dict[int, str]:
    """Rename ``old`` and carry every descendant along, after checking all new names; the
    descendants renamed (id → old full name). A problem is reported on the name when the
    name changed (or no parent was given), else on the parent that moved it."""
    below = await storage.services.subtree(conn, old.name)
    names: dict[int | None, str] = {old.id: name}
    names.update({i: rebase(n, old.name, name) for i, n in below.items()})
    renamed = is_given(change.name) and change.name != old.name_short
    field = NAME if renamed or not is_given(change.parent_id) else PARENT
    olds = {old.id: old.name, **below}
    await _check_names(storage, conn, names, field=field, own=[old.id, *below], checked=checked)
    checked.olds.update({names[i]: n for i, n in olds.items()})
    await storage.services.rename_subtree(conn, old.name, name)
    return dict(below)


async def _check_names(
    storage: Storage,
    conn: AsyncConnection,
    names: Mapping[int | None, str],
    *,
    field: tuple[str, ...],
    own: Sequence[int],
    checked: _Checked,
) -> None:
    """Every full name fits and is free (case-insensitively), or ProblemsFound. ``names``
    maps a service id (None: the one being created) to the full name it would get; they are
    noted in ``checked``, for :func:`_conflict`."""
    checked.field = field
    checked.olds.update(dict.fromkeys(names.values()))
    root = next(iter(names.values()))
    for name in names.values():
        subject = "the service" if name == root else f"descendant {name!r}"
        problem = full_name_problem(name, field=field, subject=subject)
        if problem:
            raise ProblemsFound([problem])
    taken = await storage.services.names_in_use(conn, list(names.values()), except_ids=own)
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


@dataclasses.dataclass
class _Checked:
    """The full names a write checked (each with the service's old full name, None for a new
    one) and where a problem with them is reported."""

    field: tuple[str, ...] = NAME
    olds: dict[str, str | None] = dataclasses.field(default_factory=dict)


async def _conflict(storage: Storage, checked: _Checked) -> list[Problem]:
    """The unique name index fired although no stored name is equal but for case (the check
    runs under the services' write lock): the database's collation counts a new name as a
    stored one (OTOBO's ``utf8mb4_unicode_ci`` on MariaDB/MySQL ignores accents and tells no
    two emoji apart), which the message names."""
    column = service.c.name
    for name, old in checked.olds.items():
        message = await taken_by_collation_twin(
            storage.engine, column, name, subject="Service name", except_value=old
        )
        if message is not None:
            return [Problem(checked.field, ErrorCode.NAME_TAKEN, message)]
    return [
        Problem(
            checked.field,
            ErrorCode.NAME_TAKEN,
            "The database's unique index counts this name as the same as a stored service's.",
        )
    ]
