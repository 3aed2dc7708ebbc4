"""A process that stands still is not a directory that does not answer.

A long garbage collection, a throttled CPU quota or a request that holds the event loop stops
this whole process, while the directory's answer is on its way. The LDAP timeouts count only
the time the event loop ran (``datasources.deadline``), so a stall past the timeout, right as
an LDAP call starts, costs nothing: the listing still has the directory's users, no
``BACKEND_UNAVAILABLE``, no failure logged, the breaker stays closed and ``backends`` says UP.
(With wall-clock timeouts such a stall was ``BACKEND_UNAVAILABLE``, "no answer … within
1.5 s", a failure towards the breaker.) The customer sign-in's case is in
``test_ldap_customer_auth``.

The stalls are real (``fault_helpers.standing_still``), the directory is the session's slapd.
SQLite only, as the other fault cases: the database plays no part.
"""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.ldap.conftest import DB_BACKEND, MakeLdapApi
from tests.ldap.directory import Slapd
from tests.ldap.fault_helpers import (
    FAST,
    TIMEOUT,
    backend_health,
    db_with_a_user,
    listing,
    standing_still,
)
from tests.ldap.helpers import DB, LDAP

WIDE = {**FAST, "search_list_limit": 1000}
"""The fault cases' timeouts and breaker; a listing of all 303 entries (the limit's warning
would be a log line about the backend)."""


async def still_up(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    """Without a stall: the directory's users, the backend UP, and no LDAP failure logged
    (a failure would have been logged, and two would have opened the breaker)."""
    assert (await listing(api))[:2] == ({DB, LDAP}, [])
    health = await backend_health(api)
    assert (health["status"], health["lastError"]) == ("UP", None)
    assert "LDAP backend" not in caplog.text, caplog.text


async def test_connecting_while_the_process_stands_still(
    slapd: Slapd, make_sqlite_api: MakeLdapApi, caplog: pytest.LogCaptureFixture
) -> None:
    """The app's first LDAP call opens a connection: the process stands still while its
    connect is under way."""
    url = await db_with_a_user(make_sqlite_api)
    api = await make_sqlite_api([DB_BACKEND, slapd.backend(**WIDE)], url=url)
    with standing_still() as stalls:
        sources, reported, _ = await listing(api)
    assert len(stalls) == 1
    assert stalls[0] > TIMEOUT  # the process did stand still past the timeout
    assert (sources, reported) == ({DB, LDAP}, [])
    await still_up(api, caplog)


async def test_paged_searches_on_a_pooled_connection_while_the_process_stands_still(
    slapd: Slapd, make_sqlite_api: MakeLdapApi, caplog: pytest.LogCaptureFixture
) -> None:
    """An open connection, and a listing whose search takes a round trip per 20 entries
    (``page_size``): the process stands still as its search is sent, twice (two failures
    would open the breaker); and as the health check behind ``backends`` is sent."""
    url = await db_with_a_user(make_sqlite_api)
    api = await make_sqlite_api([DB_BACKEND, slapd.backend(**WIDE)], url=url)
    assert (await listing(api))[:2] == ({DB, LDAP}, [])  # a connection is in the pool now

    for _ in range(2):
        with standing_still() as stalls:
            sources, reported, _ = await listing(api)
        assert len(stalls) == 1
        assert stalls[0] > TIMEOUT
        assert (sources, reported) == ({DB, LDAP}, [])

    with standing_still() as stalls:
        health = await backend_health(api)
    assert len(stalls) == 1
    assert (health["status"], health["lastError"]) == ("UP", None)
    await still_up(api, caplog)
