"""Writes while the LDAP directory is down: a create or rename cannot check that a login is
unique across the backends, and a write that must find an LDAP user cannot know it exists, so
each is refused with BACKEND_UNAVAILABLE (never a false NOT_FOUND) and nothing is written.

SQLite only, with the short timeouts of ``fault_helpers.FAST``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.checks import assert_clean_200
from tests.factories import new_customer, new_group, new_service
from tests.ldap.conftest import DB_BACKEND, MakeLdapApi
from tests.ldap.directory import Slapd
from tests.ldap.fault_helpers import FAST, recovered
from tests.ldap.helpers import (
    DB,
    LDAP,
    USER,
    create_db_user,
    create_user,
)


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
        "$group": await new_group(api),
        "$service": await new_service(api),
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
        assert_clean_200(response)
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
