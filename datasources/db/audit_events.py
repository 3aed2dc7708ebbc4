"""The audit trail in ``roster_audit_event``: written in the write's own transaction, in commit
order; read as pages, per-object histories and the changes feed.

**Writing.** A use case notes its events on the transaction's connection (:func:`note`); the
one transaction every write runs in (``datasources.unit_of_work.transaction``) opens the
buffer when it begins and, just before it commits, hands the events to :func:`flush`, which
takes the next positions from ``roster_audit_position``'s one row and inserts them. The row's
lock (an ``UPDATE``) is held to the commit, so a transaction that takes positions waits until
the one before it has committed: positions follow commit order on every database (PostgreSQL
and MariaDB by the row lock, SQLite by its single writer), whichever server process wrote.
(On SQLite a write of one event takes its position from the events themselves, in one
statement, without the ``UPDATE``: :data:`_INSERT_ONE_SQLITE`.)
A reader that has seen position N has therefore seen every event before N, which is what the
changes feed's cursor relies on. The lock is held only for the commit itself (it is taken last),
and a transaction that noted nothing (a dry run, a refused write) takes nothing.

**Retention.** Events are only appended; ``roster audit prune`` deletes those older than
``[audit] retention_days`` (:meth:`DbAuditEventStore.prune`, a prefix of positions) and
remembers the last position it deleted, so a changes-feed cursor before it is told to resync.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.bulk_insert import insert_columns
from datasources.db.customer_users import utcnow
from datasources.db.engine import fetch_all, read_only_view
from datasources.db.tables import roster_audit_event as _E
from datasources.db.tables import roster_audit_position as _P
from domain.audit import (
    Action,
    AuditActor,
    AuditEvent,
    StoredEvent,
    changes_from_json,
)
from domain.origins import ObjectType, OriginKey

_PENDING: weakref.WeakKeyDictionary[AsyncConnection, list[tuple[AuditActor, AuditEvent]]] = (
    weakref.WeakKeyDictionary()
)
"""The events noted per open transaction, by its connection object: not in ``conn.info``,
which is the pooled DBAPI connection's (it outlives the checkout) and which an invalidated
connection refuses to hand out (``PendingRollbackError`` after a lost connection)."""
"""The key of a transaction's noted events in its connection's ``info``."""

_NAME_LENGTH = 250


_ADVANCE = (
    sa.update(_P)
    .where(_P.c.id == 1)
    .values(last_position=_P.c.last_position + sa.bindparam("n", type_=sa.BigInteger()))
)
_ADVANCE_RETURNING = _ADVANCE.returning(_P.c.last_position)
_LAST = sa.select(_P.c.last_position).where(_P.c.id == 1)
_INSERT = sa.insert(_E)
_NEXT_ONE = (
    sa.update(_P)
    .where(_P.c.id == 1)
    .values(last_position=_P.c.last_position + 1)
    .returning(_P.c.last_position)
    .cte("next_position")
)
_VALUE_COLUMNS = [c for c in _E.c if c.name != "id"]
_INSERT_ONE_PG = (
    sa.insert(_E)
    .returning(_E.c.id)
    .from_select(
        ["id", *(c.name for c in _VALUE_COLUMNS)],
        sa.select(
            _NEXT_ONE.c.last_position,
            *(sa.bindparam(c.name, type_=c.type) for c in _VALUE_COLUMNS),
        ),
    )
)
"""PostgreSQL: the position taken and the one event inserted in one statement (a data-
modifying CTE); the UPDATE's row lock is held to the commit all the same. (The statements
here are built once: a write pays for executing them, not for building them.)"""

_MAX_EVENT = sa.select(sa.func.coalesce(sa.func.max(_E.c.id), 0)).scalar_subquery()
_LAST_HANDED_OUT = sa.case((_P.c.last_position < _MAX_EVENT, _MAX_EVENT), else_=_P.c.last_position)
"""The last position handed out: ``last_position``, or the last event's when that is higher.
On PostgreSQL and MariaDB ``last_position`` is advanced with every write, so it is the first;
on SQLite a write of one event does not advance it (below), so it can be the second."""

_INSERT_ONE_SQLITE = (
    sa.insert(_E)
    .returning(_E.c.id)
    .from_select(
        ["id", *(c.name for c in _VALUE_COLUMNS)],
        sa.select(
            _LAST_HANDED_OUT + 1,
            *(sa.bindparam(c.name, type_=c.type) for c in _VALUE_COLUMNS),
        ).where(_P.c.id == 1),
    )
)
"""SQLite: one statement for one event, with no UPDATE of ``roster_audit_position``: the next
position is one past the last handed out (:data:`_LAST_HANDED_OUT`, the event table's primary
key gives its maximum at once). SQLite has one writer at a time, and this write holds the
database's write lock to its commit, so positions follow commit order as the row lock makes
them elsewhere; pruning raises ``last_position`` to what it deletes, so a position is never
handed out twice. Two statements through aiosqlite's thread (the UPDATE, then the INSERT)
were +19.8 % of ``customerUserUpdate``'s latency (``bench/audit_cost.py --db sqlite``)."""
_ADVANCE_SQLITE = (
    sa.update(_P)
    .where(_P.c.id == 1)
    .values(last_position=_LAST_HANDED_OUT + sa.bindparam("n", type_=sa.BigInteger()))
    .returning(_P.c.last_position)
)


