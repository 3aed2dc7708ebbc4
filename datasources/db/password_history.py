"""Roster's password history (``roster_password_history``): the salted hashes of a customer
user's current and last passwords, newest first (``domain.password_policy`` makes and checks
them; this module only stores them).

Rows name the user by login as the user's row spells it, so a rename carries them
(``tables.LOGIN_REFERENCES``). Writes join the transaction that sets the password.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.customer_users import utcnow
from datasources.db.tables import roster_password_history as _H


async def recent(engine: AsyncEngine, login: str, limit: int) -> list[str]:
    """The newest ``limit`` history hashes of ``login``, newest first."""
    if limit <= 0:
        return []
    statement = (
        sa.select(_H.c.password_hash)
        .where(_H.c.login == login)
        .order_by(_H.c.id.desc())
        .limit(limit)
    )
    async with engine.connect() as conn:
        return [str(row[0]) for row in await conn.execute(statement)]


async def record(
    conn: AsyncConnection, login: str, password_hash: str | None, *, keep: int, fresh: bool = False
) -> None:
    """Add ``password_hash`` (None: add nothing) as ``login``'s newest entry and drop all but
    the newest ``keep``; ``fresh`` (a new user) first drops what an earlier user of the same
    login left."""
    if fresh:
        await conn.execute(_H.delete().where(_H.c.login == login))
    if password_hash is not None and keep > 0:
        await conn.execute(
            _H.insert().values(login=login, password_hash=password_hash, created_at=utcnow())
        )
        if fresh:
            return  # the only entry
    older = sa.select(_H.c.id).where(_H.c.login == login).order_by(_H.c.id.desc()).offset(keep)
    if keep <= 0:
        older = sa.select(_H.c.id).where(_H.c.login == login)
    stale = [row[0] for row in await conn.execute(older)]
    if stale:
        await conn.execute(_H.delete().where(_H.c.id.in_(stale)))
