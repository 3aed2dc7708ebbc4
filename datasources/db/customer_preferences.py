"""OTOBO's ``customer_preferences`` (``Kernel::System::CustomerUser::Preferences::DB``): one
row per (login, key), read and written as OTOBO does, so OTOBO's screens show what Roster
records (``UserLoginFailed``, ``UserLastLogin``, ``UserLastPwChangeTime``, the two-factor
secret ``UserGoogleAuthenticatorSecretKey``) and Roster reads what OTOBO stored.

A write is OTOBO's ``SetPreferences``: delete the key's rows, insert the new value, in one
transaction (the caller's when it passes one). A value of ``None`` only deletes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.tables import customer_preferences as prefs
from datasources.unit_of_work import transaction

MAX_VALUE_LENGTH = 250
"""``customer_preferences.preferences_value`` is VARCHAR(250) in OTOBO's schema."""


class DbCustomerPreferenceStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def get(self, login: str, keys: Iterable[str]) -> dict[str, str]:
        """The stored values of ``keys`` for ``login`` (absent keys are left out; with
        several rows for one key, as OTOBO may leave, the last one read wins as in OTOBO)."""
        wanted = list(keys)
        statement = sa.select(prefs.c.preferences_key, prefs.c.preferences_value).where(
            prefs.c.user_id == login, prefs.c.preferences_key.in_(wanted)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return {str(key): str(value) for key, value in rows if value is not None}

    async def set(
        self,
        login: str,
        values: Mapping[str, str | None],
        conn: AsyncConnection | None = None,
    ) -> int:
        """Store ``values`` for ``login`` (``None`` deletes the key), in ``conn``'s transaction
        or in one of its own; how many stored values it replaced or deleted (from the
        ``DELETE`` it runs anyway: 0 tells a removal that found nothing)."""
        for value in values.values():
            if value is not None and len(value) > MAX_VALUE_LENGTH:
                raise ValueError(f"a preference value holds at most {MAX_VALUE_LENGTH} characters")
        async with self._in_transaction(conn) as tx:
            deleted = await tx.execute(
                prefs.delete().where(
                    prefs.c.user_id == login, prefs.c.preferences_key.in_(list(values))
                )
            )
            rows = [
                {"user_id": login, "preferences_key": key, "preferences_value": value}
                for key, value in values.items()
                if value is not None
            ]
            if rows:
                await tx.execute(prefs.insert(), rows)
        return int(deleted.rowcount)

    @asynccontextmanager
    async def _in_transaction(self, conn: AsyncConnection | None) -> AsyncIterator[AsyncConnection]:
        if conn is not None:
            yield conn
            return
        async with transaction(self.engine) as own:
            yield own
