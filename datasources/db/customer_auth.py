"""OTOBO's ``Customer::AuthModule::DB``: read one login's stored password and verify it (every
format OTOBO recognises, ``domain.passwords``), and replace it after a sign-in that found it in
a weaker format than ``[passwords]`` asks for (rehash on login).

The table and columns are configured (``[[customer_auth.backends]]``), so the statements are
built from the configuration once. No validity filter, as OTOBO's ``Auth``.

**Case.** OTOBO binds the login as typed, so whether ``MÜLLER`` signs ``Müller`` in depends on
the database: yes on MySQL/MariaDB (case-insensitive collations), no on PostgreSQL. Roster
compares the login as every other login lookup does, on every database: case-insensitive and
accent-sensitive (``lower(key) = lower(typed)``; on MariaDB also ``key = typed`` for the
index, ``datasources.db.dialect``), and signs in the stored spelling. A typed login that
matches one row exactly is that row even when case variants exist beside it (a PostgreSQL
table OTOBO filled may hold ``abc`` and ``ABC``); several case variants and no exact match
sign in nobody.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.backend import BackendHealth, BackendUnavailable
from datasources.db.dialect import exactly
from datasources.db.engine import database_health, is_lost_connection
from datasources.unit_of_work import transaction
from domain.config import DbAuthBackendConfig, PasswordConfig
from domain.passwords import hash_in_thread, needs_rehash, verify_in_thread

logger = logging.getLogger("roster.customer_auth")

_UNANSWERED: tuple[type[BaseException], ...] = (OSError, TimeoutError, sa.exc.OperationalError)

_dummies: dict[tuple[str, int], str] = {}


async def dummy_verify(passwords: PasswordConfig, password: str) -> None:
    """Spend what checking a real hash of the configured scheme costs, for a login that has
    no hash: an unknown login answers in about the time of a wrong password."""
    key = (passwords.scheme, passwords.bcrypt_cost)
    dummy = _dummies.get(key)
    if dummy is None:
        dummy = await hash_in_thread("roster-dummy-password", passwords.scheme, bcrypt_cost=key[1])
        _dummies[key] = dummy
    await verify_in_thread(dummy, password or "x", "")


@asynccontextmanager
async def _answered(name: str) -> AsyncIterator[None]:
    """``BackendUnavailable`` for a database that does not answer; other errors stand."""
    try:
        yield
    except sa.exc.DBAPIError as error:
        if isinstance(error, sa.exc.OperationalError) or is_lost_connection(error):
            raise BackendUnavailable(name, "the database does not answer") from error
        raise
    except _UNANSWERED as error:
        raise BackendUnavailable(name, "the database does not answer") from error


MAX_CASE_VARIANTS = 10
"""The rows read for one typed login: enough to find the exact spelling among the case
variants an OTOBO table on PostgreSQL can hold (a login has few)."""


def _the_one(rows: Sequence[tuple[str, str | None]], typed: str) -> tuple[str, str | None] | None:
    """The row ``typed`` signs in: the one spelled exactly so, else the only case variant."""
    exact = [row for row in rows if row[0] == typed]
    if len(exact) == 1:
        return exact[0]
    return rows[0] if len(rows) == 1 else None


class DbAuthBackend:
    """One ``db`` authentication backend over ``engine`` (``datasources.auth_backend``)."""

    stores_passwords = True
    kind = "db"

    def __init__(
        self, config: DbAuthBackendConfig, engine: AsyncEngine, passwords: PasswordConfig
    ) -> None:
        self.name = config.name
        self.engine = engine
        self.passwords = passwords
        # A Table of real Columns, not ``sa.table``'s clauses: on MariaDB/MySQL the
        # case-insensitive comparison then also asks ``key = login``, which the key column's
        # index answers (``dialect._CaseInsensitiveEquals``); without it, a scan per sign-in.
        table = sa.Table(
            config.table,
            sa.MetaData(),
            sa.Column(config.customer_key, sa.String()),
            sa.Column(config.customer_password, sa.String()),
        )
        key, password = table.c[config.customer_key], table.c[config.customer_password]
        self._read = (
            sa.select(key, password)
            .where(sa.func.lower(key) == sa.bindparam("login"))
            .limit(MAX_CASE_VARIANTS)
        )
        self._replace = (
            table.update()
            .where(
                key == sa.bindparam("b_login"),  # the index's (a case-insensitive one on MariaDB)
                exactly(key) == sa.bindparam("b_login"),  # and exactly this login's row
                password == sa.bindparam("b_old"),
            )
            .values({config.customer_password: sa.bindparam("b_new")})
        )

    async def check(self, login: str, password: str) -> str | None:
        """The stored login when ``password`` matches its stored hash. A login with no row (or
        several case variants and none typed exactly, or, with a key column lacking a unique
        index, several exact rows: OTOBO would take the first, Roster signs in nobody) still
        costs one verification."""
        found = await self.stored_login(login)
        if found is None:
            await dummy_verify(self.passwords, password)
            return None
        stored_login, stored = found
        return stored_login if await verify_in_thread(stored, password, stored_login) else None

    async def after_sign_in(self, login: str, password: str) -> None:
        """Replace a hash weaker than ``[passwords]`` asks for; a failure keeps the old one.

        The hash is read again (the check's read belongs to another step), so it is replaced
        only if ``password`` still verifies it: a password changed between the check and now
        (say by OTOBO, in a weak format) is never overwritten with the old one. The write
        itself also requires the row to hold that same hash."""
        passwords = self.passwords
        if not passwords.rehash_on_sign_in:
            return
        found = await self.stored_login(login)
        if found is None:
            return
        login, stored = found
        if stored is None:
            return
        if not needs_rehash(stored, passwords.scheme, bcrypt_cost=passwords.bcrypt_cost):
            return
        if not await verify_in_thread(stored, password, login):
            return
        new = await hash_in_thread(password, passwords.scheme, bcrypt_cost=passwords.bcrypt_cost)
        try:
            await self.replace_hash(login, stored, new)
        except BackendUnavailable:
            logger.warning("customer user %r: password not rehashed, the database is down", login)

    async def health(self) -> BackendHealth:
        """A ``SELECT 1`` round trip, as the database customer-user backend's."""
        return await database_health(self.engine)

    async def close(self) -> None:
        """Nothing of its own: the engine is the storage's."""

    async def stored_login(self, login: str) -> tuple[str, str | None] | None:
        """The stored spelling of ``login`` and its stored password (None: no password), or
        None when no row is it (see the module: case, exact matches, several rows)."""
        async with _answered(self.name), self.engine.connect() as conn:
            result = await conn.execute(self._read, {"login": login.lower()})
            rows = [(str(row[0]), row[1]) for row in result]
        return _the_one(rows, login)

    async def replace_hash(self, login: str, old: str, new: str) -> bool:
        """Store ``new`` where ``login`` still has ``old`` (one transaction): a password
        changed meanwhile is left alone. True when a row was updated."""
        async with _answered(self.name), transaction(self.engine) as conn:
            result = await conn.execute(
                self._replace, {"b_login": login, "b_old": old, "b_new": new}
            )
            return bool(result.rowcount == 1)
