"""What the ``test_customer_user_search_*`` modules share: the search document, helpers that run
it and read the result, and the fixed data sets.

The tests were one 1,250-line ``test_customer_user_search.py``; they are now split by subject.
``WORLD_USERS`` is the read-only data set the ``search_world`` fixture (``tests/api/conftest.py``)
builds once per database kind; ``small_world`` is the few users the backend-setting tests put
on a fresh app of their own. All data is created through the API.
"""

from __future__ import annotations

import json
from typing import Any

from tests import factories
from tests.conftest import Api, GraphQLResponse
from tests.factories import new_customer

# ---- queries ------------------------------------------------------------------------------


def search_document(selection: str) -> str:
    """A customerUsers query that takes every filter, order and paging argument as a variable
    (an unset one keeps its default) and selects ``selection`` from the connection. The LDAP
    tests (``tests/ldap/helpers.py``) ask for other fields with the same arguments."""
    return f"""
query(
  $search: String, $login: String, $email: String, $customerId: String,
  $customerIdExact: String, $valid: Boolean, $orderBy: CustomerUserOrder,
  $first: Int!, $after: String
) {{
  customerUsers(
    search: $search, login: $login, email: $email, customerId: $customerId,
    customerIdExact: $customerIdExact, valid: $valid, orderBy: $orderBy,
    first: $first, after: $after
  ) {{
    {selection}
  }}
}}
"""


SEARCH = search_document(
    "totalCount limitReached"
    " pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
    " edges { cursor node { login } }"
    " nodes { login title firstName lastName email customerId validity fullName displayName }"
)
USER_UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
    " customerUser { login changedAt } userErrors { field code message } } }"
)

# ---- helpers ------------------------------------------------------------------------------


async def new_user(
    api: Api,
    login: str,
    first: str,
    last: str,
    customer_id: str,
    email: str | None = None,
    **extra: Any,
) -> None:
    """One user of the search world, named as the expectations spell it."""
    email = email or f"{login}@acme.test"
    await factories.new_user(
        api, customer_id, login, firstName=first, lastName=last, email=email, **extra
    )


async def update_user(api: Api, login: str, **changes: Any) -> None:
    r = await api.gql(USER_UPDATE, {"i": {"login": login, **changes}})
    assert r.data["customerUserUpdate"]["userErrors"] == [], r.body


async def run(api: Api, **arguments: Any) -> GraphQLResponse:
    """customerUsers with exactly the given arguments (an omitted one keeps its default)."""
    variables = {"first": 1000, **arguments}
    return await api.gql(SEARCH, variables)


async def connection(api: Api, **arguments: Any) -> dict[str, Any]:
    return (await run(api, **arguments)).data["customerUsers"]  # type: ignore[no-any-return]


async def logins(api: Api, **arguments: Any) -> list[str]:
    """The logins of a one-page result, in the order the server gave them."""
    conn = await connection(api, **arguments)
    assert conn["pageInfo"]["hasNextPage"] is False, conn["pageInfo"]
    found = [n["login"] for n in conn["nodes"]]
    assert conn["totalCount"] == len(found), (conn["totalCount"], found)
    return found


async def found(api: Api, **arguments: Any) -> set[str]:
    """The logins found, after checking they come in the default order (login, code point)."""
    result = await logins(api, **arguments)
    assert result == sorted(result), result
    assert len(result) == len(set(result)), result
    return set(result)


async def all_pages(api: Api, first: int, **arguments: Any) -> list[dict[str, Any]]:
    """Every page of a result, following endCursor."""
    pages: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        args = {**arguments, "first": first}
        if after is not None:
            args["after"] = after
        conn = await connection(api, **args)
        pages.append(conn)
        if not conn["pageInfo"]["hasNextPage"]:
            return pages
        assert len(pages) < 100, "paging does not end"
        after = conn["pageInfo"]["endCursor"]


def page_logins(pages: list[dict[str, Any]]) -> list[str]:
    return [n["login"] for page in pages for n in page["nodes"]]


def assert_bad_user_input(r: GraphQLResponse, argument: str) -> None:
    """A refused request: one top-level BAD_USER_INPUT error naming the argument, no 500."""
    assert r.status in (200, 400), (r.status, r.body)
    text = json.dumps(r.body)
    assert "Traceback" not in text, text[:2000]
    assert r.error_codes == ["BAD_USER_INPUT"], r.body
    error = r.errors[0]
    message = error["message"]
    assert message, error
    assert len(message) < 500, message
    named = error.get("extensions", {}).get("argument") == argument or argument in message
    assert named, error  # the error says which argument is wrong
    assert (r.body.get("data") or {}).get("customerUsers") is None, r.body