def open_buffer(conn: AsyncConnection) -> None:
    """A transaction began on ``conn``: events may be noted until it ends."""
    _PENDING[conn] = []


def take_buffer(conn: AsyncConnection) -> list[tuple[AuditActor, AuditEvent]]:
    """The events noted on ``conn`` (and none from now on): at the commit, or a rollback."""
    pending: list[tuple[AuditActor, AuditEvent]] = _PENDING.pop(conn, [])
    return pending


def note(conn: AsyncConnection, actor: AuditActor, events: Sequence[AuditEvent]) -> None:
    """Add ``events`` by ``actor`` to the transaction on ``conn``; they are written at its
    commit (:func:`flush`) and dropped with a rollback. Refuses a connection outside
    ``unit_of_work.transaction``: an event written nowhere would be a lost audit record."""
    pending = _PENDING.get(conn)
    if pending is None:
        raise RuntimeError("audit events are noted only inside unit_of_work.transaction")
    pending.extend((actor, event) for event in events)


async def flush(
    conn: AsyncConnection, pending: Sequence[tuple[AuditActor, AuditEvent]]
) -> list[tuple[int, AuditEvent]]:
    """Insert ``pending`` with the next positions, taken under ``roster_audit_position``'s
    row lock, which this transaction holds until it commits (see the module's docstring).
    Returns the events with their positions (live updates carry them as feed cursors)."""
    if not pending:
        return []
    now = utcnow()
    dialect = conn.dialect.name
    if len(pending) == 1 and dialect in ("postgresql", "sqlite"):
        # Most writes change one object: take the position and insert in one round trip.
        row = _row(0, *pending[0])
        del row["id"]
        row["occurred_at"] = now
        one = _INSERT_ONE_PG if dialect == "postgresql" else _INSERT_ONE_SQLITE
        position = (await conn.execute(one, row)).scalar_one()
        return [(int(position), pending[0][1])]
    count = {"n": len(pending)}
    if dialect == "sqlite":
        last = (await conn.execute(_ADVANCE_SQLITE, count)).scalar_one()
    elif conn.dialect.update_returning:
        last = (await conn.execute(_ADVANCE_RETURNING, count)).scalar_one()
    else:  # MariaDB/MySQL: the row stays locked by the UPDATE; the SELECT reads our own write
        await conn.execute(_ADVANCE, count)
        last = (await conn.execute(_LAST)).scalar_one()
    first = int(last) - len(pending) + 1
    # A bulk import's batch notes thousands: on PostgreSQL one unnest() statement for them all.
    await insert_columns(conn, _E, _columns(first, pending), {"occurred_at": now})
    return [(position, event) for position, (_, event) in enumerate(pending, start=first)]


