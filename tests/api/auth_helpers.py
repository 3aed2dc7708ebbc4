"""What the ``test_auth_*`` and ``test_request_*`` modules share: GraphQL documents that show
the audit fields, API keys made for a test, and the checks that an answer leaks nothing and
refuses as it should (401 UNAUTHENTICATED, FORBIDDEN).

The tests were one 780-line ``test_auth_and_limits.py``; they are now split by subject. The
client that shows an unhandled exception as an HTTP 500 is the ``raw`` fixture
(``tests/api/conftest.py``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from datasources.db.api_keys import Scope
from tests.conftest import Api, GraphQLResponse, unique
from tests.factories import accepted, user_input

CUSTOMER = "customerId name createdBy changedBy createdAt changedAt"
CUSTOMER_CREATE = (
    "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { "
    f"customer {{ {CUSTOMER} }} userErrors {{ field code }} }} }}"
)
CUSTOMER_UPDATE = (
    "mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { "
    f"customer {{ {CUSTOMER} }} userErrors {{ field code }} }} }}"
)
CUSTOMER_GET = f"query($c: String!) {{ customer(customerId: $c) {{ {CUSTOMER} city }} }}"
USER = "login city createdBy changedBy changedAt"
USER_CREATE = (
    "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) { "
    f"customerUser {{ {USER} }} generatedPassword userErrors {{ field code }} }} }}"
)
USER_UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) { "
    f"customerUser {{ {USER} }} userErrors {{ field code }} }} }}"
)
USER_SET_PASSWORD = (
    "mutation($i: CustomerUserSetPasswordInput!) { customerUserSetPassword(input: $i) { "
    "customerUser { login } generatedPassword userErrors { field code } } }"
)
USER_GET = f"query($l: String!) {{ customerUser(login: $l) {{ {USER} }} }}"
LISTING = "{ customers(first: 5) { nodes { customerId name } } }"

# A Python traceback, a source path, or a file reference in a traceback.
LEAK = re.compile(r"Traceback|File \"|\.py\b|/work/|site-packages")


def assert_no_leak_in(text: str) -> None:
    """No traceback, source path or file reference in ``text``."""
    assert not LEAK.search(text), text[:1000]


def assert_no_leak(r: GraphQLResponse) -> None:
    """No traceback, source path or file reference in the body."""
    assert_no_leak_in(json.dumps(r.body))


def bearer(key: str) -> str:
    """An Authorization header value presenting ``key``."""
    return f"Bearer {key}"


async def new_key(api: Api, scope: Scope = Scope.ADMIN, prefix: str = "key-") -> tuple[str, str]:
    """A fresh key: (the clear key, its name)."""
    secret, key = await api.storage.api_keys.create(unique(prefix), scope)
    return secret, key.name


async def create_customer(api: Api, key: str | None = "admin", **values: Any) -> dict[str, Any]:
    """A new customer made with ``key`` (``tests.factories`` makes them with the admin key);
    returns it with the audit fields the tests of keys compare."""
    cid = unique("C")
    r = await api.gql(
        CUSTOMER_CREATE, {"i": {"customerId": cid, "name": f"N {cid}", **values}}, key=key
    )
    assert_no_leak(r)
    customer: dict[str, Any] = accepted(r, "customerCreate")["customer"]
    return customer


async def create_user(api: Api, customer_id: str, key: str | None = "admin") -> dict[str, Any]:
    """A new customer user of ``customer_id`` made with ``key``; returns it with its audit
    fields."""
    r = await api.gql(USER_CREATE, {"i": user_input(customer_id)}, key=key)
    assert_no_leak(r)
    user: dict[str, Any] = accepted(r, "customerUserCreate")["customerUser"]
    return user


def assert_unauthenticated(r: GraphQLResponse) -> None:
    """A 401 that says UNAUTHENTICATED and nothing else."""
    assert r.status == 401, r.body
    assert r.body == {"data": None, "errors": r.errors}, r.body  # nothing else in the body
    assert r.error_codes == ["UNAUTHENTICATED"]
    assert "N " not in json.dumps(r.body)  # no customer name leaked
    assert_no_leak(r)


def assert_forbidden(r: GraphQLResponse, field: str) -> None:
    """The root ``field`` refused as FORBIDDEN, and no data."""
    assert_no_leak(r)
    assert r.status == 200
    assert r.error_codes == ["FORBIDDEN"], r.body
    assert r.errors[0]["path"] == [field]
    assert r.body.get("data") is None
