"""``roster_sign_in_attempt``: the counters of sign-in limits, shared by every server process
through the database (the rules are ``domain.lockout``'s).

Every change of a counter is one short transaction that is correct under concurrency on each
database: the row is created if missing (an upsert that does nothing when it exists: ``ON
CONFLICT DO NOTHING`` on PostgreSQL and SQLite, ``ON DUPLICATE KEY UPDATE`` of nothing on
MariaDB/MySQL), read under a row lock (``SELECT … FOR UPDATE``; SQLite has one writer, whose
lock the insert already took), changed by the pure rule, written back. Two processes counting
one failure each therefore always end at +2, and exactly one of them sees the hold begin. A
deadlock MariaDB reports between such transactions is retried.

Old rows go without a job: every :data:`SWEEP_EVERY`-th write of a process also deletes a
batch of rows whose ``expires_at`` has passed (through the index on it), so the table holds
about the counters of the last window, whatever an attacker sprays.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import zlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.customer_preferences import DbCustomerPreferenceStore
from datasources.db.dialect import is_mysql, xact_lock
from datasources.db.tables import customer_preferences
from datasources.db.tables import roster_sign_in_attempt as attempts
from datasources.unit_of_work import transaction
from domain.lockout import Counter

logger = logging.getLogger("roster.sign_in_limits")

SWEEP_EVERY = 64
"""One write in this many (per process) also deletes expired rows."""
SWEEP_BATCH = 1000
"""At most this many expired rows per sweep, so a sweep stays short."""
DEADLOCK_RETRIES = 5
MYSQL_DEADLOCK = (1213, 1205)  # ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT

PREFERENCE_LOCK = 0x5349  # the first advisory-lock key of a preference increment ("SI")

T = TypeVar("T")
Change = Callable[[Counter | None], tuple[Counter | None, int, T]]
"""The rule applied under the lock: the counter as stored (None: none yet) -> the counter to
store (None: delete it), its ``expires_at``, and what the caller wants to know."""


_writes = itertools.count(1)
"""Writes of this process, for :data:`SWEEP_EVERY` (a store is cheap to make per request)."""


class SignInAttemptStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def get_many(self, subjects: Iterable[str]) -> dict[str, Counter]:
        """The counters of ``subjects`` that exist (expired ones too: the rules tell)."""
        wanted = list(subjects)
        statement = sa.select(
            attempts.c.subject,
            attempts.c.window_start,
            attempts.c.failures,
            attempts.c.locked_until,
        ).where(attempts.c.subject.in_(wanted))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return {str(row.subject): _counter(row) for row in rows}

    async def change(self, subject: str, now: int, rule: Change[T]) -> T:
        """Apply ``rule`` to the counter of ``subject`` atomically (see the module)."""
        for attempt in range(DEADLOCK_RETRIES):
            try:
                result = await self._change_once(subject, now, rule)
                break
            except sa.exc.OperationalError as error:
                if not _is_deadlock(error) or attempt == DEADLOCK_RETRIES - 1:
                    raise
                await asyncio.sleep(0.01 * (attempt + 1))
        await self._maybe_sweep(now)
        return result

    async def delete(self, subject: str) -> None:
        async with transaction(self.engine) as conn:
            await self.release(conn, subject)

    @staticmethod
    async def release(conn: AsyncConnection, subject: str) -> None:
        """Forget ``subject``'s counter in the caller's transaction (an admin's unlock)."""
        await conn.execute(attempts.delete().where(attempts.c.subject == subject))

    async def sweep(self, now: int) -> int:
        """Delete up to :data:`SWEEP_BATCH` expired rows; how many went."""
        expired = (
            sa.select(attempts.c.subject)
            .where(attempts.c.expires_at <= now)
            .order_by(attempts.c.expires_at)
            .limit(SWEEP_BATCH)
        )
        async with transaction(self.engine) as conn:
            subjects = [str(s) for s in (await conn.execute(expired)).scalars()]
            if not subjects:
                return 0
            # expires_at asked again: a row counted anew since the select stays.
            await conn.execute(
                attempts.delete().where(
                    attempts.c.subject.in_(subjects), attempts.c.expires_at <= now
                )
            )
        return len(subjects)

    async def _change_once(self, subject: str, now: int, rule: Change[T]) -> T:
        async with transaction(self.engine) as conn:
            await conn.execute(_insert_if_missing(conn, subject, now))
            row = (
                await conn.execute(
                    sa.select(attempts.c.window_start, attempts.c.failures, attempts.c.locked_until)
                    .where(attempts.c.subject == subject)
                    .with_for_update()
                )
            ).one()
            stored = None if row.failures < 0 else _counter(row)  # -1: the row just inserted
            counter, expires_at, result = rule(stored)
            if counter is None:
                await conn.execute(attempts.delete().where(attempts.c.subject == subject))
            else:
                await conn.execute(
                    attempts.update()
                    .where(attempts.c.subject == subject)
                    .values(
                        window_start=counter.window_start,
                        failures=counter.failures,
                        locked_until=counter.locked_until,
                        expires_at=expires_at,
                    )
                )
            return result

    async def _maybe_sweep(self, now: int) -> None:
        if next(_writes) % SWEEP_EVERY:
            return
        try:
            await self.sweep(now)
        except sa.exc.SQLAlchemyError as error:  # another process sweeping: next time
            logger.info("sign-in counters: sweep skipped (%s)", type(error).__name__)


async def increment_preference(
    engine: AsyncEngine, preferences: DbCustomerPreferenceStore, login: str, key: str
) -> int:
    """OTOBO's ``UserLoginFailed`` (or another counting preference) + 1: read and written under
    the login's lock (``xact_lock``), so two processes counting at once end at + 2 where
    OTOBO's own read-modify-write may lose one. What is stored is what OTOBO writes: one row,
    the number as text (a value that is not a number counts as 0, as Perl's ``+ 1`` does)."""
    lock_key = zlib.crc32(f"customer_preferences\x00{login.lower()}".encode()) & 0x7FFFFFFF
    async with transaction(engine) as conn:
        await xact_lock(conn, PREFERENCE_LOCK, lock_key, sqlite_table=customer_preferences)
        rows = await conn.execute(
            sa.select(customer_preferences.c.preferences_value).where(
                customer_preferences.c.user_id == login,
                customer_preferences.c.preferences_key == key,
            )
        )
        values = [v for v in rows.scalars() if v is not None]
        old = _leading_int(str(values[-1])) if values else 0
        await preferences.set(login, {key: str(old + 1)}, conn=conn)
    return old + 1


def _leading_int(text: str) -> int:
    """Perl's number of a string: its leading digits (``"3x"`` is 3), else 0."""
    digits = re.match(r"\s*(\d+)", text)
    return int(digits.group(1)) if digits else 0


def _counter(row: Any) -> Counter:
    locked = row.locked_until
    return Counter(
        int(row.window_start), int(row.failures), None if locked is None else int(locked)
    )


def _insert_if_missing(conn: AsyncConnection, subject: str, now: int) -> sa.Executable:
    """A placeholder row (``failures`` -1, expiring now) unless one exists; the database's own
    upsert, so two processes inserting at once both go on to the row lock."""
    values = {
        "subject": subject,
        "window_start": now,
        "failures": -1,
        "locked_until": None,
        "expires_at": now,
    }
    dialect = conn.dialect
    if dialect.name == "postgresql":
        return pg_insert(attempts).values(values).on_conflict_do_nothing()
    if is_mysql(dialect):
        insert = mysql_insert(attempts).values(values)
        return insert.on_duplicate_key_update(subject=insert.inserted.subject)
    return sqlite_insert(attempts).values(values).on_conflict_do_nothing()


def _is_deadlock(error: sa.exc.OperationalError) -> bool:
    args: tuple[Any, ...] = getattr(error.orig, "args", ())
    return bool(args) and args[0] in MYSQL_DEADLOCK
