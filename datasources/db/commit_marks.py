"""Lost commits on MariaDB/MySQL: each write transaction leaves a mark in ``roster_commit``
(its connection's row), so a COMMIT whose answer was lost can be looked up, as PostgreSQL's
``txid_status`` does there (``datasources.db.engine.commit_outcome``)."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.tables import roster_commit

# ---- lost commits ----------------------------------------------------------------------------

OLD_COMMIT_MARKS = (
    "SELECT connection_id FROM roster_commit WHERE written_at < UTC_TIMESTAMP() - INTERVAL 1 DAY"
)
"""A mark is kept a day: a lost commit is looked up within seconds."""


def forget_old_commit_marks(cursor: Any) -> None:
    """Delete the marks of connections that have not written for a day (on each new
    connection; a database not yet migrated has no table, which is fine here). They are found
    by a plain read first, which waits for nothing, and then deleted by key: a ``DELETE … WHERE
    written_at < …`` would wait for every transaction in flight that has written its mark
    (their rows are new and locked), and so would the connection being opened."""
    try:
        cursor.execute(OLD_COMMIT_MARKS)
    except Exception as error:
        if getattr(error, "args", (None,))[0] != 1146:  # ER_NO_SUCH_TABLE
            raise
        return
    old = [int(row[0]) for row in cursor.fetchall()]
    if old:
        listed = ", ".join(str(connection_id) for connection_id in old)
        cursor.execute(
            f"DELETE FROM roster_commit WHERE connection_id IN ({listed})"  # noqa: S608 (ints)
            " AND written_at < UTC_TIMESTAMP() - INTERVAL 1 DAY"
        )


async def write_commit_mark(conn: AsyncConnection) -> tuple[int, str]:
    """MariaDB/MySQL's stand-in for PostgreSQL's ``txid_current()``: the transaction writes a
    random token into its connection's row of ``roster_commit`` (one statement, as on
    PostgreSQL). The row holds the last token the connection committed, and while the
    transaction runs it is locked (:func:`commit_mark_outcome` relies on both)."""
    raw = await conn.get_raw_connection()
    connection_id = int(raw.driver_connection.thread_id())  # type: ignore[union-attr]
    token = secrets.token_hex(16)
    values = {"connection_id": connection_id, "token": token, "written_at": sa.func.utc_timestamp()}
    upsert = mysql.insert(roster_commit).values(**values)
    await conn.execute(
        upsert.on_duplicate_key_update(token=token, written_at=upsert.inserted.written_at)
    )
    return connection_id, token


async def commit_mark_outcome(engine: AsyncEngine, mark: tuple[int, str]) -> str | None:
    """``"committed"`` if the connection's row holds the transaction's token, ``"aborted"`` if
    not; None when unknown. A shared lock (``NOWAIT``, asked again for two seconds) waits for a
    transaction still in flight, e.g. one whose server has not yet noticed its client is gone,
    so that no answer is given before the database has decided."""
    connection_id, token = mark
    query = (
        sa.select(roster_commit.c.token)
        .where(roster_commit.c.connection_id == connection_id)
        .with_for_update(read=True, nowait=True)
    )
    for _ in range(40):
        try:
            async with engine.connect() as conn:
                stored = await conn.scalar(query)
        except sa.exc.OperationalError as error:
            if is_lock_wait(error.orig):
                await asyncio.sleep(0.05)
                continue
            return None
        except sa.exc.DBAPIError:
            return None
        return "committed" if stored == token else "aborted"
    return None


def is_lock_wait(error: BaseException | None) -> bool:
    """MariaDB's lock wait timeout (what ``NOWAIT`` raises there) or MySQL's ``NOWAIT``."""
    return bool(getattr(error, "args", None)) and error.args[0] in (1205, 3572)  # type: ignore[union-attr]
