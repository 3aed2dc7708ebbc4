"""A few bonsai connections per backend, one operation at a time each, behind timeouts.

bonsai's own ``AIOConnectionPool`` connects while holding its lock (one hanging connect
stalls every caller), waits for a free connection without a timeout and never checks an idle
connection; and one bonsai connection must not run two operations at once (bonsai #102). This
pool is the small part of that we need:

* at most ``pool_size`` connections, each lent to one operation at a time; waiting for one,
  connecting one and running the operation each have a deadline, which counts only the time
  this process's event loop ran (``datasources.deadline``): a process that stood still (a long
  garbage collection, a throttled CPU quota, a request holding the loop) is not a directory
  that does not answer. bonsai's own timeouts wait on the wall clock, so they never wait here
  (``_Connection._poll``); a search's ``timeout`` only goes to the server, as its time limit;
* a new connection is first probed with asyncio's own sockets (``probe``), because bonsai's
  connect can block the event loop (see there);
* a connection whose operation failed in any way is closed, never reused: it may still have
  an answer on the way. A reused connection that turns out to be gone (the server restarted
  or dropped it while idle) is retried once on a fresh one, and the other idle ones, from the
  same era, are dropped: so Roster recovers by itself when the server comes back.

Every failure leaves here as :class:`LdapFailure`, with a reason for an operator and whether
it says something about the server's health (a timeout does; a server that answered with an
error result does not).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import bonsai
import bonsai.errors
from bonsai.asyncio import AIOLDAPConnection

from datasources import spans
from datasources.deadline import deadline
from datasources.ldap.filters import MATCH_ALL
from datasources.ldap.probe import Endpoint, ProbeFailed, Transport, probe
from domain.config import LdapBackendConfig

T = TypeVar("T")


class LdapFailure(Exception):
    """An LDAP call did not give an answer; ``health`` says whether that counts against the
    server (for the circuit breaker)."""

    def __init__(self, reason: str, *, health: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.health = health


class _Connection(AIOLDAPConnection):
    """bonsai's asyncio connection, made safe to give up on, and waiting without a clock.

    bonsai waits for each answer with ``asyncio.wait_for(…, timeout)``: the wall clock, which
    runs out while this process stands still with the answer on its way; an answer read in
    more than one go (a page of entries, an open's round trips) then loses to the timer
    (measured: a stall past the timeout as a listing's paged search was sent ended it as "no
    answer", though the pool's own deadline counted only running time). Here it waits
    without one: the pool's deadlines (``datasources.deadline``) bound every wait. A search's
    ``timeout`` still reaches the server: bonsai hands it to ``ldap_search_ext``, which sends
    its whole seconds as the request's time limit (the server's own clock).

    Two bonsai leaks are closed here. ``_poll`` takes the socket off the event loop only when
    the wait raises an ``Exception``; a cancellation (every deadline here is one) is a
    ``BaseException``, and it left the reader and writer registered: the loop kept calling
    into a connection we had given up, and a later socket with the same descriptor number
    would fail to register. And an open that never finished (a server that accepts and does
    not answer the bind) stays in the connection's pending operations, whose iterator refers
    back to the connection: a cycle of C objects the garbage collector cannot see, so the
    libldap handle and its socket were never freed (measured: one socket per timed-out
    connect). ``discard`` abandons that operation, and the connection is freed once dropped.
    """

    _open_id: int | None = None
    _open_answered = False

    async def _poll(self, msg_id: int, timeout: float | None = None) -> Any:  # noqa: ASYNC109
        # bonsai's signature, overridden: its wall-clock timeout is dropped (see above).
        if self.closed and self._open_id is None:
            self._open_id = msg_id  # the first wait of an unopened connection is the open
        try:
            return await super()._poll(msg_id, None)  # type: ignore[no-untyped-call]
        except BaseException as exc:
            self.unregister()
            if msg_id == self._open_id and isinstance(exc, bonsai.errors.LDAPError):
                # The server answered the open (a refused bind): nothing is pending, and
                # bonsai raises SystemError when asked to abandon it.
                self._open_answered = True
            raise

    def unregister(self) -> None:
        try:
            fd = self.fileno()
        except (bonsai.errors.LDAPError, ValueError, OSError):
            return
        if fd >= 0:
            self._loop.remove_reader(fd)
            self._loop.remove_writer(fd)

    def discard(self) -> None:
        self.unregister()
        if self.closed:
            self._abandon_open()
        with contextlib.suppress(bonsai.errors.LDAPError, OSError):
            self.close()

    def _abandon_open(self) -> None:
        open_id = self._open_id
        with contextlib.suppress(bonsai.errors.LDAPError, ValueError, OSError):
            # While bonsai's init thread runs, fileno() is the open's own id (a socketpair)
            # and there is no libldap handle to abandon with yet.
            fd = self.fileno()
            if open_id is None or fd == open_id:
                return
            if not self._open_answered:
                self.abandon(open_id)
            # The handle (and the descriptor) go when the last reference does, which a
            # traceback may hold for a while; the server need not wait for that.
            with socket.socket(fileno=os.dup(fd)) as sock:
                sock.shutdown(socket.SHUT_RDWR)


def make_client(config: LdapBackendConfig) -> Any:
    """The bonsai client: URL, bind, TLS verification (``demand``) and no referrals."""
    endpoint = Endpoint.from_config(config)
    client = bonsai.LDAPClient(config.url, tls=endpoint.transport is Transport.STARTTLS)
    if config.bind_dn:
        client.set_credentials("SIMPLE", user=config.bind_dn, password=config.bind_password)
    if endpoint.transport is not Transport.PLAIN:
        client.set_cert_policy("demand")
        if config.ca_file:
            client.set_ca_cert(config.ca_file)
    client.set_ignore_referrals(True)
    client.set_server_chase_referrals(False)
    client.set_auto_page_acquire(False)
    client.set_async_connection_class(_Connection)
    return client


class ConnectionPool:
    def __init__(self, config: LdapBackendConfig) -> None:
        self._endpoint = Endpoint.from_config(config)
        self._client = make_client(config)
        self._size = config.pool_size
        self._slots = asyncio.Semaphore(config.pool_size)
        self._idle: list[_Connection] = []
        self._connect_timeout = config.connect_timeout_seconds
        self._timeout = config.timeout_seconds
        self._closed = False
        self._backend = config.name

    async def run(self, operation: Callable[[Any], Awaitable[T]], what: str = "call") -> T:
        """``operation(connection)``'s result, or :class:`LdapFailure`. ``what`` names the
        call in its trace span (``datasources.spans``; traces off: no span at all)."""
        span = spans.opener
        if span is None:
            return await self._guarded(operation)
        attributes = {
            "ldap.backend": self._backend,
            "ldap.operation": what,
            "server.address": self._endpoint.host,
            "server.port": self._endpoint.port,
        }
        with span(f"LDAP {what}", attributes, client=True):
            return await self._guarded(operation)

    async def _guarded(self, operation: Callable[[Any], Awaitable[T]]) -> T:
        try:
            return await self._run(operation)
        except LdapFailure:
            raise
        except ProbeFailed as exc:
            raise LdapFailure(exc.reason) from exc
        except (TimeoutError, bonsai.errors.TimeoutError) as exc:
            raise LdapFailure(f"no answer within {self._timeout:g} s") from exc
        except bonsai.errors.AuthenticationError as exc:
            raise LdapFailure(f"bind refused: {exc}") from exc
        except (bonsai.errors.ConnectionError, bonsai.errors.ClosedConnection) as exc:
            raise LdapFailure(f"connection failed: {exc}") from exc
        except bonsai.errors.LDAPError as exc:
            raise LdapFailure(f"the server answered with an error: {exc}", health=False) from exc
        except OSError as exc:
            raise LdapFailure(f"{type(exc).__name__}: {exc}") from exc

    async def _run(self, operation: Callable[[Any], Awaitable[T]]) -> T:
        try:
            async with deadline(self._timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise LdapFailure(
                f"all {self._size} connections stayed busy for {self._timeout:g} s"
            ) from None
        try:
            retried = False
            while True:
                connection, reused = await self._take()
                try:
                    async with deadline(self._timeout):
                        result = await operation(connection)
                except (bonsai.errors.ConnectionError, bonsai.errors.ClosedConnection):
                    connection.discard()
                    if reused and not retried:
                        retried = True
                        self._drop_idle()
                        continue
                    raise
                except BaseException:
                    connection.discard()
                    raise
                self._give_back(connection)
                return result
        finally:
            self._slots.release()

    async def _take(self) -> tuple[_Connection, bool]:
        if self._idle:
            return self._idle.pop(), True
        return await self._connect(), False

    async def _connect(self) -> _Connection:
        """A new connection, probed first (``probe``), then opened (and bound) by bonsai:
        both within ``connect_timeout_seconds`` of a running loop."""
        probed = False
        try:
            async with deadline(self._connect_timeout):
                await probe(self._endpoint)
                probed = True
                pending = self._client.connect(is_async=True)
                try:
                    connection: _Connection = await pending
                except BaseException:
                    pending.discard()
                    raise
        except TimeoutError:
            what = "connection to" if probed else "answer from"
            raise LdapFailure(
                f"no {what} {self._endpoint.address} within {self._connect_timeout:g} s"
            ) from None
        return connection

    def _give_back(self, connection: _Connection) -> None:
        if self._closed:
            connection.discard()
        else:
            self._idle.append(connection)

    def _drop_idle(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.discard()

    async def close(self) -> None:
        self._closed = True
        self._drop_idle()


def base_read(base_dn: str, timeout: float) -> Callable[[Any], Awaitable[None]]:
    """A health check's round trip on a pooled connection: a base-scope read of ``base_dn``
    asking for no attribute, the cheapest request that proves the bind and the base DN
    (``timeout``: the server's time limit; the pool's deadline bounds the wait)."""

    async def ping(conn: Any) -> None:
        await conn.search(base_dn, bonsai.LDAPSearchScope.BASE, MATCH_ALL, ["1.1"], timeout=timeout)

    return ping
