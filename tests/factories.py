"""Shared factories: make a customer, a customer user, a group or a service through the API.

Tests need rows to act on, and before this module every test file carried its own copy of
the same create strings and ``new_customer``/``new_user`` helpers. These are the one copy:
each makes its object through the GraphQL API exactly as a client would (so the rows are
what the product writes), insists that the server accepted it (a setup that silently fails
would make the test pass or fail for the wrong reason), and returns what callers use, the
key of the new object. Every name is ``unique()``, so tests sharing a database do not see
each other's rows.

A test of the create mutation itself asks for the fields it checks with its own document;
these helpers are for setup only.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, GraphQLResponse, unique

ERRORS = "userErrors { field code message }"

CUSTOMER_CREATE = (
    "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { "
    f"customer {{ customerId }} {ERRORS} }} }}"
)
USER_CREATE = (
    "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) { "
    f"customerUser {{ login }} {ERRORS} }} }}"
)
GROUP_FIELDS = "id groupId name comment validity createdAt changedAt"
GROUP_CREATE = (
    "mutation($i: GroupCreateInput!) { groupCreate(input: $i) { "
    f"group {{ {GROUP_FIELDS} }} {ERRORS} }} }}"
)
SERVICE_CREATE = (
    "mutation($i: ServiceCreateInput!) { serviceCreate(input: $i) { "
    f"service {{ serviceId name }} {ERRORS} }} }}"
)


def accepted(response: GraphQLResponse, mutation: str) -> dict[str, Any]:
    """The payload of ``mutation``, after checking the server took it: no server error, no
    top-level error, no user error (the response body is in the failure message)."""
    assert response.status < 500, response.body
    payload: dict[str, Any] = response.data[mutation]
    assert payload["userErrors"] == [], response.body
    return payload


async def new_customer(api: Api, customer_id: str | None = None, **fields: Any) -> str:
    """A new customer (company); returns its customer ID. Customer users need one, because
    customer_company_support is on by default."""
    cid = customer_id or unique("C")
    values = {"customerId": cid, "name": f"Company {cid}", **fields}
    accepted(await api.gql(CUSTOMER_CREATE, {"i": values}), "customerCreate")
    return cid


def user_input(customer_id: str, login: str | None = None, **fields: Any) -> dict[str, Any]:
    """A complete, valid customerUserCreate input; ``fields`` override or add (None means
    "send null"). No password: the server generates one unless a test passes ``password``."""
    data: dict[str, Any] = {
        "login": login if login is not None else unique("u"),
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": f"{unique('m')}@acme.test",
        "customerId": customer_id,
    }
    data.update(fields)
    return data


async def new_user(api: Api, customer_id: str, login: str | None = None, **fields: Any) -> str:
    """A new customer user of ``customer_id`` (which must exist); returns its login.
    ``fields`` are further create input, e.g. ``validity="INVALID"`` or ``email=...``."""
    data = user_input(customer_id, login, **fields)
    accepted(await api.gql(USER_CREATE, {"i": data}), "customerUserCreate")
    return str(data["login"])


async def new_user_and_customer(api: Api, login: str | None = None, **fields: Any) -> str:
    """A new customer user with a new customer of its own; returns the login."""
    return await new_user(api, await new_customer(api), login, **fields)


async def new_group(api: Api, name: str | None = None, *, validity: str = "VALID") -> int:
    """A new group; returns its numeric ``groupId``."""
    values = {"name": name or unique("g"), "validity": validity}
    payload = accepted(await api.gql(GROUP_CREATE, {"i": values}), "groupCreate")
    group_id: int = payload["group"]["groupId"]
    return group_id


async def new_service(
    api: Api, name: str | None = None, parent: int | None = None, **fields: Any
) -> int:
    """A new service (under ``parent``, a serviceId, if given); returns its ``serviceId``."""
    values = {"name": name or unique("s"), "parentId": parent, **fields}
    payload = accepted(await api.gql(SERVICE_CREATE, {"i": values}), "serviceCreate")
    service_id: int = payload["service"]["serviceId"]
    return service_id


def dynamic_field_row(attribute: str, name: str, kind: str) -> dict[str, Any]:
    """A Map row (customer-user or company Map) for the dynamic field ``name`` of type
    ``kind``, shown as ``attribute``."""
    return {
        "attribute": attribute,
        "label": name,
        "field": name,
        "type": "dynamic_field",
        "dynamic_field_type": kind,
    }
