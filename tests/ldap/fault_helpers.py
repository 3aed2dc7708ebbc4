"""What the ``test_ldap_faults*`` modules share: the short timeouts and breaker every fault case
runs with, a watch on the event loop, a process that stands still while LDAP calls are in
flight, and the reads that show an outage (the listing, the backend's health) and the
recovery after it.

Every case goes through the GraphQL API of an app with a database backend first and the LDAP
backend second, on SQLite only: the database kind plays no part, and each case waits out real
timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from datasources import spans
from tests.checks import assert_clean_200
from tests.conftest import Api, GraphQLResponse
from tests.ldap.conftest import DB_BACKEND, MakeLdapApi
from tests.ldap.directory import BASE_DN, READER_DN, READER_PASSWORD, Slapd
from tests.ldap.helpers import BACKENDS, DB, LDAP, LISTING, create_db_user, outages
from tests.metrics_helpers import value
from tests.timing import no_collection

CALLS = "roster_ldap_call_duration_seconds_count"

TIMEOUT = 1.5
FAST: dict[str, Any] = {
    "timeout_seconds": TIMEOUT,
    "connect_timeout_seconds": TIMEOUT,
    "breaker_failures": 2,
    # Long enough that a check right after the breaker opened still finds it open on a loaded
    # machine; every recovery waits it out.
    "breaker_reset_seconds": 2.0,
}
# The bounds tell a wait apart from none, and one timeout's wait from two (a wait per step);
# the rest is room for the rest of the request on a loaded machine (a sign-in that goes on to
# the database backend also verifies a hash, in threads that yield the CPU to everything else).
PROMPT = TIMEOUT * 1.9  # answered after one timeout at most
LOOP_GAP = TIMEOUT / 2  # a blocked event loop shows one gap as long as the timeout


def sign_in_backend(slapd: Slapd, **overrides: Any) -> dict[str, Any]:
    """An LDAP sign-in backend (a ``customer_auth.backends`` entry) on ``slapd``, searching as
    the reader, with the short timeouts and breaker above."""
    return {
        "module": "ldap",
        "name": "SignIn",
        "url": slapd.url,
        "base_dn": BASE_DN,
        "search_user_dn": READER_DN,
        "search_user_password": READER_PASSWORD,
        **FAST,
        **overrides,
    }


async def timed(
    api: Api, query: str, variables: dict[str, Any] | None = None
) -> tuple[GraphQLResponse, float]:
    """The response to ``query`` and the seconds it took (no garbage collection meanwhile:
    :func:`no_collection`)."""
    with no_collection():
        started = time.monotonic()
        response = await api.gql(query, variables)
        return response, time.monotonic() - started


async def ldap_calls(api: Api, backend: str) -> float:
    """How many calls the LDAP backend ``backend`` has made to its server, answered or not
    (``/metrics``): a call the circuit breaker refuses is not one."""
    text = (await api.client.get("/metrics")).text
    return sum(value(text, CALLS, backend=backend, outcome=o) for o in ("ok", "failed"))


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

    ticker = asyncio.create_task(tick())
    try:
        with no_collection():
            yield gaps
    finally:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker


STALL = TIMEOUT * 1.5
"""How long the process stands still in ``standing_still``: past the timeout."""


@contextlib.contextmanager
def standing_still(*, times: int = 1) -> Iterator[list[float]]:
    """For the block: the whole event loop stands still for ``STALL`` seconds (a blocking
    sleep, as a long garbage collection, a throttled CPU quota or a request that holds the
    loop would) right after each of the first ``times`` LDAP calls starts, once the call
    waits for the first time: its request is sent, or its connect is under way. Yields the
    stalls' measured durations.

    The calls are found through the trace-span slot every LDAP call opens a span in
    (``datasources.spans``, ``pool.ConnectionPool.run``; the real tracer's, if any, still
    gets its span): only the timing comes from there, the stall and the directory are real.
    """
    loop = asyncio.get_running_loop()
    stalls: list[float] = []
    scheduled = 0
    saved = spans.opener

    def stand_still() -> None:
        started = time.monotonic()
        time.sleep(STALL)  # the whole loop stops
        stalls.append(time.monotonic() - started)

    def opener(
        name: str, attributes: Mapping[str, Any], /, *, client: bool = False
    ) -> contextlib.AbstractContextManager[Any]:
        nonlocal scheduled
        if name.startswith("LDAP ") and scheduled < times:
            scheduled += 1
            loop.call_soon(stand_still)  # runs once the call waits
        if saved is None:
            return contextlib.nullcontext()
        return saved(name, attributes, client=client)

    spans.opener = opener
    try:
        yield stalls
    finally:
        spans.opener = saved


async def listing(api: Api) -> tuple[set[str], list[str], float]:
    """(the sources listed, the backends reported unavailable, the seconds it took)."""
    response, elapsed = await timed(api, LISTING, {"f": 1000})
    reported = outages(response)
    nodes = response.body["data"]["customerUsers"]["nodes"]
    return {n["source"] for n in nodes}, reported, elapsed


async def backend_health(api: Api) -> dict[str, Any]:
    """The LDAP backend's entry of ``backends`` (status, latency, last error)."""
    response = await api.gql(BACKENDS)
    assert_clean_200(response)
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
