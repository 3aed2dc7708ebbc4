"""The LDAP backend when the directory fails: stopped, frozen, silent, down at start, bad TLS.

Every case goes through the GraphQL API of an app with a database backend first and the LDAP
backend second, with short timeouts (1 s) and a breaker that opens after 2 failures for 1 s.
The answer must come within the timeout, with the database users and a top-level
``BACKEND_UNAVAILABLE`` error naming the LDAP backend; and the backend must work again by
itself once slapd is back. These run on SQLite only: the database kind plays no part, and each
case waits out real timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import Api, GraphQLResponse, unique
from tests.ldap.conftest import DB_BACKEND, MakeLdapApi
from tests.ldap.directory import Slapd
from tests.ldap.helpers import (
    BACKENDS,
    DB,
    LDAP,
    LISTING,
    USER,
    assert_clean,
    create_db_user,
    create_user,
    new_customer,
    outages,
)

TIMEOUT = 1.0
FAST: dict[str, Any] = {
    "timeout_seconds": TIMEOUT,
    "connect_timeout_seconds": TIMEOUT,
    "breaker_failures": 2,
    "breaker_reset_seconds": 1.0,
}
# The answer's deadline: the timeout plus time for the rest of the request.
PROMPT = TIMEOUT + 0.8


async def timed(
    api: Api, query: str, variables: dict[str, Any] | None = None
) -> tuple[GraphQLResponse, float]:
    started = time.monotonic()
    response = await api.gql(query, variables)
    return response, time.monotonic() - started


@contextlib.asynccontextmanager
async def loop_watch() -> AsyncIterator[list[float]]:
    """The gaps between ticks of a 10 ms timer while the block runs: a blocked event loop
    shows as a long gap. The garbage collector is off meanwhile: late in a full test run a
    collection of the session's heap once paused this process for 0.8 s, which is not what
    these tests look for."""
    gaps: list[float] = [0.0]

    async def tick() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    gc.disable()
    ticker = asyncio.create_task(tick())
    try:
        yield gaps
    finally:
        gc.enable()
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker


async def listing(api: Api) -> tuple[set[str], list[str], float]:
    """(the sources listed, the backends reported unavailable, the seconds it took)."""
    response, elapsed = await timed(api, LISTING, {"f": 1000})
    reported = outages(response)
    nodes = response.body["data"]["customerUsers"]["nodes"]
    return {n["source"] for n in nodes}, reported, elapsed


async def backend_health(api: Api) -> dict[str, Any]:
    response = await api.gql(BACKENDS)
    assert_clean(response)
    health: dict[str, Any] = response.data["backends"][1]
    assert health["name"] == LDAP
    return health


async def db_with_a_user(make: MakeLdapApi) -> str:
    """A database with the user ``db.only``, written through a database-only app (so that no
    LDAP backend takes part in the create), for an app whose LDAP backend will not answer."""
    api = await make([DB_BACKEND])
    await create_db_user(api, "db.only")
    return api.storage.config.database.url


async def recovered(api: Api) -> None:
    """The LDAP users are back once the breaker's reset time has passed."""
    await asyncio.sleep(FAST["breaker_reset_seconds"])
    sources, reported, elapsed = await listing(api)
    assert (sources, reported) == ({DB, LDAP}, [])
    assert elapsed < PROMPT
    assert (await backend_health(api))["status"] == "UP"


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

    response, elapsed = await timed(api, USER, {"l": "ldap001"})
    assert (response.body["data"], outages(response)) == ({"customerUser": None}, [LDAP])
    assert elapsed < 0.5  # the breaker answers at once
    assert "circuit open" in (await backend_health(api))["lastError"]

    slapd.start()
    await recovered(api)


