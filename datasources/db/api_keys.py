"""API keys: how clients authenticate. Only a SHA-256 of each key is stored.

A key is 256 random bits, so a fast hash is enough (a slow password hash would add its cost to
every request without adding safety); the clear key is shown once, when it is created.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.db.customer_users import utcnow
from datasources.db.dialect import inserted_id
from datasources.db.engine import read_only_view
from datasources.db.notifications import Listener, notify_statement
from datasources.db.tables import roster_api_key

KEY_PREFIX = "rst_"


class Scope(enum.Enum):
    READ = "read"
    ADMIN = "admin"
    AUTHENTICATE = "authenticate"
    """Only ``customerUserAuthenticate``: a customer portal's back end (``app.scope_gate``)."""
    CUSTOMER = "customer"
    """Never a key's: the actor of a customer session token (``me``; ``app.scope_gate``)."""


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    name: str
    scope: Scope
    key_prefix: str
    revoked: bool


def token_digest(token: str) -> str:
    """What is stored of a bearer secret (an API key, a customer session token): its SHA-256.
    A secret of 32 random bytes needs no slow hash; a fast one keeps every request cheap."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _key(row: sa.RowMapping) -> ApiKey:
    return ApiKey(
        id=row["id"],
        name=row["name"],
        scope=Scope(row["scope"]),
        key_prefix=row["key_prefix"],
        revoked=row["revoke_time"] is not None,
    )


REVOKED_CHANNEL = "roster_api_key_revoked"


class KeyStoreUnavailable(Exception):
    """The database holding the keys does not answer, so no key can be checked now."""


class ApiKeyStore:
    """Keys in ``roster_api_key``. Successful look-ups are remembered for ``cache_seconds`` so
    a request costs no key query.

    A key revoked through this store stops working here at once. On PostgreSQL a revocation
    also notifies every server process that follows them (``follow_revocations``: the
    server does), so a key revoked by the CLI stops working everywhere at once too. On SQLite,
    or while a server's listening connection is down, it stops within ``cache_seconds``."""

    def __init__(self, engine: AsyncEngine, *, cache_seconds: float = 10.0) -> None:
        self.engine = engine
        self.reader = read_only_view(engine)
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[ApiKey, float]] = {}
        self._revocations: Listener | None = None
        self._notifies = engine.dialect.name == "postgresql"

    async def follow_revocations(self) -> None:
        """Forget the remembered keys whenever any process revokes one (PostgreSQL only)."""
        if self._notifies and self._revocations is None:
            self._revocations = Listener(self.engine, REVOKED_CHANNEL, self._cache.clear)
            await self._revocations.start()

    async def close(self) -> None:
        if self._revocations is not None:
            await self._revocations.stop()
            self._revocations = None

    async def create(self, name: str, scope: Scope) -> tuple[str, ApiKey]:
        """Store a new key and return it in clear, the one time it is ever available."""
        if scope is Scope.CUSTOMER:
            raise ValueError("the customer scope belongs to customer sessions, not to API keys")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        prefix = secret[:12]
        async with self.engine.begin() as conn:
            result = await conn.execute(
                sa.insert(roster_api_key).values(
                    name=name,
                    scope=scope.value,
                    key_hash=token_digest(secret),
                    key_prefix=prefix,
                    create_time=utcnow(),
                )
            )
        return secret, ApiKey(inserted_id(result), name, scope, prefix, revoked=False)

    async def authenticate(self, presented: str) -> ApiKey | None:
        """The live key matching ``presented``, or None. The lookup is by hash, never by key.

        Raises ``KeyStoreUnavailable`` when the database cannot be asked."""
        if not presented.startswith(KEY_PREFIX) or len(presented) > 200:
            return None
        digest = token_digest(presented)
        cached = self._cache.get(digest)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        row = await self._live_key_row(digest)
        if row is None or not secrets.compare_digest(row["key_hash"], digest):
            self._cache.pop(digest, None)
            return None
        key = _key(row)
        if len(self._cache) > 10_000:  # bounded: only live keys get in, but be safe
            self._cache.clear()
        self._cache[digest] = (key, time.monotonic() + self.cache_seconds)
        return key

    async def _live_key_row(self, digest: str) -> sa.RowMapping | None:
        """The unrevoked key row with ``digest`` (``read_credential_row``)."""
        query = sa.select(roster_api_key).where(
            roster_api_key.c.key_hash == digest, roster_api_key.c.revoke_time.is_(None)
        )
        return await read_credential_row(self.reader, query)

    async def list(self) -> list[ApiKey]:
        async with self.reader.connect() as conn:
            rows = (await conn.execute(sa.select(roster_api_key).order_by("id"))).mappings()
            return [_key(row) for row in rows]

    async def revoke(self, name: str) -> bool:
        async with self.engine.begin() as conn:
            result = await conn.execute(
                sa.update(roster_api_key)
                .where(roster_api_key.c.name == name, roster_api_key.c.revoke_time.is_(None))
                .values(revoke_time=utcnow())
            )
            if self._notifies and result.rowcount:
                # Delivered when this transaction commits, to every following process.
                await conn.execute(sa.text(notify_statement(REVOKED_CHANNEL)))
        self._cache.clear()
        return bool(result.rowcount)


async def read_credential_row(reader: AsyncEngine, query: sa.Select[Any]) -> sa.RowMapping | None:
    """The first row of ``query``, which looks up a credential (an API key, a customer session)
    before a request runs. A connection found dead is retried once: SQLAlchemy has then marked
    the pool's older connections stale, so the retry runs on a new one. Raises
    ``KeyStoreUnavailable`` when the database does not answer."""
    for attempt in (1, 2):
        try:
            async with reader.connect() as conn:
                row: sa.RowMapping | None = (await conn.execute(query)).mappings().first()
                return row
        except sa.exc.DBAPIError as error:
            if attempt == 1 and error.connection_invalidated:
                continue
            # Only the driver's message: SQLAlchemy's own text carries the parameters.
            raise KeyStoreUnavailable(f"{type(error.orig).__name__}: {error.orig}") from error
        except (OSError, sa.exc.TimeoutError) as error:  # cannot connect; pool exhausted
            raise KeyStoreUnavailable(f"{type(error).__name__}: {error}") from error
    raise AssertionError("not reached")
