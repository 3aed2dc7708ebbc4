"""What the ``test_services_*`` modules share: GraphQL documents and helpers for services,
their customer-user assignments and the default services.

The tests were one 1,060-line ``test_services.py``; they are now split by subject. Creating
the customer users they assign is ``tests.factories``; SQL only plants rows an API cannot make
and counts rows (``link_rows``, ``service_rows``) as the witness for "nothing was written".
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from datasources.db.tables import service, service_customer_user
from tests.checks import assert_not_masked
from tests.conftest import Api

SERVICE_FIELDS = (
    "id serviceId name nameShort comment validity createdAt createdBy changedAt changedBy "
    "parent { serviceId name } children { name }"
)
CREATE = (
    "mutation($i: ServiceCreateInput!) { serviceCreate(input: $i) {"
    f" service {{ {SERVICE_FIELDS} }} userErrors {{ field code message }} }} }}"
)
UPDATE = (
    "mutation($i: ServiceUpdateInput!) { serviceUpdate(input: $i) {"
    f" service {{ {SERVICE_FIELDS} }} userErrors {{ field code message }} }} }}"
)
GET = f"query($n: String!) {{ service(name: $n) {{ {SERVICE_FIELDS} }} }}"
NODE = "query($id: ID!) { node(id: $id) { __typename id ... on Service { serviceId name } } }"
LIST = """
query($s: String, $v: Boolean, $f: Int!, $a: String) {
  services(search: $s, valid: $v, first: $f, after: $a) {
    totalCount limitReached
    pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes { name }
  }
}"""
USER_SERVICES = """
query($l: String!) { customerUser(login: $l) {
  login services { name } availableServices { name } usesDefaultServices } }"""
SET_SERVICES = """
mutation($i: CustomerUserSetServicesInput!) { customerUserSetServices(input: $i) {
  customerUser { login services { name } availableServices { name } usesDefaultServices }
  changes { kind login serviceId } userErrors { field code message } } }"""
SET_USERS = """
mutation($i: ServiceSetCustomerUsersInput!) { serviceSetCustomerUsers(input: $i) {
  service { name customerUsers(first: 1000) { totalCount nodes { login } } }
  changes { kind login serviceId } userErrors { field code message } } }"""
SET_DEFAULTS = """
mutation($i: DefaultServicesSetInput!) { defaultServicesSet(input: $i) {
  defaultServices { name } changes { kind login serviceId }
  userErrors { field code message } } }"""
DEFAULTS = "{ defaultServices { name validity } }"
MEMBERS = """
query($n: String!, $f: Int!, $a: String) { service(name: $n) {
  customerUsers(first: $f, after: $a) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { login } } } }"""
USER_UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
    " customerUser { login services { name } } userErrors { field code } } }"
)

# ---- helpers ------------------------------------------------------------------------------------


async def create(api: Api, name: str | None, parent: int | None = None, **kw: Any) -> Any:
    """The serviceCreate payload."""
    r = await api.gql(CREATE, {"i": {"name": name, "parentId": parent, **kw}})
    assert_not_masked(r)
    return r.data["serviceCreate"]


async def create_ok(api: Api, name: str, parent: int | None = None, **kw: Any) -> dict[str, Any]:
    payload = await create(api, name, parent, **kw)
    assert payload["userErrors"] == [], payload
    return payload["service"]  # type: ignore[no-any-return]


async def update(api: Api, service_id: int, **changes: Any) -> Any:
    r = await api.gql(UPDATE, {"i": {"serviceId": service_id, **changes}})
    assert_not_masked(r)
    return r.data["serviceUpdate"]


async def get(api: Api, name: str) -> dict[str, Any] | None:
    r = await api.gql(GET, {"n": name})
    assert_not_masked(r)
    return r.data["service"]  # type: ignore[no-any-return]


async def listing(
    api: Api, search: str | None, *, valid: bool | None = True, first: int = 1000, after: Any = None
) -> dict[str, Any]:
    r = await api.gql(LIST, {"s": search, "v": valid, "f": first, "a": after})
    assert_not_masked(r)
    return r.data["services"]  # type: ignore[no-any-return]


async def names(api: Api, search: str | None, *, valid: bool | None = True) -> list[str]:
    return [n["name"] for n in (await listing(api, search, valid=valid))["nodes"]]


def with_added_removed(payload: dict[str, Any], key: str) -> dict[str, Any]:
    """The payload plus the ``added``/``removed`` keys (``key``: serviceId or login) read off
    its ``changes``, the API's one change shape, in the order the server lists them."""
    changes = payload.get("changes") or []
    return {
        **payload,
        "added": [c[key] for c in changes if c["kind"] == "ADDED"],
        "removed": [c[key] for c in changes if c["kind"] == "REMOVED"],
    }


async def set_services(api: Api, login: str, ids: list[int], *, dry_run: bool = False) -> Any:
    r = await api.gql(SET_SERVICES, {"i": {"login": login, "serviceIds": ids, "dryRun": dry_run}})
    assert_not_masked(r)
    return with_added_removed(r.data["customerUserSetServices"], "serviceId")


async def set_users(api: Api, service_id: int, logins: list[str], *, dry_run: bool = False) -> Any:
    variables = {"i": {"serviceId": service_id, "logins": logins, "dryRun": dry_run}}
    r = await api.gql(SET_USERS, variables)
    assert_not_masked(r)
    return with_added_removed(r.data["serviceSetCustomerUsers"], "login")


async def set_defaults(api: Api, ids: list[int], *, dry_run: bool = False) -> Any:
    r = await api.gql(SET_DEFAULTS, {"i": {"serviceIds": ids, "dryRun": dry_run}})
    assert_not_masked(r)
    return with_added_removed(r.data["defaultServicesSet"], "serviceId")


async def user_services(api: Api, login: str) -> tuple[list[str], list[str], bool]:
    """(own services, available services, uses defaults) of a user, by name."""
    r = await api.gql(USER_SERVICES, {"l": login})
    assert_not_masked(r)
    user = r.data["customerUser"]
    assert user is not None, login
    own = [s["name"] for s in user["services"]]
    available = [s["name"] for s in user["availableServices"]]
    return own, available, user["usesDefaultServices"]


async def members(api: Api, name: str) -> list[str]:
    r = await api.gql(MEMBERS, {"n": name, "f": 1000, "a": None})
    assert_not_masked(r)
    return [n["login"] for n in r.data["service"]["customerUsers"]["nodes"]]


async def scalar(api: Api, query: sa.Select[Any]) -> Any:
    async with api.storage.engine.connect() as conn:
        return (await conn.execute(query)).scalar_one()


async def link_rows(api: Api, *, login: str | None = None, service_id: int | None = None) -> int:
    """How many service_customer_user rows match: the witness for what was written."""
    query = sa.select(sa.func.count()).select_from(service_customer_user)
    if login is not None:
        lowered = sa.func.lower(service_customer_user.c.customer_user_login)
        query = query.where(lowered == login.lower())
    if service_id is not None:
        query = query.where(service_customer_user.c.service_id == service_id)
    return int(await scalar(api, query))


async def service_rows(api: Api, prefix: str) -> int:
    query = sa.select(sa.func.count()).select_from(service).where(service.c.name.like(f"{prefix}%"))
    return int(await scalar(api, query))