async def test_no_login_is_created_while_its_uniqueness_cannot_be_checked(
    slapd_restored: Slapd, make_sqlite_api: MakeLdapApi
) -> None:
    """A login must be unique across every backend: with LDAP down a create (or a rename) is
    refused with a typed user error instead of risking a duplicate of an LDAP login."""
    slapd = slapd_restored
    api = await make_sqlite_api([DB_BACKEND, slapd.backend(**FAST)])
    await create_db_user(api, "db.before")
    slapd.stop()
    payload = await create_user(api, "ldap001")
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("BACKEND_UNAVAILABLE", ["input", "login"])
    ]
    assert LDAP in payload["userErrors"][0]["message"]
    rename = await api.gql(
        "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
        " userErrors { code field } } }",
        {"i": {"login": "db.before", "newLogin": "ldap002"}},
    )
    assert rename.data["customerUserUpdate"]["userErrors"] == [
        {"code": "BACKEND_UNAVAILABLE", "field": ["input", "newLogin"]}
    ]
    slapd.start()
    await recovered(api)
    # Nothing was written while it was down: the LDAP user is the only ldap001, db.before kept.
    found = await api.gql(USER, {"l": "ldap001"})
    assert found.data["customerUser"]["source"] == LDAP
    kept = await api.gql(USER, {"l": "db.before"})
    assert kept.data["customerUser"]["source"] == DB


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
    assert max(gaps) < 0.25, "the event loop was blocked while waiting for LDAP"
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
    assert max(gaps) < 0.25, "the event loop was blocked while waiting for LDAP"
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


@pytest.mark.parametrize("transport", ["ldaps", "starttls"])
@pytest.mark.parametrize("trusted", [True, False], ids=["right-ca", "wrong-ca"])
async def test_tls(
    slapd: Slapd, make_sqlite_api: MakeLdapApi, transport: str, trusted: bool
) -> None:
    overrides: dict[str, Any] = {
        **FAST,
        "ca_file": slapd.ca_file if trusted else slapd.wrong_ca_file,
    }
    if transport == "ldaps":
        overrides["url"] = slapd.ldaps_url
    else:
        overrides["start_tls"] = True
    api = await make_sqlite_api([DB_BACKEND, slapd.backend(**overrides)])
    response = await api.gql(USER, {"l": "ldap001"})
    health = await backend_health(api)
    if trusted:
        assert response.data["customerUser"]["source"] == LDAP
        assert (health["status"], health["lastError"]) == ("UP", None)
    else:
        assert (response.body["data"], outages(response)) == ({"customerUser": None}, [LDAP])
        assert health["status"] == "DOWN"
        assert "TLS certificate rejected" in health["lastError"]


async def test_cached_lookups_are_served_until_their_ttl_and_never_after(
    slapd_restored: Slapd, make_sqlite_api: MakeLdapApi
) -> None:
    slapd = slapd_restored
    api = await make_sqlite_api([DB_BACKEND, slapd.backend(**FAST, cache_ttl=1)])
    response = await api.gql(USER, {"l": "LDAP001"})
    assert response.data["customerUser"]["source"] == LDAP
    started = time.monotonic()
    slapd.stop()
    response = await api.gql(USER, {"l": "ldap001"})  # any spelling: the key is lower-case
    assert response.data["customerUser"]["login"] == "ldap001"  # from the cache
    response = await api.gql(USER, {"l": "ldap002"})  # never looked up: asks the server
    assert (response.body["data"], outages(response)) == ({"customerUser": None}, [LDAP])
    assert time.monotonic() - started < 1
    await asyncio.sleep(1 - (time.monotonic() - started))
    response = await api.gql(USER, {"l": "ldap001"})  # expired: not served any more
    assert (response.body["data"], outages(response)) == ({"customerUser": None}, [LDAP])


async def test_an_unreadable_ca_file_is_a_clear_outage(
    slapd: Slapd, make_sqlite_api: MakeLdapApi
) -> None:
    backend = slapd.backend(**FAST, url=slapd.ldaps_url, ca_file="/nonexistent/ca.pem")
    api = await make_sqlite_api([DB_BACKEND, backend])  # starts all the same
    response = await api.gql(USER, {"l": "ldap001"})
    assert (response.body["data"], outages(response)) == ({"customerUser": None}, [LDAP])
    health = await backend_health(api)
    assert health["status"] == "DOWN"
    assert "CA file '/nonexistent/ca.pem' cannot be used" in health["lastError"]


