"""OTOBO's ``Customer::AuthModule::DB`` storage side: read one login's stored password, and
replace it after a sign-in that found it in a weaker format (rehash on login).

The table and columns are configured (``[[customer_auth.backends]]``), so the statements are
built from the configuration once. The login is bound as typed: no trimming, no ``LOWER()``,
no validity filter, as OTOBO's ``Auth`` (case-sensitivity is the column collation's).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.backend import BackendUnavailable
from datasources.db.engine import is_lost_connection
from datasources.unit_of_work import transaction
from domain.config import DbAuthBackendConfig

_UNANSWERED: tuple[type[BaseException], ...] = (OSError, TimeoutError, sa.exc.OperationalError)


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
    """One ``db`` authentication backend over ``engine``."""

    def __init__(self, config: DbAuthBackendConfig, engine: AsyncEngine) -> None:
        self.name = config.name
        self.engine = engine
        key = sa.column(config.customer_key, sa.String())
        password = sa.column(config.customer_password, sa.String())
        table = sa.table(config.table, key, password)
        self._read = sa.select(password).where(key == sa.bindparam("login")).limit(2)
        self._replace = (
            table.update()
            .where(key == sa.bindparam("b_login"), password == sa.bindparam("b_old"))
            .values({config.customer_password: sa.bindparam("b_new")})
        )

    async def stored_hashes(self, login: str) -> list[str | None]:
        """The stored password of every row whose key is ``login`` (OTOBO takes the first;
        more than one means a key column without a unique index, and signs in nobody here)."""
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
