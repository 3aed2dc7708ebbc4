"""Authentication on SQLite and PostgreSQL: a request without a valid key is a bare 401
UNAUTHENTICATED that leaks nothing and writes nothing; anonymous access (demo mode) acts as
admin only where configured, and still checks a key that is presented.

The ``test_auth_*`` and ``test_request_*`` modules share ``auth_helpers.py``.
"""

from __future__ import annotations

import httpx
import pytest

from datasources.db.api_keys import Scope
from tests.api.auth_helpers import (
    CUSTOMER_CREATE,
    CUSTOMER_GET,
    CUSTOMER_UPDATE,
    LISTING,
    assert_forbidden,
    assert_no_leak_in,
    assert_unauthenticated,
    bearer,
    create_customer,
    create_user,
    new_key,
)
from tests.conftest import Api, MakeApi, unique

# --- authentication ----------------------------------------------------------------------------


async def test_no_authorization_header_is_401(api: Api) -> None:
    for query in (LISTING, "{ __schema { types { name } } }", "{ __typename }"):
        assert_unauthenticated(await api.gql(query, key=None))


async def test_401_carries_www_authenticate(api: Api) -> None:
    response = await api.client.post("/graphql", json={"query": LISTING})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer rst_thisisnotakey",
        "Bearer nonsense",
        "Basic xyz",
        "Basic YWRtaW46YWRtaW4=",
        "Bearer ",
        "Bearer",
        "Bearer    ",
        "",
        "Token rst_abc",
        "Bearer rst_" + "a" * 500,
        "Bearer rst_' OR '1'='1",
    ],
)
async def test_bad_authorization_header_is_401(api: Api, header: str) -> None:
    await create_customer(api)  # there is data to leak
    assert_unauthenticated(await api.gql(LISTING, key=header))


async def test_near_miss_of_a_real_key_is_401(api: Api) -> None:
    for header in (
        bearer(api.admin_key + "x"),
        bearer(api.admin_key[:-1]),
        bearer(api.admin_key.upper()),
        f"Basic {api.admin_key}",
        api.admin_key,
    ):
        assert_unauthenticated(await api.gql(LISTING, key=header))


async def test_scheme_is_case_insensitive_and_token_trimmed(api: Api) -> None:
    for header in (
        f"bearer {api.admin_key}",
        f"BEARER {api.admin_key}",
        f"Bearer  {api.admin_key}",
        f"Bearer {api.admin_key} ",
    ):
        r = await api.gql(LISTING, key=header)
        assert r.status == 200
        assert "customers" in r.data


async def test_revoked_key_is_401(api: Api) -> None:
    secret, name = await new_key(api, Scope.ADMIN, "revoke-me-")
    assert (await api.gql(LISTING, key=bearer(secret))).status == 200
    assert await api.storage.api_keys.revoke(name) is True
    assert_unauthenticated(await api.gql(LISTING, key=bearer(secret)))
    cid = unique("C")
    r = await api.gql(CUSTOMER_CREATE, {"i": {"customerId": cid, "name": cid}}, key=bearer(secret))
    assert_unauthenticated(r)
    assert (await api.data(CUSTOMER_GET, {"c": cid}))["customer"] is None
    assert await api.storage.api_keys.revoke(name) is False  # already revoked


async def test_revoked_read_key_is_401(api: Api) -> None:
    secret, name = await new_key(api, Scope.READ, "revoke-read-")
    await api.storage.api_keys.revoke(name)
    assert_unauthenticated(await api.gql(LISTING, key=bearer(secret)))


async def test_unauthenticated_mutation_writes_nothing(api: Api) -> None:
    cid = unique("C")
    for key in (None, "Bearer rst_wrong", "Basic xyz"):
        r = await api.gql(CUSTOMER_CREATE, {"i": {"customerId": cid, "name": cid}}, key=key)
        assert_unauthenticated(r)
    assert (await api.data(CUSTOMER_GET, {"c": cid}))["customer"] is None


async def test_unauthenticated_get_is_401(raw: httpx.AsyncClient) -> None:
    for accept in (None, "application/json", "*/*"):
        headers = {"Accept": accept} if accept else {}
        response = await raw.get("/graphql", headers=headers)
        assert response.status_code == 401, accept
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert_no_leak_in(response.text)


# --- anonymous access (demo mode) ------------------------------------------------------------


async def test_anonymous_acts_as_admin_when_allowed(make_api: MakeApi) -> None:
    demo = await make_api(auth={"allow_anonymous": True})
    demo.client.base_url = httpx.URL("http://localhost")  # demo mode answers loopback only
    customer = await create_customer(demo, key=None)
    assert customer["createdBy"] == "anonymous"
    assert customer["changedBy"] == "anonymous"
    user = await create_user(demo, customer["customerId"], key=None)
    assert (user["createdBy"], user["changedBy"]) == ("anonymous", "anonymous")
    r = await demo.gql(LISTING, key=None)
    assert customer["customerId"] in {n["customerId"] for n in r.data["customers"]["nodes"]}

    # A key that is presented is still checked.
    for header in ("Bearer rst_wrong", "Basic xyz", "Bearer "):
        assert_unauthenticated(await demo.gql(LISTING, key=header))
    secret, name = await new_key(demo, Scope.ADMIN)
    await demo.storage.api_keys.revoke(name)
    assert_unauthenticated(await demo.gql(LISTING, key=bearer(secret)))

    # A read key stays read-only: presenting it does not fall back to anonymous admin.
    cid = unique("C")
    r = await demo.gql(CUSTOMER_CREATE, {"i": {"customerId": cid, "name": cid}}, key="read")
    assert_forbidden(r, "customerCreate")

    # An admin key is named, not anonymous.
    secret, name = await new_key(demo, Scope.ADMIN)
    r = await demo.gql(
        CUSTOMER_UPDATE,
        {"i": {"customerId": customer["customerId"], "city": "X"}},
        key=bearer(secret),
    )
    updated = r.data["customerUpdate"]["customer"]
    assert (updated["createdBy"], updated["changedBy"]) == ("anonymous", name)
