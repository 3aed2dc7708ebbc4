"""The LDAP backend when the directory fails: stopped, frozen, silent, down at start.

Every case goes through the GraphQL API of an app with a database backend first and the LDAP
backend second, with short timeouts (1 s) and a breaker that opens after 2 failures for 1 s
(``fault_helpers.FAST``). The answer must come within the timeout, with the database users and
a top-level ``BACKEND_UNAVAILABLE`` error naming the LDAP backend; and the backend must work
again by itself once slapd is back. These run on SQLite only: the database kind plays no part,
and each case waits out real timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.ldap.conftest import DB_BACKEND, MakeLdapApi
from tests.ldap.directory import Slapd
from tests.ldap.fault_helpers import (
    FAST,
    LOOP_GAP,
    PROMPT,
    TIMEOUT,
    backend_health,
    db_with_a_user,
    ldap_calls,
    listing,
    loop_watch,
    recovered,
    timed,
)
from tests.ldap.helpers import DB, LDAP, USER, create_db_user, outages


async def test_slapd_stopped_mid_run(slapd_restored: Slapd, make_sqlite_api: MakeLdapApi) -> None:
    slapd = slapd_restored
    api = await make_sqlite_api([DB_BACKEND, slapd.backend(**FAST)])
    await create_db_user(api, "db.only")
    sources, reported, _ = await listing(api)
    assert (sources, reported) == ({DB, LDAP}, [])

    slapd.stop()
    sources, reported, elapsed = await listing(api)
    assert (sources, reported) == ({DB}, [LDAP])  # the database users, and the outage
    assert elapsed < PROMPT
    health = await backend_health(api)  # the second failure: the breaker opens
    assert (health["status"], health["latencyMs"]) == ("DOWN", None)
    assert "cannot connect" in health["lastError"]

    calls = await ldap_calls(api, LDAP)
    response = await api.gql(USER, {"l": "ldap001"})
    assert (response.body["data"], outages(response)) == ({"customerUser": None}, [LDAP])
    assert await ldap_calls(api, LDAP) == calls  # the breaker answers: the server is not asked
    assert "circuit open" in (await backend_health(api))["lastError"]

    slapd.start()
    await recovered(api)


async def test_frozen_slapd_answers_within_the_timeout(
    slapd_restored: Slapd, make_sqlite_api: MakeLdapApi
) -> None:
    slapd = slapd_restored
    api = await make_sqlite_api([DB_BACKEND, slapd.backend(**FAST)])
    await create_db_user(api, "db.only")
    assert (await listing(api))[:2] == ({DB, LDAP}, [])  # a pooled connection is open now

    slapd.pause()
    async with loop_watch() as gaps:
        sources, reported, elapsed = await listing(api)  # on the pooled connection
    assert (sources, reported) == ({DB}, [LDAP])
    assert TIMEOUT * 0.9 < elapsed < PROMPT
    assert max(gaps) < LOOP_GAP, "the event loop was blocked while waiting for LDAP"
    response, elapsed = await timed(api, USER, {"l": "ldap001"})  # on a new connection
    assert (response.body["data"], outages(response)) == ({"customerUser": None}, [LDAP])
    assert elapsed < PROMPT
    health = await backend_health(api)
    assert health["status"] == "DOWN"
    assert "circuit open" in health["lastError"]

    slapd.resume()
    await recovered(api)


class SilentServer:
    """Accepts connections and never says a word; counts the connections the client closed."""

    def __init__(self) -> None:
        self.accepted: list[asyncio.StreamWriter] = []
        self.closed_by_client = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted.append(writer)
        with contextlib.suppress(ConnectionError):
            while await reader.read(65536):
                pass
            self.closed_by_client += 1


@pytest.fixture
async def silent() -> AsyncIterator[tuple[SilentServer, int]]:
    handler = SilentServer()
    server = await asyncio.start_server(handler.serve, "127.0.0.1", 0)
    try:
        yield handler, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in handler.accepted:
            writer.transport.abort()
        await server.wait_closed()


@pytest.mark.parametrize("transport", ["ldap", "ldaps", "starttls"])
async def test_a_port_that_never_answers(
    slapd: Slapd, make_sqlite_api: MakeLdapApi, silent: tuple[SilentServer, int], transport: str
) -> None:
    """An ``ldaps://`` handshake with a silent server would freeze the event loop inside
    libldap: the probe does the handshake with asyncio first. Every connection given up on is
    closed (bonsai leaked the socket of an open that never finished)."""
    server, silent_port = silent
    overrides: dict[str, Any] = {**FAST, "url": f"ldap://127.0.0.1:{silent_port}"}
    if transport == "ldaps":
        overrides.update(url=f"ldaps://127.0.0.1:{silent_port}", ca_file=slapd.ca_file)
    if transport == "starttls":
        overrides.update(start_tls=True, ca_file=slapd.ca_file)
    url = await db_with_a_user(make_sqlite_api)
    api = await make_sqlite_api([DB_BACKEND, slapd.backend(**overrides)], url=url)
    async with loop_watch() as gaps:
        sources, reported, elapsed = await listing(api)
    assert (sources, reported) == ({DB}, [LDAP])
    assert elapsed < PROMPT
    assert max(gaps) < LOOP_GAP, "the event loop was blocked while waiting for LDAP"
    response, elapsed = await timed(api, USER, {"l": "db.only"})
    assert response.data["customerUser"]["source"] == DB  # the first backend has it
    health = await backend_health(api)
    assert health["status"] == "DOWN"
    assert f"within {TIMEOUT:g} s" in health["lastError"]
    await asyncio.sleep(0.1)
    assert server.accepted
    assert server.closed_by_client == len(server.accepted)


async def test_roster_starts_while_ldap_is_down(
    slapd_restored: Slapd, make_sqlite_api: MakeLdapApi
) -> None:
    slapd = slapd_restored
    url = await db_with_a_user(make_sqlite_api)
    slapd.stop()
    api = await make_sqlite_api([DB_BACKEND, slapd.backend(**FAST)], url=url)
    sources, reported, elapsed = await listing(api)
    assert (sources, reported, elapsed < PROMPT) == ({DB}, [LDAP], True)
    # Asked again (a query text seen before takes schema/direct_execution.py's path): the
    # same partial answer and the same report.
    sources, reported, elapsed = await listing(api)
    assert (sources, reported, elapsed < PROMPT) == ({DB}, [LDAP], True)
    health = await backend_health(api)
    assert health["status"] == "DOWN"
    assert "Connection refused" in health["lastError"]

    slapd.start()
    await recovered(api)
