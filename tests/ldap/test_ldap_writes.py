"""What an LDAP user can and cannot have written, and ``backends``, through the GraphQL API.

Runs on SQLite and PostgreSQL. The directory is read-only: create, update and set-password
refuse with ``READ_ONLY``. The relationship rows live in the database and are keyed by login,
so groups, customers and services work for an LDAP user as for a database user (and an
invalid LDAP user, one the valid filter does not match, holds no permission).
"""

from __future__ import annotations

from typing import Any

from tests.checks import assert_clean_200
from tests.conftest import Api, unique
from tests.factories import ERRORS, new_customer
from tests.ldap.directory import BY_UID
from tests.ldap.helpers import (
    BACKENDS,
    DB,
    LDAP,
    USER,
    create_user,
)

UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) { "
    f"customerUser {{ login }} {ERRORS} }} }}"
)
SET_PASSWORD = (
    "mutation($i: CustomerUserSetPasswordInput!) { customerUserSetPassword(input: $i) { "
    f"customerUser {{ login }} generatedPassword {ERRORS} }} }}"
)
GROUP_CREATE = (
    "mutation($i: GroupCreateInput!) { groupCreate(input: $i) { "
    f"group {{ groupId }} {ERRORS} }} }}"
)
SET_GROUPS = (
    "mutation($i: CustomerUserSetGroupsInput!) { customerUserSetGroups(input: $i) { "
    f"customerUser {{ login source }} changes {{ kind login groupId permission }} {ERRORS} }} }}"
)
SET_CUSTOMERS = (
    "mutation($i: CustomerUserSetCustomersInput!) { customerUserSetCustomers(input: $i) { "
    f"customerUser {{ login customerIds customers {{ customerId }} }} {ERRORS} }} }}"
)
SERVICE_CREATE = (
    "mutation($i: ServiceCreateInput!) { serviceCreate(input: $i) { "
    f"service {{ serviceId }} {ERRORS} }} }}"
)
SET_SERVICES = (
    "mutation($i: CustomerUserSetServicesInput!) { customerUserSetServices(input: $i) { "
    f"customerUser {{ login source }} {ERRORS} }} }}"
)
RELATIONS = """query($l: String!) { customerUser(login: $l) {
  login source validity customerIds groupGrants { group { name } permissions }
  effectivePermissions { group { name } permission reasons { kind } }
  services { name } availableServices { name }
} }"""
CUSTOMER_USERS = """query($c: String!) { customer(customerId: $c) {
  customerUsers(first: 50) { totalCount nodes { login source } } } }"""


async def data(api: Api, query: str, variables: dict[str, Any]) -> Any:
    response = await api.gql(query, variables)
    assert_clean_200(response)
    return response.data


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def test_ldap_users_are_read_only(ldap_api: Api) -> None:
    before = (await data(ldap_api, USER, {"l": "ldap001"}))["customerUser"]
    update = await data(ldap_api, UPDATE, {"i": {"login": "ldap001", "lastName": "Changed"}})
    assert codes(update["customerUserUpdate"]) == [(None, "READ_ONLY")]
    assert update["customerUserUpdate"]["customerUser"] is None
    password = await data(ldap_api, SET_PASSWORD, {"i": {"login": "LDAP001"}})
    assert codes(password["customerUserSetPassword"]) == [(None, "READ_ONLY")]
    assert password["customerUserSetPassword"]["generatedPassword"] is None
    assert (await data(ldap_api, USER, {"l": "ldap001"}))["customerUser"] == before

    created = await create_user(ldap_api, unique("u"), source=LDAP)
    assert codes(created) == [(["input", "source"], "READ_ONLY")]
    assert created["customerUser"] is None
    by_default = await create_user(ldap_api, unique("u"))  # the first writable backend
    assert (by_default["userErrors"], by_default["customerUser"]["source"]) == ([], DB)