def assert_clean_ok(r: GraphQLResponse) -> list[str]:
    """An accepted request: no error at all; returns the logins found."""
    assert r.status == 200, (r.status, r.body)
    assert "Traceback" not in json.dumps(r.body)
    return [n["login"] for n in r.data["customerUsers"]["nodes"]]


# ---- the shared, read-only data set -------------------------------------------------------

# login, first name, last name, customer ID, e-mail, validity (default VALID)
WORLD_USERS: list[tuple[str, str, str, str, str, str]] = [
    ("john", "John", "Doe", "acme", "john.doe@acme.test", "VALID"),
    ("bjohnson", "Bob", "Johnson", "acme-1", "bob.johnson@acme.test", "VALID"),
    ("bjorn", "Bjorn", "Berg", "acme-1", "bjorn@acme.test", "VALID"),
    ("jo.kuhn", "Jonas", "Kuhn", "globex", "jonas@globex.test", "VALID"),
    ("jhahn", "Joanna", "Hahn", "globex", "joanna@globex.test", "VALID"),
    ("mann", "Mary Ann", "Rock and Roll", "globex", "mary@globex.test", "VALID"),
    ("betty", "Betty", "Black or White", "globex", "betty@globex.test", "VALID"),
    ("psmith", "Paul", "Smith&Sons(UK)|Ltd", "initech", "paul@initech.test", "VALID"),
    ("percy", "Percy", "Sale50%", "initech", "percy@initech.test", "VALID"),
    ("olga", "Olga", "Sale500", "initech", "olga@initech.test", "VALID"),
    ("uma", "Uma", "Under_Score", "initech", "uma@initech.test", "VALID"),
    ("ulf", "Ulf", "UnderXScore", "initech", "ulf@initech.test", "VALID"),
    ("mueller", "Jürgen", "Müller", "globex", "juergen@globex.test", "VALID"),
    ("kim", "Kim", "Lee", "initech", "quokka@initech.test", "VALID"),
    ("bslash", "Bea", "Back\\Slash", "initech", "bea@initech.test", "VALID"),
    ("quincy", "Quincy", 'Quote"John', "initech", "quincy@initech.test", "VALID"),
    ("wanda", "Wanda", "Star", "wild*card", "wanda@initech.test", "VALID"),
    ("walt", "Walt", "Nostar", "wildXcard", "walt@initech.test", "VALID"),
    ("ivan", "Ivan", "Invalid", "acme", "ivan@acme.test", "INVALID"),
    ("tina", "Tina", "Temporary", "acme", "tina@acme.test", "INVALID_TEMPORARILY"),
]
WORLD_CUSTOMERS = ["acme", "acme-1", "globex", "initech", "wild*card", "wildXcard"]
# A user with a title: the title is a name field (fullName) but not a list field.
TITLED = ("tdoc", "Dr.", "Theo", "Doc", "initech", "theo@initech.test")

INVALID_USERS = {"ivan", "tina"}
VALID_USERS = {u[0] for u in WORLD_USERS if u[0] not in INVALID_USERS} | {TITLED[0]}
ALL_USERS = VALID_USERS | INVALID_USERS


async def populate_world(api: Api) -> None:
    """The WORLD customers and users, made through the API (``search_world`` calls it)."""
    for customer_id in WORLD_CUSTOMERS:
        await new_customer(api, customer_id)
    for login, first, last, customer_id, email, validity in WORLD_USERS:
        await new_user(api, login, first, last, customer_id, email, validity=validity)
    login, title, first, last, customer_id, email = TITLED
    await new_user(api, login, first, last, customer_id, email, title=title)


# ---- fresh apps with other backend settings -------------------------------------------------


def backend(**settings: Any) -> dict[str, Any]:
    """``make_api`` overrides: the one database backend with these settings."""
    return {"customer_user": {"backends": [{"name": "CustomerUser", **settings}]}}


async def small_world(api: Api) -> None:
    """Four users of customer ACME-X, for the tests of the backend's search settings."""
    await new_customer(api, "ACME-X")
    await new_user(api, "john", "John", "Smith", "ACME-X", "John.Smith@acme.test")
    await new_user(api, "johnny", "Johnny", "Smyth", "ACME-X")
    await new_user(api, "bjorn", "Bjorn", "Berg", "ACME-X")
    await new_user(api, "mueller", "Jürgen", "Müller", "ACME-X")
