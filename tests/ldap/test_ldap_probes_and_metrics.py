"""What an operator sees of an LDAP backend: ``/readyz`` is degraded but ready (200) when only
it is down, and ``/metrics`` has its call latency and its circuit breaker's state, for
customer-user and sign-in (``[[customer_auth.backends]]``) backends alike."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.api.customer_session_helpers import SIGN_IN
from tests.cli.helpers import free_port
from tests.conftest import Api
from tests.ldap.conftest import DB_BACKEND, MakeLdapApi
from tests.ldap.directory import Slapd
from tests.ldap.fault_helpers import FAST, sign_in_backend
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
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready", response.text


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


async def sign_in_readiness(make: MakeLdapApi, *auth: dict[str, Any]) -> tuple[int, Any]:
    """``/readyz`` of an app whose sign-in asks ``auth``, then the database."""
    api = await make([DB_BACKEND], customer_auth={"backends": [*auth, {"module": "db"}]})
    response = await api.client.get("/readyz")
    return response.status_code, response.json()


def states(entries: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(e["name"], e["kind"], e["status"]) for e in entries]


async def test_readyz_names_a_live_ldap_sign_in_backend(
    make_sqlite_api: MakeLdapApi, slapd: Slapd
) -> None:
    code, body = await sign_in_readiness(make_sqlite_api, sign_in_backend(slapd))
    assert (code, body["status"]) == (200, "ready"), body
    assert states(body["backends"]) == [("CustomerUser", "db", "up")]
    signing = body["customer_auth_backends"]
    assert states(signing) == [("SignIn", "ldap", "up"), ("db", "db", "up")]
    assert all(entry["latency_ms"] >= 0 for entry in signing)


async def test_readyz_is_degraded_but_ready_when_an_ldap_sign_in_backend_is_down(
    make_sqlite_api: MakeLdapApi, slapd: Slapd
) -> None:
    nobody = f"ldap://127.0.0.1:{free_port()}"
    refused = sign_in_backend(slapd, name="Gone", url=nobody)
    locked_out = sign_in_backend(slapd, name="WrongReader", search_user_password="not-it")
    code, body = await sign_in_readiness(make_sqlite_api, refused, locked_out)
    assert (code, body["status"]) == (200, "degraded"), body
    assert body["database"]["status"] == "up"
    assert states(body["backends"]) == [("CustomerUser", "db", "up")]
    gone, wrong_reader, db = body["customer_auth_backends"]
    assert states([gone, wrong_reader, db]) == [
        ("Gone", "ldap", "down"),
        ("WrongReader", "ldap", "down"),
        ("db", "db", "up"),
    ]
    assert "cannot connect" in gone["error"], gone
    assert wrong_reader["error"], wrong_reader  # the search user's bind was refused


async def test_readyz_sees_an_ldap_sign_in_backend_stop_and_come_back(
    make_sqlite_api: MakeLdapApi, slapd_restored: Slapd
) -> None:
    slapd = slapd_restored
    api = await make_sqlite_api(
        [DB_BACKEND], customer_auth={"backends": [sign_in_backend(slapd), {"module": "db"}]}
    )
    assert (await api.client.get("/readyz")).json()["status"] == "ready"
    slapd.stop()
    response = await api.client.get("/readyz")
    assert (response.status_code, response.json()["status"]) == (200, "degraded")
    slapd.start()
    await asyncio.sleep(FAST["breaker_reset_seconds"])  # an open breaker asks again after it
    response = await api.client.get("/readyz")
    assert (response.status_code, response.json()["status"]) == (200, "ready"), response.text


async def test_metrics_have_ldap_sign_in_backends_latency_and_breaker_state(
    make_sqlite_api: MakeLdapApi, slapd: Slapd
) -> None:
    nobody = f"ldap://127.0.0.1:{free_port()}"
    backends = [sign_in_backend(slapd), sign_in_backend(slapd, name="Down", url=nobody)]
    api = await make_sqlite_api(
        [DB_BACKEND], customer_auth={"backends": [*backends, {"module": "db"}]}
    )
    text = (await api.client.get("/metrics")).text
    assert value(text, "roster_ldap_breaker_state", backend="SignIn") == 0.0
    assert value(text, "roster_ldap_breaker_state", backend="Down") == 0.0
    before = value(text, CALLS, backend="SignIn", outcome="ok")
    for _ in range(FAST["breaker_failures"]):
        r = await api.gql(SIGN_IN, {"i": {"login": "nobody-here", "password": "Wrong-1"}})
        assert r.data["customerUserAuthenticate"]["success"] is False, r.body
    text = (await api.client.get("/metrics")).text
    # Each sign-in asked the live directory (a search, and a bind it refused: answers, "ok")
    # and failed to reach the other, whose breaker is open now.
    assert value(text, CALLS, backend="SignIn", outcome="ok") >= before + 2
    assert value(text, "roster_ldap_breaker_state", backend="SignIn") == 0.0
    assert value(text, CALLS, backend="Down", outcome="failed") >= FAST["breaker_failures"]
    assert value(text, "roster_ldap_breaker_state", backend="Down") == 2.0