def _columns(first: int, pending: Sequence[tuple[AuditActor, AuditEvent]]) -> dict[str, list[Any]]:
    """:func:`_row` for many events, column by column (no dict per event)."""
    actors = [actor for actor, _ in pending]
    events = [event for _, event in pending]
    return {
        "id": list(range(first, first + len(pending))),
        "actor_key_id": [a.key_id for a in actors],
        "actor_key_name": [a.key_name[:100] for a in actors],
        "actor_session_id": [a.session_id for a in actors],
        "actor_login": [a.customer_login for a in actors],
        # ``_value_``, not ``value``: the latter is a descriptor call (Python code) on 3.11.
        "object_type": [e.object.object_type._value_ for e in events],
        "object_key": [e.object.object_key for e in events],
        "object_name": [e.name[:_NAME_LENGTH] for e in events],
        "action": [e.action._value_ for e in events],
        "changes": [e.changes_json() for e in events],
    }


def _row(position: int, actor: AuditActor, event: AuditEvent) -> dict[str, Any]:
    return {
        "id": position,
        "actor_key_id": actor.key_id,
        "actor_key_name": actor.key_name[:100],
        "actor_session_id": actor.session_id,
        "actor_login": actor.customer_login,
        "object_type": event.object.object_type.value,
        "object_key": event.object.object_key,
        "object_name": event.name[:_NAME_LENGTH],
        "action": event.action.value,
        "changes": event.changes_json(),
    }


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events a page holds (every given condition holds)."""

    objects: Sequence[OriginKey] = ()
    actor_name: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    types: Sequence[ObjectType] = ()
    without_actions: frozenset[Action] = frozenset()


@dataclass(frozen=True, slots=True)
class FeedBounds:
    last_position: int
    pruned_through: int


class DbAuditEventStore:
    """Reads of the trail, and the pruning ``roster audit prune`` runs."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.reader = read_only_view(engine)

    async def page(self, where: EventFilter, after: int | None, limit: int) -> list[StoredEvent]:
        """Up to ``limit`` events after position ``after``, in position (commit) order."""
        query = sa.select(_E).where(*_conditions(where))
        if after is not None:
            query = query.where(_E.c.id > after)
        query = query.order_by(_E.c.id).limit(limit)
        return [_stored(row) for row in await fetch_all(self.reader, query)]

    async def count(self, where: EventFilter) -> int:
        query = sa.select(sa.func.count()).select_from(_E).where(*_conditions(where))
        async with self.reader.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def histories(
        self, keys: Sequence[OriginKey], after: int | None, limit: int
    ) -> dict[OriginKey, list[StoredEvent]]:
        """Each object's first ``limit`` events after position ``after``, for every object
        of ``keys``, in one statement (a window over the object index)."""
        if not keys:
            return {}
        numbered = (
            sa.select(
                _E,
                sa.func.row_number()
                .over(partition_by=(_E.c.object_type, _E.c.object_key), order_by=_E.c.id)
                .label("n"),
            )
            .where(_objects(keys))
            .where(_E.c.id > (after or 0))
            .subquery()
        )
        query = (
            sa.select(numbered)
            .where(numbered.c.n <= limit)
            .order_by(numbered.c.object_type, numbered.c.object_key, numbered.c.id)
        )
        found: dict[OriginKey, list[StoredEvent]] = {key: [] for key in keys}
        for row in await fetch_all(self.reader, query):
            stored = _stored(row)
            if stored.event.object in found:
                found[stored.event.object].append(stored)
        return found

    async def history_counts(self, keys: Sequence[OriginKey]) -> dict[OriginKey, int]:
        """How many events each object of ``keys`` has, in one statement."""
        if not keys:
            return {}
        query = (
            sa.select(_E.c.object_type, _E.c.object_key, sa.func.count().label("n"))
            .where(_objects(keys))
            .group_by(_E.c.object_type, _E.c.object_key)
        )
        rows = await fetch_all(self.reader, query)
        counts = {
            OriginKey(ObjectType(r["object_type"]), r["object_key"]): int(r["n"]) for r in rows
        }
        return {key: counts.get(key, 0) for key in keys}

    async def bounds(self) -> FeedBounds:
        """The last position handed out and the last one pruned."""
        query = sa.select(_LAST_HANDED_OUT.label("last_position"), _P.c.pruned_through).where(
            _P.c.id == 1
        )
        rows = await fetch_all(self.reader, query)
        if not rows:
            return FeedBounds(0, 0)
        return FeedBounds(int(rows[0]["last_position"]), int(rows[0]["pruned_through"]))

    async def count_older(self, older_than: datetime) -> int:
        """How many events :meth:`prune` would delete (at most: it deletes a prefix)."""
        async with self.engine.connect() as conn:
            horizon = await self._horizon(conn, older_than)
            if horizon is None:
                return 0
            query = sa.select(sa.func.count()).select_from(_E).where(_E.c.id <= horizon)
            return int((await conn.execute(query)).scalar_one())

    @staticmethod
    async def _horizon(conn: AsyncConnection, older_than: datetime) -> int | None:
        """The last position of an event older than ``older_than``."""
        query = sa.select(sa.func.max(_E.c.id)).where(_E.c.occurred_at < older_than)
        found = (await conn.execute(query)).scalar_one()
        return None if found is None else int(found)

    async def prune(self, older_than: datetime, *, batch: int = 10_000) -> int:
        """Delete the events that occurred before ``older_than``: the positions up to the
        last such event's, so what remains is every position after a point (a cursor before
        it must resync). In batches, each its own transaction; returns how many went."""
        async with self.engine.connect() as conn:
            horizon = await self._horizon(conn, older_than)
            await conn.rollback()
        if horizon is None:
            return 0
        deleted = 0
        while True:
            async with self.engine.begin() as conn:
                ids = (
                    (
                        await conn.execute(
                            sa.select(_E.c.id)
                            .where(_E.c.id <= horizon)
                            .order_by(_E.c.id)
                            .limit(batch)
                        )
                    )
                    .scalars()
                    .all()
                )
                if ids:
                    await conn.execute(sa.delete(_E).where(_E.c.id.in_(ids)))
                    deleted += len(ids)
                # The last position handed out stays in the row when its event goes (on
                # SQLite it is read from the events otherwise: _LAST_HANDED_OUT).
                await conn.execute(
                    sa.update(_P)
                    .where(_P.c.id == 1)
                    .values(
                        pruned_through=_at_least(_P.c.pruned_through, horizon),
                        last_position=_at_least(_P.c.last_position, horizon),
                    )
                )
            if len(ids) < batch:
                return deleted