async def test_groups_for_ldap_users(ldap_api: Api) -> None:
    name = unique("g")
    created = await data(ldap_api, GROUP_CREATE, {"i": {"name": name}})
    group_id = created["groupCreate"]["group"]["groupId"]
    for login in ("LDAP002", "ldap003"):  # ldap003 is locked: INVALID
        grants = [{"groupId": group_id, "permissions": ["ro"]}]
        result = await data(ldap_api, SET_GROUPS, {"i": {"login": login, "grants": grants}})
        payload = result["customerUserSetGroups"]
        assert payload["userErrors"] == []
        assert payload["customerUser"]["source"] == LDAP
        assert [c["kind"] for c in payload["changes"]] == ["ADDED"]

    user = (await data(ldap_api, RELATIONS, {"l": "ldap002"}))["customerUser"]
    assert user["groupGrants"] == [{"group": {"name": name}, "permissions": ["ro"]}]
    assert {"group": {"name": name}, "permission": "ro", "reasons": [{"kind": "DIRECT_GRANT"}]} in (
        user["effectivePermissions"]
    )
    locked = (await data(ldap_api, RELATIONS, {"l": "ldap003"}))["customerUser"]
    assert locked["validity"] == "INVALID"
    assert locked["groupGrants"] == [{"group": {"name": name}, "permissions": ["ro"]}]
    assert locked["effectivePermissions"] == []  # invalid users hold nothing


async def test_customers_for_ldap_users(ldap_api: Api) -> None:
    extra = await new_customer(ldap_api)
    result = await data(
        ldap_api, SET_CUSTOMERS, {"i": {"login": "ldap004", "customerIds": [extra]}}
    )
    payload = result["customerUserSetCustomers"]
    assert payload["userErrors"] == []
    primary = BY_UID["ldap004"].org
    assert payload["customerUser"]["customerIds"] == [primary, extra]
    assert payload["customerUser"]["customers"] == [{"customerId": extra}]
    members = (await data(ldap_api, CUSTOMER_USERS, {"c": extra}))["customer"]["customerUsers"]
    assert members["nodes"] == [{"login": "ldap004", "source": LDAP}]

    # A customer whose ID is an LDAP user's primary customer ID (the `o` attribute) has them.
    await new_customer(ldap_api, "we*rd(co)\\x")
    members = (await data(ldap_api, CUSTOMER_USERS, {"c": "we*rd(co)\\x"}))["customer"]
    assert members["customerUsers"]["nodes"] == [{"login": "star.user", "source": LDAP}]


async def test_services_for_ldap_users(ldap_api: Api) -> None:
    created = await data(ldap_api, SERVICE_CREATE, {"i": {"name": unique("svc")}})
    service_id = created["serviceCreate"]["service"]["serviceId"]
    variables = {"i": {"login": "ldap006", "serviceIds": [service_id]}}
    result = await data(ldap_api, SET_SERVICES, variables)
    assert result["customerUserSetServices"] == {
        "customerUser": {"login": "ldap006", "source": LDAP},
        "userErrors": [],
    }
    user = (await data(ldap_api, RELATIONS, {"l": "ldap006"}))["customerUser"]
    assert len(user["services"]) == 1
    assert user["availableServices"] == user["services"]


async def test_unknown_logins_are_refused_for_relations(ldap_api: Api) -> None:
    result = await data(ldap_api, SET_GROUPS, {"i": {"login": "ldap*", "grants": []}})
    assert [code for _, code in codes(result["customerUserSetGroups"])] == ["UNKNOWN_CUSTOMER_USER"]


async def test_backends_report_health(ldap_api: Api) -> None:
    backends = (await data(ldap_api, BACKENDS, {}))["backends"]
    assert [(b["name"], b["kind"], b["readOnly"], b["status"]) for b in backends] == [
        (DB, "db", False, "UP"),
        (LDAP, "ldap", True, "UP"),
    ]
    assert all(b["lastError"] is None and b["latencyMs"] >= 0 for b in backends)
