"""Two-factor reads and writes of ``customer_preferences`` beyond one user's plain values
(``datasources.db.customer_preferences``): which users of a page have a secret, in one
statement (``CustomerUser.twoFactorEnabled``), and the one use of each code.

The one use of each code (past OTOBO, issue 14): the last 30-second window a user's code was
accepted for, in ``customer_preferences`` under Roster's own key :data:`LAST_COUNTER_KEY`, so
no migration is needed and OTOBO, which does not know the key, ignores it.

A check and the write that follows run under one lock per login (``dialect.xact_lock``), so
two sign-ins sending the same code at the same time, on any number of server processes, let
exactly one through.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.db.dialect import xact_lock
from datasources.db.tables import customer_preferences as prefs
from datasources.unit_of_work import transaction
from domain.totp import has_secret

LAST_COUNTER_KEY = "RosterTwoFactorLastCounter"
"""The window (``floor(epoch / 30)``) of the last code accepted for a user, in decimal."""

_LOCK = int.from_bytes(b"totp", "big")


async def logins_with_secret(engine: AsyncEngine, logins: Sequence[str], key: str) -> set[str]:
    """Those of ``logins`` (lower-cased) whose preference ``key`` holds a secret, in one
    statement; with several rows for one login the last one read counts, as in
    ``DbCustomerPreferenceStore.get``."""
    if not logins:
        return set()
    statement = sa.select(prefs.c.user_id, prefs.c.preferences_value).where(
        prefs.c.user_id.in_(sorted(set(logins))), prefs.c.preferences_key == key
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(statement)).all()
    values = {str(login).lower(): value for login, value in rows}
    return {login for login, value in values.items() if has_secret(value)}


def _stored_counter(values: list[str | None]) -> int | None:
    """The latest of the stored windows (a value Roster did not write is ignored)."""
    counters = [int(v) for v in values if v is not None and v.lstrip("-").isdigit()]
    return max(counters) if counters else None


async def claim_counter(engine: AsyncEngine, login: str, counter: int) -> bool:
    """Record ``counter`` as ``login``'s last used window if it is later than the one stored;
    False (and nothing written) when it is not: the code was used already, or a later one was.
    """
    async with transaction(engine) as conn:
        key = zlib.crc32(login.lower().encode()) - 2**31  # int4, as the two-key form wants
        await xact_lock(conn, _LOCK, key, sqlite_table=prefs)  # MariaDB: a row lock
        mine = (prefs.c.user_id == login) & (prefs.c.preferences_key == LAST_COUNTER_KEY)
        stored = (await conn.execute(sa.select(prefs.c.preferences_value).where(mine))).all()
        last = _stored_counter([row[0] for row in stored])
        if last is not None and counter <= last:
            return False
        await conn.execute(prefs.delete().where(mine))
        await conn.execute(
            prefs.insert(),
            {
                "user_id": login,
                "preferences_key": LAST_COUNTER_KEY,
                "preferences_value": str(counter),
            },
        )
    return True
