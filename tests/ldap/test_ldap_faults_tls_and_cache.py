"""The LDAP backend's TLS (ldaps and StartTLS, with the right or a wrong CA, or a CA file that
cannot be read) and its lookup cache, which serves a user until the TTL while the directory is
down and never after.

SQLite only, with the short timeouts of ``fault_helpers.FAST``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.ldap.conftest import DB_BACKEND, MakeLdapApi
from tests.ldap.directory import Slapd
from tests.ldap.fault_helpers import FAST, backend_health
from tests.ldap.helpers import LDAP, USER, outages


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
    ttl = 3  # seconds: room for a slapd stop and two requests on a loaded machine
    api = await make_sqlite_api([DB_BACKEND, slapd.backend(**FAST, cache_ttl=ttl)])
    before = time.monotonic()
    response = await api.gql(USER, {"l": "LDAP001"})
    assert response.data["customerUser"]["source"] == LDAP
    after = time.monotonic()  # the entry was cached between ``before`` and ``after``
    slapd.stop()
    response = await api.gql(USER, {"l": "ldap001"})  # any spelling: the key is lower-case
    assert response.data["customerUser"]["login"] == "ldap001"  # from the cache
    assert time.monotonic() - before < ttl  # (so it was served before its time was up)
    response = await api.gql(USER, {"l": "ldap002"})  # never looked up: asks the server
    assert (response.body["data"], outages(response)) == ({"customerUser": None}, [LDAP])
    await asyncio.sleep(after + ttl + 0.05 - time.monotonic())
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
