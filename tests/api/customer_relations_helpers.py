"""What the ``test_customer_relations_*`` modules share: GraphQL documents and helpers for the
customer users ↔ customers relation (OTOBO's customer_user_customer), in both directions.

The tests were one 530-line ``test_customer_relations.py``; they are now split by subject.
Customers and users are made with ``tests.factories``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.checks import assert_clean
from tests.conftest import Api, GraphQLResponse
from tests.factories import ERRORS

CHANGES = "changes { kind login customerId groupId permission context }"
USER_UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) { "
    f"customerUser {{ login }} {ERRORS} }} }}"
)
SET_CUSTOMERS = (
    "mutation($i: CustomerUserSetCustomersInput!) { customerUserSetCustomers(input: $i) { "
    f"customerUser {{ login customerIds customers {{ customerId }} }} {CHANGES} {ERRORS} }} }}"
)
SET_USERS = (
    "mutation($i: CustomerSetCustomerUsersInput!) { customerSetCustomerUsers(input: $i) { "
    f"customer {{ customerId customerUsers {{ nodes {{ login }} }} }} {CHANGES} {ERRORS} }} }}"
)
USER = (
    "query($l: String!) { customerUser(login: $l) { login customerId customerIds "
    "customers { customerId name } } }"
)
CUSTOMER_USERS = (
    "query($c: String!, $v: Boolean!, $f: Int!, $a: String) { customer(customerId: $c) { "
    "customerUsers(valid: $v, first: $f, after: $a) { totalCount nodes { login validity } "
    "edges { cursor } pageInfo { hasNextPage endCursor } } } }"
)


def change_rows(payload: dict[str, Any]) -> set[tuple[str, str, str]]:
    rows = [(c["kind"], c["login"], c["customerId"]) for c in payload["changes"]]
    assert len(rows) == len(set(rows)), rows
    for c in payload["changes"]:
        assert (c["groupId"], c["permission"], c["context"]) == (None, None, None)
    return set(rows)


@dataclass(frozen=True)
class SetMutation:
    """One direction's set mutation: ``document``, answered under ``mutation``, whose input
    names the one side ``owner_key`` and the list of the other ``members_key``."""

    document: str
    mutation: str
    owner_key: str
    members_key: str

    async def raw(
        self, api: Api, owner: str, members: list[str], *, dry_run: bool = False, key: str = "admin"
    ) -> GraphQLResponse:
        values = {self.owner_key: owner, self.members_key: members, "dryRun": dry_run}
        r = await api.gql(self.document, {"i": values}, key=key)
        assert_clean(r)
        return r

    async def payload(
        self, api: Api, owner: str, members: list[str], *, dry_run: bool = False
    ) -> dict[str, Any]:
        r = await self.raw(api, owner, members, dry_run=dry_run)
        payload: dict[str, Any] = r.data[self.mutation]
        return payload

    async def ok(self, api: Api, owner: str, members: list[str]) -> set[Any]:
        """The changes of a set that must have had no user error."""
        payload = await self.payload(api, owner, members)
        assert payload["userErrors"] == [], payload
        return change_rows(payload)


_CUSTOMERS_OF_USER = SetMutation(SET_CUSTOMERS, "customerUserSetCustomers", "login", "customerIds")
_USERS_OF_CUSTOMER = SetMutation(SET_USERS, "customerSetCustomerUsers", "customerId", "logins")
# (login, customer IDs) and (customer ID, logins), under the names the tests use.
set_customers_raw = _CUSTOMERS_OF_USER.raw
set_customers = _CUSTOMERS_OF_USER.payload
set_customers_ok = _CUSTOMERS_OF_USER.ok
set_users_raw = _USERS_OF_CUSTOMER.raw
set_users = _USERS_OF_CUSTOMER.payload
set_users_ok = _USERS_OF_CUSTOMER.ok


async def user(api: Api, login: str) -> dict[str, Any]:
    r = await api.gql(USER, {"l": login})
    assert_clean(r)
    found: dict[str, Any] = r.data["customerUser"]
    assert found is not None, login
    return found


async def customer_ids(api: Api, login: str) -> list[str]:
    ids: list[str] = (await user(api, login))["customerIds"]
    return ids


async def assigned(api: Api, login: str) -> list[str]:
    return [c["customerId"] for c in (await user(api, login))["customers"]]


async def users_of(
    api: Api, customer_id: str, *, valid: bool = True, first: int = 100
) -> list[str]:
    """Every login of Customer.customerUsers, walking all pages (checked for duplicates)."""
    seen: list[str] = []
    after: str | None = None
    total: int | None = None
    while True:
        r = await api.gql(CUSTOMER_USERS, {"c": customer_id, "v": valid, "f": first, "a": after})
        assert_clean(r)
        connection = r.data["customer"]["customerUsers"]
        assert len(connection["nodes"]) <= first
        total = connection["totalCount"]
        seen += [n["login"] for n in connection["nodes"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
        assert after is not None
    assert len(seen) == len(set(seen)), seen
    assert total == len(seen)
    return seen