LOGIN_WRITES: list[tuple[str, str, str, dict[str, Any], list[str]]] = [
    # (mutation, input type, payload selection, input (ldap001 stands in), field of the refusal)
    (
        "customerUserSetGroups",
        "CustomerUserSetGroupsInput",
        "customerUser { login }",
        {"login": "ldap001", "grants": [{"groupId": "$group", "permissions": ["ro"]}]},
        ["input", "login"],
    ),
    (
        "customerUserSetCustomers",
        "CustomerUserSetCustomersInput",
        "customerUser { login }",
        {"login": "ldap001", "customerIds": ["$customer"]},
        ["input", "login"],
    ),
    (
        "customerSetCustomerUsers",
        "CustomerSetCustomerUsersInput",
        "customer { customerId }",
        {"customerId": "$customer", "logins": ["ldap001"]},
        ["input", "logins"],
    ),
    (
        "groupSetCustomerUsers",
        "GroupSetCustomerUsersInput",
        "group { groupId }",
        {"groupId": "$group", "grants": [{"login": "LDAP001", "permissions": ["rw"]}]},
        ["input", "grants"],
    ),
    (
        "customerUserSetServices",
        "CustomerUserSetServicesInput",
        "customerUser { login }",
        {"login": "ldap001", "serviceIds": ["$service"]},
        ["input", "login"],
    ),
    (
        "serviceSetCustomerUsers",
        "ServiceSetCustomerUsersInput",
        "service { serviceId }",
        {"serviceId": "$service", "logins": ["ldap001"]},
        ["input", "logins"],
    ),
    (
        "customerUserUpdate",
        "CustomerUserUpdateInput",
        "customerUser { login }",
        {"login": "ldap001", "firstName": "Changed"},
        ["input", "login"],
    ),
    (
        "customerUserSetPassword",
        "CustomerUserSetPasswordInput",
        "customerUser { login }",
        {"login": "ldap001"},
        ["input", "login"],
    ),
]
RELATION_ROWS = (
    "SELECT (SELECT count(*) FROM group_customer_user WHERE lower(user_id) = 'ldap001')"
    " + (SELECT count(*) FROM customer_user_customer WHERE lower(user_id) = 'ldap001')"
    " + (SELECT count(*) FROM service_customer_user WHERE lower(customer_user_login) = 'ldap001')"
)


async def test_no_write_names_an_ldap_user_as_unknown_while_ldap_is_down(
    slapd_restored: Slapd, make_sqlite_api: MakeLdapApi
) -> None:
    """With the directory down, a write that must find ``ldap001`` cannot know whether it
    exists: every one is refused with BACKEND_UNAVAILABLE naming the backend (never a false
    UNKNOWN_CUSTOMER_USER / NOT_FOUND), and nothing is written. A database user, which the
    first backend answers for, is served as usual meanwhile."""
    slapd = slapd_restored
    api = await make_sqlite_api([DB_BACKEND, slapd.backend(**FAST)])
    await create_db_user(api, "db.still")
    made = {
        "$customer": await new_customer(api),
        "$group": (
            await api.data(
                "mutation($n: String!) { groupCreate(input: {name: $n}) { group { groupId } } }",
                {"n": unique("g")},
            )
        )["groupCreate"]["group"]["groupId"],
        "$service": (
            await api.data(
                "mutation($n: String!) { serviceCreate(input: {name: $n}) {"
                " service { serviceId } } }",
                {"n": unique("s")},
            )
        )["serviceCreate"]["service"]["serviceId"],
    }

    def filled(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: filled(v) for k, v in value.items()}
        if isinstance(value, list):
            return [filled(v) for v in value]
        return made.get(value, value) if isinstance(value, str) else value

    assert (await api.data(USER, {"l": "ldap001"}))["customerUser"]["source"] == LDAP
    slapd.stop()
    for mutation, input_type, selection, values, field in LOGIN_WRITES:
        response = await api.gql(
            f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ {selection}"
            " userErrors { field code message } } }",
            {"i": filled(values)},
        )
        assert_clean(response)
        errors = response.data[mutation]["userErrors"]
        assert [(e["code"], e["field"]) for e in errors] == [("BACKEND_UNAVAILABLE", field)], (
            mutation
        )
        assert LDAP in errors[0]["message"], mutation
    async with api.storage.engine.connect() as conn:
        assert (await conn.execute(sa.text(RELATION_ROWS))).scalar_one() == 0

    # The database user is the first backend's: LDAP's outage is no reason to refuse.
    response = await api.gql(
        "mutation($i: CustomerUserSetCustomersInput!) { customerUserSetCustomers(input: $i) {"
        " userErrors { code } } }",
        {"i": {"login": "db.still", "customerIds": [made["$customer"]]}},
    )
    assert response.data["customerUserSetCustomers"]["userErrors"] == []
