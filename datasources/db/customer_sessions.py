"""Customer session tokens in ``roster_customer_session``. Only a SHA-256 of each is stored.

A token is 256 random bits behind its own prefix (``rcs_``, so neither it nor an API key can be
taken for the other), shown once, when the session starts. As for API keys a fast hash is
enough: nobody can guess 256 bits, so a slow hash would only slow every request.

The database is the truth and nothing is remembered between requests: every request with a
token reads its row (one indexed look-up), so a revocation by any server process (log out, a
password change, a user set invalid) takes effect at once everywhere, and a session works on
every process of ``roster serve --workers N``. Use is noted (``last_used_time``, for
``idle_ttl``) at most once a minute, so most requests write nothing.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.api_keys import read_credential_row, token_digest
from datasources.db.customer_users import utcnow
from datasources.db.dialect import inserted_id
from datasources.db.engine import read_only_view
from datasources.db.tables import roster_customer_session as _S
from domain.config import CustomerSessionConfig

logger = logging.getLogger("roster.customer_sessions")

SESSION_PREFIX = "rcs_"
MAX_TOKEN_LENGTH = 200
TOUCH_INTERVAL = timedelta(minutes=1)
"""How stale ``last_used_time`` may get before a request writes it again."""


@dataclass(frozen=True, slots=True)
class CustomerSession:
    id: int
    login: str
    """As the user's record spelled it when the session started."""
    key_id: int
    """The API key that signed the user in: writes made in the session are recorded as its."""
    expires_at: datetime
    """Naive UTC, as stored."""


def _session(row: sa.RowMapping) -> CustomerSession:
    return CustomerSession(row["id"], row["login"], row["key_id"], row["expire_time"])


class CustomerSessionStore:
    def __init__(self, engine: AsyncEngine, config: CustomerSessionConfig) -> None:
        self.engine = engine
        self.reader = read_only_view(engine)
        self.config = config

    async def start(
        self, login: str, key_id: int, conn: AsyncConnection
    ) -> tuple[str, CustomerSession]:
        """A new session acting as ``login``: (the token in clear, the one time it is ever
        available; the session). The login's sessions that expired are deleted on the way,
        so the table holds live sessions and recently revoked ones only. On ``conn``, in the
        caller's transaction (which records the start in the audit trail)."""
        token = SESSION_PREFIX + secrets.token_urlsafe(32)
        now = utcnow()
        expires = now + timedelta(seconds=self.config.ttl)
        await conn.execute(sa.delete(_S).where(_S.c.login == login, _S.c.expire_time <= now))
        result = await conn.execute(
            sa.insert(_S).values(
                token_hash=token_digest(token),
                login=login,
                key_id=key_id,
                create_time=now,
                expire_time=expires,
                last_used_time=now,
            )
        )
        return token, CustomerSession(inserted_id(result), login, key_id, expires)

    async def authenticate(self, presented: str) -> CustomerSession | None:
        """The live session of token ``presented`` (not revoked, not expired, not idle too
        long), or None. The look-up is by hash, never by token.

        Raises ``KeyStoreUnavailable`` when the database cannot be asked."""
        if not presented.startswith(SESSION_PREFIX) or len(presented) > MAX_TOKEN_LENGTH:
            return None
        digest = token_digest(presented)
        now = utcnow()
        query = sa.select(_S).where(
            _S.c.token_hash == digest, _S.c.revoke_time.is_(None), _S.c.expire_time > now
        )
        row = await read_credential_row(self.reader, query)
        if row is None or not secrets.compare_digest(row["token_hash"], digest):
            return None
        last_used: datetime = row["last_used_time"]
        idle = self.config.idle_ttl
        if idle and last_used + timedelta(seconds=idle) <= now:
            return None
        if now - last_used >= TOUCH_INTERVAL:
            await self._touch(row["id"], now)
        return _session(row)

    async def is_live(self, session_id: int) -> bool:
        """Whether session ``session_id`` still works (not revoked, expired or idle too long):
        a live subscription asks before each change it hands on (``resolvers.live``)."""
        now = utcnow()
        query = sa.select(_S).where(
            _S.c.id == session_id, _S.c.revoke_time.is_(None), _S.c.expire_time > now
        )
        row = await read_credential_row(self.reader, query)
        if row is None:
            return False
        last_used: datetime = row["last_used_time"]
        idle = self.config.idle_ttl
        return not (idle and last_used + timedelta(seconds=idle) <= now)

    async def _touch(self, session_id: int, now: datetime) -> None:
        """Note the session's use. Best effort: a failure only lets ``idle_ttl`` count from
        an earlier use, so it is logged, not raised."""
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    sa.update(_S).where(_S.c.id == session_id).values(last_used_time=now)
                )
        except (sa.exc.DBAPIError, OSError, sa.exc.TimeoutError) as error:
            logger.warning("could not note a customer session's use: %s", type(error).__name__)

    @staticmethod
    async def revoke(conn: AsyncConnection, session_id: int) -> bool:
        """End one session (log out), in the caller's transaction; False when it had ended
        already."""
        result = await conn.execute(
            sa.update(_S)
            .where(_S.c.id == session_id, _S.c.revoke_time.is_(None))
            .values(revoke_time=utcnow())
        )
        return bool(result.rowcount)

    async def revoke_login(
        self, conn: AsyncConnection, login: str, *, keep: int | None = None
    ) -> int:
        """End every live session of ``login`` (as its record spells it) but ``keep``, inside
        the caller's transaction (the password change or validity change that calls for it).
        Returns how many ended."""
        condition = sa.and_(_S.c.login == login, _S.c.revoke_time.is_(None))
        if keep is not None:
            condition = sa.and_(condition, _S.c.id != keep)
        result = await conn.execute(sa.update(_S).where(condition).values(revoke_time=utcnow()))
        return int(result.rowcount)
