"""GraphQL documents and small helpers shared by the LDAP API tests."""

from __future__ import annotations

from typing import Any

from domain.search_grammar import matches, parse_search
from tests.api.customer_user_search_helpers import search_document
from tests.checks import assert_clean_200
from tests.conftest import Api, GraphQLResponse, unique
from tests.factories import ERRORS, new_customer
from tests.ldap.directory import PEOPLE, Person

LDAP = "Directory"
DB = "CustomerUser"

NODE = "login source firstName lastName email customerId validity fullName displayName"
SEARCH = search_document(
    f"totalCount limitReached pageInfo {{ hasNextPage endCursor }} nodes {{ {NODE} }}"
)
LISTING = "query($f: Int!) { customerUsers(first: $f) { nodes { login source } } }"
USER = f"query($l: String!) {{ customerUser(login: $l) {{ {NODE} }} }}"
BACKENDS = "{ backends { name kind readOnly status latencyMs lastError } }"
USER_CREATE = (
    "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) { "
    f"customerUser {{ login source }} {ERRORS} }} }}"
)


def outages(response: GraphQLResponse) -> list[str]:
    """The backends a response reports as unavailable (its top-level errors)."""
    assert_clean_200(response)
    found = []
    for error in response.errors:
        extensions = error.get("extensions", {})
        assert extensions.get("code") == "BACKEND_UNAVAILABLE", error
        found.append(extensions["backend"])
    return found


def expected_logins(term: str, *, valid_only: bool = True) -> list[str]:
    """The LDAP users a search must find: the grammar's reference matcher over the data set,
    with the backend's prefix ``''`` and suffix ``*``, in code point order."""
    expr = parse_search(term, prefix="", suffix="*")
    return sorted(
        p.uid
        for p in PEOPLE
        if (not valid_only or not p.locked) and matches(expr, p.search_values, case_sensitive=False)
    )


def people(predicate: Any, *, valid_only: bool = True) -> list[Person]:
    return [p for p in PEOPLE if predicate(p) and (not valid_only or not p.locked)]


async def search_pages(
    api: Api, *, page_size: int = 40, **arguments: Any
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every node of a customerUsers query, page by page; and the first page's connection."""
    nodes: list[dict[str, Any]] = []
    first: dict[str, Any] | None = None
    after = None
    while True:
        response = await api.gql(SEARCH, {**arguments, "first": page_size, "after": after})
        assert_clean_200(response)
        connection = response.data["customerUsers"]
        first = first or connection
        nodes += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes, first
        after = connection["pageInfo"]["endCursor"]


async def directory_logins(api: Api, **arguments: Any) -> list[str]:
    nodes, _ = await search_pages(api, **arguments)
    return [n["login"] for n in nodes if n["source"] == LDAP]


async def create_user(api: Api, login: str, **values: Any) -> dict[str, Any]:
    """The customerUserCreate payload (a new customer for the user, unless one is given)."""
    data = {
        "login": login,
        "firstName": "Db",
        "lastName": "User",
        "email": f"{unique('m')}@acme.test",
        "password": "correct horse battery staple",
        **values,
    }
    if "customerId" not in data:
        data["customerId"] = await new_customer(api)
    response = await api.gql(USER_CREATE, {"i": data})
    assert_clean_200(response)
    payload: dict[str, Any] = response.data["customerUserCreate"]
    return payload


async def create_db_user(api: Api, login: str, **values: Any) -> None:
    payload = await create_user(api, login, **values)
    assert payload["userErrors"] == [], payload
    assert payload["customerUser"]["source"] == DB
