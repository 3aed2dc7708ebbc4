"""What the ``test_customer_user_*`` modules share: GraphQL documents and helpers for customer
users (create, read, update, rename, passwords, listing).

The tests were one 1,700-line ``test_customer_users.py``; they are now split by subject, and
what several of them use lives here. Creating the customer a user needs is
``tests.factories.new_customer``; the create input is ``tests.factories.user_input``. SQL is used
only to look at what was stored (password hashes, "nothing was written"), never to decide what
the API returns.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tests.conftest import Api, GraphQLResponse, exact_sql
from tests.factories import user_input

# ---- queries ------------------------------------------------------------------------------

USER_FIELDS = """
    id login source fullName displayName validity
    title firstName lastName email customerId
    phone fax mobile street zip city country comment
    customer { customerId name }
    createdAt createdBy changedAt changedBy
"""

CREATE = (
    "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) {"
    " customerUser {" + USER_FIELDS + "} generatedPassword userErrors { field code message } } }"
)
UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
    " customerUser {" + USER_FIELDS + "} userErrors { field code message } } }"
)
SET_PASSWORD = (
    "mutation($i: CustomerUserSetPasswordInput!) { customerUserSetPassword(input: $i) {"
    " customerUser { login changedAt } generatedPassword userErrors { field code message } } }"
)
GET = "query($l: String!) { customerUser(login: $l) {" + USER_FIELDS + "} }"
NODE = "query($id: ID!) { node(id: $id) { __typename id ... on CustomerUser { login } } }"
LIST = """
query($first: Int!, $after: String, $valid: Boolean) {
  customerUsers(first: $first, after: $after, valid: $valid) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor }
    nodes { login validity }
  }
}
"""

# ---- helpers ------------------------------------------------------------------------------


async def create(api: Api, data: dict[str, Any], *, key: str | None = "admin") -> dict[str, Any]:
    """The customerUserCreate payload (asserts the request itself had no top-level error)."""
    r = await api.gql(CREATE, {"i": data}, key=key)
    return r.data["customerUserCreate"]  # type: ignore[no-any-return]


async def create_ok(api: Api, customer_id: str, **fields: Any) -> dict[str, Any]:
    """Create a user that must be accepted; returns the CustomerUser as the API shows it."""
    payload = await create(api, user_input(customer_id, **fields))
    assert payload["userErrors"] == [], payload["userErrors"]
    assert payload["customerUser"] is not None
    return payload["customerUser"]  # type: ignore[no-any-return]


async def create_refused(api: Api, data: dict[str, Any]) -> dict[str, Any]:
    """The payload of a create that must be refused: no user in it, and none stored under the
    login it asked for. The caller checks the user errors."""
    payload = await create(api, data)
    assert payload["customerUser"] is None
    assert await get(api, data["login"]) is None
    return payload


async def update(api: Api, login: str, **changes: Any) -> dict[str, Any]:
    r = await api.gql(UPDATE, {"i": {"login": login, **changes}})
    return r.data["customerUserUpdate"]  # type: ignore[no-any-return]


async def set_password(api: Api, login: str, password: str | None = None, **kw: Any) -> Any:
    data: dict[str, Any] = {"login": login}
    if password is not None or kw.get("send_null"):
        data["password"] = password
    r = await api.gql(SET_PASSWORD, {"i": data})
    return r.data["customerUserSetPassword"]


async def get(api: Api, login: str) -> dict[str, Any] | None:
    r = await api.gql(GET, {"l": login})
    return r.data["customerUser"]  # type: ignore[no-any-return]


async def sql(api: Api, statement: str, params: dict[str, Any] | None = None) -> list[Any]:
    async with api.storage.engine.begin() as conn:
        result = await conn.execute(sa.text(statement), params or {})
        return list(result.all()) if result.returns_rows else []


async def rows_with_email(api: Api, email: str) -> int:
    """How many stored users have this address: the witness for "nothing was written"."""
    email_column = exact_sql(api.kind, "email")
    rows = await sql(
        api, f"SELECT count(*) FROM customer_user WHERE {email_column} = :e", {"e": email}
    )
    return int(rows[0][0])


async def stored_hash(api: Api, login: str) -> str | None:
    rows = await sql(api, "SELECT pw FROM customer_user WHERE login = :l", {"l": login})
    assert len(rows) == 1, rows
    return rows[0][0]  # type: ignore[no-any-return]


async def key_name(api: Api, key: str) -> str:
    rows = await sql(api, "SELECT name FROM roster_api_key WHERE key_prefix = :p", {"p": key[:12]})
    return str(rows[0][0])


def ts(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value  # the API says UTC explicitly
    return parsed


async def all_logins(api: Api, valid: bool | str | None = "default") -> list[str]:
    """Every login of customerUsers, following the cursors page by page."""
    logins: list[str] = []
    after: str | None = None
    while True:
        variables: dict[str, Any] = {"first": 1000, "after": after}
        if valid != "default":
            variables["valid"] = valid
        conn = (await api.gql(LIST, variables)).data["customerUsers"]
        logins += [n["login"] for n in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return logins
        after = conn["pageInfo"]["endCursor"]


def assert_clean_failure(r: GraphQLResponse) -> None:
    """A refused request: a GraphQL error with a message, never a 500 or a stack trace."""
    assert r.status in (200, 400), (r.status, r.body)
    assert r.errors, r.body
    text = json.dumps(r.body)
    assert "Traceback" not in text
    assert "INTERNAL_SERVER_ERROR" not in r.error_codes
    assert "Unexpected error." not in [e.get("message") for e in r.errors]
