"""Who wrote what: Roster's ``roster_record_origin`` and the logins of OTOBO's agents (``users``).

OTOBO's ``create_by``/``change_by`` name an agent, so Roster writes its configured agent there
(``[database] agent_id``) and records the API key that acted here, one row per object
(``domain.origins.OriginKey``), in the transaction of the write itself. Writes are
update-then-insert, which every database Roster runs on does alike (no dialect's upsert).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.bulk_insert import insert_rows
from datasources.db.customer_users import SchemaMismatch, utcnow
from datasources.db.engine import fetch_all, read_only_view
from datasources.db.tables import roster_api_key, users
from datasources.db.tables import roster_record_origin as _O
from domain.origins import KeyRef, ObjectType, Origin, OriginKey

_CREATOR = roster_api_key.alias("creator")
_CHANGER = roster_api_key.alias("changer")


class DbOriginStore:
    """The origin records, and the agents ``create_by``/``change_by`` name."""

    def __init__(self, engine: AsyncEngine, agent_id: int) -> None:
        self.engine = engine
        self.reader = read_only_view(engine)
        self.agent_id = agent_id
        """The agent every Roster write puts in ``create_by``/``change_by``."""

    @classmethod
    async def open(cls, engine: AsyncEngine, agent_id: int) -> DbOriginStore:
        """The store, once the tables exist and ``agent_id`` is an agent: on an OTOBO database
        ``create_by``/``change_by`` are foreign keys to ``users``, so with an unknown agent
        every write would fail. Raises ``SchemaMismatch`` saying what to do."""

        def missing_tables(sync_conn: sa.Connection) -> list[str]:
            inspector = sa.inspect(sync_conn)
            return [t for t in (users.name, _O.name) if not inspector.has_table(t)]

        async with engine.connect() as conn:
            missing = await conn.run_sync(missing_tables)
            if missing:
                raise SchemaMismatch(
                    f"the database has no table(s) {', '.join(missing)}",
                    ["roster db upgrade --config <this config>"],
                )
            query = sa.select(users.c.login).where(users.c.id == agent_id)
            found = (await conn.execute(query)).first()
        if found is None:
            raise SchemaMismatch(
                f"database.agent_id: no agent with id {agent_id} in OTOBO's users table",
                ["set [database] agent_id to an agent's id: SELECT id, login FROM users;"],
            )
        return cls(engine, agent_id)

    # ---- inside a use case's transaction --------------------------------------------------

    async def record(
        self,
        conn: AsyncConnection,
        keys: Sequence[OriginKey],
        key_id: int,
        *,
        created: bool = False,
    ) -> None:
        """API key ``key_id`` changed (``created``: created) the objects ``keys``, now."""
        values: dict[str, Any] = {"changed_key_id": key_id, "changed_at": utcnow()}
        if created:
            values["created_key_id"] = key_id
        by_type: dict[ObjectType, set[str]] = {}
        for key in keys:
            by_type.setdefault(key.object_type, set()).add(key.object_key)
        for object_type, names in by_type.items():
            await _update_then_insert(conn, object_type, sorted(names), values)

    @staticmethod
    async def carry(conn: AsyncConnection, old: OriginKey, new: OriginKey) -> None:
        """A rename: the record of ``old`` becomes ``new``'s (a record ``new`` had, left by
        an object of that name OTOBO since deleted, goes)."""
        if old == new:
            return
        await conn.execute(sa.delete(_O).where(_matches(new)))
        await conn.execute(sa.update(_O).where(_matches(old)).values(object_key=new.object_key))

    # ---- reads ----------------------------------------------------------------------------

    async def get_many(self, keys: Sequence[OriginKey]) -> dict[OriginKey, Origin]:
        """The records of ``keys`` with the names of their keys, in one statement."""
        if not keys:
            return {}
        query = (
            sa.select(
                _O.c.object_type,
                _O.c.object_key,
                _O.c.created_key_id,
                _CREATOR.c.name.label("created_key_name"),
                _O.c.changed_key_id,
                _CHANGER.c.name.label("changed_key_name"),
                _O.c.changed_at,
            )
            .select_from(
                _O.outerjoin(_CREATOR, _CREATOR.c.id == _O.c.created_key_id).outerjoin(
                    _CHANGER, _CHANGER.c.id == _O.c.changed_key_id
                )
            )
            .where(
                _O.c.object_type.in_(sorted({k.object_type.value for k in keys})),
                _O.c.object_key.in_(sorted({k.object_key for k in keys})),
            )
        )
        wanted = set(keys)
        found: dict[OriginKey, Origin] = {}
        for row in await fetch_all(self.reader, query):
            key = OriginKey(ObjectType(row["object_type"]), row["object_key"])
            if key in wanted:
                found[key] = _origin(row)
        return found

    async def agent_logins(self, ids: Sequence[int]) -> dict[int, str]:
        """The logins of the agents ``ids`` (an unknown id is left out), in one statement."""
        if not ids:
            return {}
        query = sa.select(users.c.id, users.c.login).where(users.c.id.in_(sorted(set(ids))))
        return {int(row["id"]): row["login"] for row in await fetch_all(self.reader, query)}


async def _update_then_insert(
    conn: AsyncConnection,
    object_type: ObjectType,
    names: list[str],
    values: dict[str, Any],
    *,
    tries: int = 3,
) -> None:
    """Set ``values`` on the records of ``names``, inserting those that have none.

    Two transactions may both find no record of an object and insert it (two first changes
    of an object OTOBO created, through different tables). On PostgreSQL and MariaDB the
    insert runs in a savepoint: the loser's insert waits for the winner's commit, fails on
    the key, and is retried as an update. SQLite has one writer at a time, so its update
    already waits for the other's commit and sees the record."""
    where = sa.and_(_O.c.object_type == object_type.value, _O.c.object_key.in_(names))
    updated = (await conn.execute(sa.update(_O).where(where).values(values))).rowcount
    if updated == len(names):
        return
    if updated:
        have = {
            row.object_key for row in await conn.execute(sa.select(_O.c.object_key).where(where))
        }
        names = [name for name in names if name not in have]
    new = {"object_type": object_type.value, "created_key_id": None, **values}
    rows = [{"object_key": name} for name in names]
    if conn.dialect.name == "sqlite":
        await insert_rows(conn, _O, rows, new)
        return
    try:
        async with conn.begin_nested():
            await insert_rows(conn, _O, rows, new)  # PostgreSQL: one unnest() statement
    except sa.exc.IntegrityError:
        if tries == 1:
            raise
        await _update_then_insert(conn, object_type, names, values, tries=tries - 1)


def _matches(key: OriginKey) -> sa.ColumnElement[bool]:
    return sa.and_(_O.c.object_type == key.object_type.value, _O.c.object_key == key.object_key)


def _origin(row: sa.RowMapping) -> Origin:
    created = row["created_key_id"]
    return Origin(
        created_by=KeyRef(created, row["created_key_name"]) if created is not None else None,
        changed_by=KeyRef(row["changed_key_id"], row["changed_key_name"]),
        changed_at=row["changed_at"],
    )
