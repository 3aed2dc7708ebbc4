"""OTOBO's ``Customer::AuthModule::DB``: read one login's stored password and verify it (every
format OTOBO recognises, ``domain.passwords``), and replace it after a sign-in that found it in
a weaker format than ``[passwords]`` asks for (rehash on login).

The table and columns are configured (``[[customer_auth.backends]]``), so the statements are
built from the configuration once. The login is bound as typed: no trimming, no ``LOWER()``,
no validity filter, as OTOBO's ``Auth`` (case-sensitivity is the column collation's).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.backend import BackendHealth, BackendStatus, BackendUnavailable
from datasources.db.engine import failure_reason, is_lost_connection, select_one
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
        key = sa.column(config.customer_key, sa.String())
        password = sa.column(config.customer_password, sa.String())
        table = sa.table(config.table, key, password)
        self._read = sa.select(password).where(key == sa.bindparam("login")).limit(2)
        self._replace = (
            table.update()
            .where(key == sa.bindparam("b_login"), password == sa.bindparam("b_old"))
            .values({config.customer_password: sa.bindparam("b_new")})
        )

    async def check(self, login: str, password: str) -> str | None:
        """``login`` when ``password`` matches its stored hash. A login with no row (or, with a
        key column lacking a unique index, several: OTOBO would take the first, Roster signs
        in nobody) still costs one verification."""
        stored = await self.stored_hashes(login)
        if len(stored) != 1:
            await dummy_verify(self.passwords, password)
            return None
        return login if await verify_in_thread(stored[0], password, login) else None

    async def after_sign_in(self, login: str, password: str) -> None:
        """Replace a hash weaker than ``[passwords]`` asks for; a failure keeps the old one.

        The hash is read again (the check's read belongs to another step), so it is replaced
        only if ``password`` still verifies it: a password changed between the check and now
        (say by OTOBO, in a weak format) is never overwritten with the old one. The write
        itself also requires the row to hold that same hash."""
        passwords = self.passwords
        stored = await self.stored_hashes(login)
        if len(stored) != 1 or stored[0] is None:
            return
        if not needs_rehash(stored[0], passwords.scheme, bcrypt_cost=passwords.bcrypt_cost):
            return
        if not await verify_in_thread(stored[0], password, login):
            return
        new = await hash_in_thread(password, passwords.scheme, bcrypt_cost=passwords.bcrypt_cost)
        try:
            await self.replace_hash(login, stored[0], new)
        except BackendUnavailable:
            logger.warning("customer user %r: password not rehashed, the database is down", login)

    async def health(self) -> BackendHealth:
        """A ``SELECT 1`` round trip, as the database customer-user backend's."""
        started = time.perf_counter()
        try:
            await select_one(self.engine)
        except (OSError, sa.exc.SQLAlchemyError) as exc:
            return BackendHealth(BackendStatus.DOWN, None, failure_reason(exc))
        return BackendHealth(BackendStatus.UP, (time.perf_counter() - started) * 1000, None)

    async def close(self) -> None:
        """Nothing of its own: the engine is the storage's."""

    async def stored_hashes(self, login: str) -> list[str | None]:
        """The stored password of every row whose key is ``login`` (at most two)."""
        async with _answered(self.name), self.engine.connect() as conn:
            result = await conn.execute(self._read, {"login": login})
            return [row[0] for row in result]

    async def replace_hash(self, login: str, old: str, new: str) -> bool:
        """Store ``new`` where ``login`` still has ``old`` (one transaction): a password
        changed meanwhile is left alone. True when a row was updated."""
        async with _answered(self.name), transaction(self.engine) as conn:
            result = await conn.execute(
                self._replace, {"b_login": login, "b_old": old, "b_new": new}
            )
            return bool(result.rowcount == 1)
