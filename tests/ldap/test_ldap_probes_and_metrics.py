"""What an operator sees of an LDAP backend: ``/readyz`` is degraded but ready (200) when only
it is down, and ``/metrics`` has its call latency and its circuit breaker's state."""

from __future__ import annotations

from tests.cli.helpers import free_port
from tests.conftest import Api
from tests.ldap.conftest import DB_BACKEND, MakeLdapApi
from tests.ldap.directory import Slapd
from tests.ldap.fault_helpers import FAST
from tests.ldap.helpers import LISTING
from tests.metrics_helpers import value

CALLS = "roster_ldap_call_duration_seconds_count"


async def test_readyz_is_degraded_but_ready_when_only_ldap_is_down(
    make_sqlite_api: MakeLdapApi, slapd: Slapd
) -> None:
    nobody = f"ldap://127.0.0.1:{free_port()}"
    api = await make_sqlite_api([DB_BACKEND, slapd.backend(url=nobody, name="Gone", **FAST)])
    response = await api.client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["status"] == "up"
    by_name = {b["name"]: b for b in body["backends"]}
    assert by_name["CustomerUser"]["status"] == "up"
    assert by_name["Gone"]["status"] == "down"
    assert by_name["Gone"]["kind"] == "ldap"
    assert by_name["Gone"]["error"]


async def test_readyz_is_ready_with_a_live_ldap_backend(ldap_api: Api) -> None:
    response = await ldap_api.client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


async def test_metrics_have_ldap_latency_and_breaker_state(
    make_sqlite_api: MakeLdapApi, slapd: Slapd
) -> None:
    live = await make_sqlite_api([DB_BACKEND, slapd.backend(name="Live")])
    before = value((await live.client.get("/metrics")).text, CALLS, backend="Live", outcome="ok")
    assert (await live.gql(LISTING, {"f": 5})).status == 200
    text = (await live.client.get("/metrics")).text
    assert value(text, CALLS, backend="Live", outcome="ok") > before
    assert value(text, "roster_ldap_breaker_state", backend="Live") == 0.0

    nobody = f"ldap://127.0.0.1:{free_port()}"
    gone = await make_sqlite_api([DB_BACKEND, slapd.backend(url=nobody, name="Down", **FAST)])
    for _ in range(FAST["breaker_failures"]):
        await gone.gql(LISTING, {"f": 5})
    text = (await gone.client.get("/metrics")).text
    assert value(text, CALLS, backend="Down", outcome="failed") >= FAST["breaker_failures"]
    assert value(text, "roster_ldap_breaker_state", backend="Down") == 2.0  # open