def _at_least(column: sa.Column[int], value: int) -> sa.ColumnElement[int]:
    bound = sa.literal(value, sa.BigInteger())
    return sa.case((column < bound, bound), else_=column)


def _objects(keys: Sequence[OriginKey]) -> sa.ColumnElement[bool]:
    by_type: dict[ObjectType, set[str]] = {}
    for key in keys:
        by_type.setdefault(key.object_type, set()).add(key.object_key)
    return sa.or_(
        *(
            sa.and_(_E.c.object_type == t.value, _E.c.object_key.in_(sorted(names)))
            for t, names in by_type.items()
        )
    )


def _conditions(where: EventFilter) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if where.objects:
        conditions.append(_objects(where.objects))
    if where.actor_name is not None:
        conditions.append(_E.c.actor_key_name == where.actor_name)
    if where.since is not None:
        conditions.append(_E.c.occurred_at >= where.since)
    if where.until is not None:
        conditions.append(_E.c.occurred_at < where.until)
    if where.types:
        conditions.append(_E.c.object_type.in_(sorted(t.value for t in where.types)))
    if where.without_actions:
        conditions.append(_E.c.action.not_in(sorted(a.value for a in where.without_actions)))
    return conditions


def _stored(row: sa.RowMapping) -> StoredEvent:
    fields, sets = changes_from_json(row["changes"])
    return StoredEvent(
        position=int(row["id"]),
        occurred_at=row["occurred_at"],
        actor=AuditActor(
            row["actor_key_id"], row["actor_key_name"], row["actor_session_id"], row["actor_login"]
        ),
        event=AuditEvent(
            OriginKey(ObjectType(row["object_type"]), row["object_key"]),
            row["object_name"],
            Action(row["action"]),
            fields,
            sets,
        ),
    )
