"""OTOBO's ``Customer::AuthModule::LDAP`` (``Kernel/System/CustomerAuth/LDAP.pm``, sub
``Auth``): search the user's entry as the search user (or anonymously), check the group, then
bind as that entry with the given password. It checks passwords only: the login it returns
is looked up in the customer-user backends by sign-in, as OTOBO does.

The steps, with where Roster differs from OTOBO:

1. An empty password is refused before anything is sent: a simple bind with a DN and no
   password is an unauthenticated bind, which many servers accept as anonymous (RFC 4513
   §5.1.2). OTOBO refuses every false Perl value, so also the password ``"0"``; Roster refuses
   only ``""`` (``"0"`` is a password like any other). A password with a NUL (the C client
   would cut it there) or without a UTF-8 form (a lone surrogate) is refused likewise: no
   directory stores it.
2. The login is trimmed and ``user_suffix`` appended; that is the login signed in.
3. Search, scope ``sub`` under ``base_dn`` for the DN only: ``(&(<uid>=<login>)<always_filter>)``
   with the login escaped by Roster's RFC 4515 escaper (``filters.escape_value``: ``*)(uid=*``,
   ``\\`` and NUL are only ever characters of the value). Several matches: OTOBO binds as the
   *last* one; Roster signs in nobody (which entry is "last" is the server's choice, and an
   ambiguous login is a directory problem to fix, not to guess).
4. With ``group_dn`` and ``access_attr``: a search under ``group_dn`` for
   ``(<access_attr>=<the user's DN, or the login with the suffix when user_attr = "UID">)``;
   no entry, no sign-in.
5. Bind as the found DN with the password on a fresh connection of its own (the pooled ones
   stay bound as the search user). ``invalidCredentials`` (or any other refusal the server
   answers with) is a wrong password.

A refusal costs about what a wrong password costs: when no entry was found (or it is not in
the group, or the login is ambiguous), the password is still bound once, as a DN that does not
exist, so the answer takes the same round trips. A server that does not answer (down,
refused, frozen, TLS rejected, the search user's bind refused) is
:class:`~datasources.backend.BackendUnavailable`, within ``connect_timeout_seconds +
timeout_seconds`` for the whole check, and counts towards the circuit breaker (``breaker``,
as for the LDAP customer-user backend); a server that answers, even with a refusal, does not.
Like every LDAP wait (``pool``), these seconds count the time this process's event loop ran
(``datasources.deadline``): a process that stood still is not a directory that does not
answer, and a customer is not refused for it.

The connections, TLS, probes and timeouts are the LDAP customer-user backend's (``pool``,
``probe``): this backend hands them its settings in that backend's shape
(:func:`connection_settings`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import bonsai
import bonsai.errors

from datasources.backend import BackendHealth, BackendStatus, BackendUnavailable
from datasources.deadline import deadline
from datasources.ldap.breaker import BreakerOpen, BreakerState, CircuitBreaker
from datasources.ldap.filters import all_of, escape_value
from datasources.ldap.pool import ConnectionPool, LdapFailure, base_read
from domain import observation
from domain.config import LdapBackendConfig
from domain.config.ldap_auth import LdapAuthBackendConfig

T = TypeVar("T")
logger = logging.getLogger("roster.customer_auth")

NOBODY_RDN = "cn=roster-no-such-entry"
"""The entry a refusal binds as (under ``base_dn``), to cost what a wrong password costs."""


class _Refused(Exception):
    """The server answered a bind with a refusal (a wrong password, a locked account …)."""


def connection_settings(
    config: LdapAuthBackendConfig, *, bind_dn: str, bind_password: str, pool_size: int
) -> LdapBackendConfig:
    """``config``'s server, TLS and timeouts as the LDAP customer-user backend's settings,
    which ``pool`` and ``probe`` take, binding as ``bind_dn`` (empty: anonymously)."""
    return LdapBackendConfig(
        module="ldap",
        name=config.name,
        url=config.url,
        base_dn=config.base_dn,
        bind_dn=bind_dn,
        bind_password=bind_password,
        start_tls=config.start_tls,
        ca_file=config.ca_file,
        timeout_seconds=config.timeout_seconds,
        connect_timeout_seconds=config.connect_timeout_seconds,
        pool_size=pool_size,
    )


def sendable(password: str) -> bool:
    """Whether ``password`` can be a directory password worth a bind: not empty (that would be
    an unauthenticated bind), no NUL (libldap takes C strings), and a UTF-8 form exists."""
    if not password or "\x00" in password:
        return False
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def _bound(connection: Any) -> None:
    """Nothing to do once the connection is open: opening it was the bind."""


class LdapAuthBackend:
    """One ``module = "ldap"`` authentication backend (``datasources.auth_backend``)."""

    stores_passwords = False
    kind = "ldap"

    def __init__(self, config: LdapAuthBackendConfig) -> None:
        self.config = config
        self.name = config.name
        self._search_settings = connection_settings(
            config,
            bind_dn=config.search_user_dn,
            bind_password=config.search_user_password,
            pool_size=config.pool_size,
        )
        self._pool = ConnectionPool(self._search_settings)
        self._breaker = CircuitBreaker(config.breaker_failures, config.breaker_reset_seconds)
        self._binds = asyncio.Semaphore(config.pool_size)
        self._check_seconds = config.connect_timeout_seconds + config.timeout_seconds
        self._nobody = f"{NOBODY_RDN},{config.base_dn}"

    async def check(self, login: str, password: str) -> str | None:
        """The trimmed login with ``user_suffix`` when ``password`` binds as its entry."""
        user = login.strip()
        if not user or not sendable(password):
            return None  # before any connection (see the module docstring, step 1)
        user += self.config.user_suffix
        try:
            async with deadline(self._check_seconds):
                dn = await self._call(self._pool, lambda conn: self._find(conn, user), "find")
                if dn is None:
                    await self._bind(self._nobody, password)
                    return None
                return user if await self._bind(dn, password) else None
        except TimeoutError:
            reason = f"no answer within {self._check_seconds:g} s"
            self._failed(reason)
            raise BackendUnavailable(self.name, reason) from None

    async def after_sign_in(self, login: str, password: str) -> None:
        """Nothing: Roster never writes a directory's passwords."""

    async def health(self) -> BackendHealth:
        """A base-scope read of ``base_dn`` as the search user (anonymously without one): the
        round trip every sign-in starts with. Through the breaker, as the LDAP customer-user
        backend's probe: a failure counts, and an open breaker answers at once."""
        started = time.perf_counter()

        ping = base_read(self.config.base_dn, self.config.timeout_seconds)
        try:
            async with deadline(self._check_seconds):
                await self._call(self._pool, ping, "health")
        except TimeoutError:
            reason = f"no answer within {self._check_seconds:g} s"
            self._failed(reason)
            return BackendHealth(BackendStatus.DOWN, None, reason)
        except BackendUnavailable as exc:
            return BackendHealth(BackendStatus.DOWN, None, exc.reason)
        return BackendHealth(BackendStatus.UP, (time.perf_counter() - started) * 1000, None)

    async def close(self) -> None:
        await self._pool.close()

    # ---- the LDAP side -------------------------------------------------------------------

    async def _find(self, conn: Any, user: str) -> str | None:
        """The DN of the one entry of ``user`` that may sign in, or None (none, several, or
        not in the group)."""
        config = self.config
        filter_exp = all_of(
            p for p in (f"({config.uid}={escape_value(user)})", config.always_filter) if p
        )
        try:
            entries = await conn.search(
                config.base_dn,
                bonsai.LDAPSearchScope.SUB,
                filter_exp,
                ["1.1"],
                timeout=config.timeout_seconds,
                sizelimit=2,
            )
        except bonsai.errors.SizeLimitError:
            return None  # several entries: ambiguous
        found = [str(e.dn) for e in entries if isinstance(e, bonsai.LDAPEntry)]
        if len(found) != 1:
            return None
        if config.group_check and not await self._member(conn, found[0], user):
            return None
        return found[0]

    async def _member(self, conn: Any, dn: str, user: str) -> bool:
        """Whether an entry under ``group_dn`` lists the user in ``access_attr``."""
        config = self.config
        value = dn if config.user_attr == "DN" else user
        try:
            entries = await conn.search(
                config.group_dn,
                bonsai.LDAPSearchScope.SUB,
                f"({config.access_attr}={escape_value(value)})",
                ["1.1"],
                timeout=config.timeout_seconds,
                sizelimit=1,
            )
        except bonsai.errors.SizeLimitError:
            return True  # more than one group entry lists the user
        return any(isinstance(e, bonsai.LDAPEntry) for e in entries)

    async def _bind(self, dn: str, password: str) -> bool:
        """Whether ``password`` binds as ``dn``, on a connection of its own; at most
        ``pool_size`` such binds at a time, so a password spray does not flood the server with
        connections (the wait is within the check's deadline)."""
        settings = self._search_settings.model_copy(
            update={"bind_dn": dn, "bind_password": password, "pool_size": 1}
        )
        async with self._binds:
            pool = ConnectionPool(settings)
            try:
                await self._call(pool, _bound, "bind", binds=True)
            except _Refused:
                return False
            finally:
                await pool.close()
        return True

    async def _call(
        self,
        pool: ConnectionPool,
        operation: Callable[[Any], Awaitable[T]],
        what: str,
        *,
        binds: bool = False,
    ) -> T:
        """``operation`` on a connection of ``pool``, through the breaker. With ``binds``, a
        bind the server refuses is :class:`_Refused` (the server answered: healthy); any other
        failure is ``BackendUnavailable``, and counts against the server when it says
        something about its health."""
        try:
            self._breaker.admit()
        except BreakerOpen as exc:
            raise BackendUnavailable(self.name, str(exc)) from None
        started = time.perf_counter()
        succeeded = False  # in the call metrics: a result, or a bind refused (a wrong password)
        try:
            result = await pool.run(operation, what)
            succeeded = True
        except LdapFailure as exc:
            answered = not exc.health
            if binds and (answered or isinstance(exc.__cause__, bonsai.errors.AuthenticationError)):
                succeeded = True
                self._breaker.succeeded()
                raise _Refused from None
            if answered:
                self._breaker.succeeded()
            else:
                self._failed(exc.reason)
            raise BackendUnavailable(self.name, exc.reason) from exc
        except BaseException:
            self._breaker.abandoned()
            raise
        finally:  # per-backend latency and breaker state, as the customer-user backend's
            state = BreakerState.CLOSED if succeeded else self._breaker.state
            elapsed = time.perf_counter() - started
            observation.ldap_call(self.name, elapsed, succeeded, state.value)
        if self._breaker.last_error is not None and self._breaker.state is not BreakerState.CLOSED:
            logger.info("LDAP authentication backend %r answers again", self.name)
        self._breaker.succeeded()
        return result

    def _failed(self, reason: str) -> None:
        was_open = self._breaker.state is not BreakerState.CLOSED
        self._breaker.failed(reason)
        logger.warning("LDAP authentication backend %r: %s", self.name, reason)
        if self._breaker.state is BreakerState.OPEN and not was_open:
            logger.warning(
                "LDAP authentication backend %r: circuit open, not asked for %g s",
                self.name,
                self.config.breaker_reset_seconds,
            )
