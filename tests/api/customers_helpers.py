"""What the ``test_customers_*`` modules share: GraphQL documents and helpers for customers
(OTOBO's customer_company).

The tests were one 920-line ``test_customers.py``; they are now split by subject. A customer's
users are made with ``tests.factories.new_user``; ``count_rows`` reads the table as the witness
for "nothing was written".
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from datasources.db.tables import customer_company
from tests.checks import assert_clean
from tests.conftest import Api

FIELDS = (
    "id customerId name street zip city country url comment validity "
    "createdAt createdBy changedAt changedBy"
)
CREATE = (
    "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { "
    f"customer {{ {FIELDS} }} userErrors {{ field code message }} }} }}"
)
UPDATE = (
    "mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { "
    f"customer {{ {FIELDS} }} userErrors {{ field code message }} }} }}"
)
GET = f"query($c: String!) {{ customer(customerId: $c) {{ {FIELDS} }} }}"
SEARCH = (
    "query($s: String, $v: Boolean, $f: Int!, $a: String) { "
    "customers(search: $s, valid: $v, first: $f, after: $a) { "
    "nodes { customerId name validity } totalCount limitReached "
    "pageInfo { hasNextPage hasPreviousPage endCursor } } }"
)


def every_field(customer_id: str) -> dict[str, str]:
    """A customerCreate input that sets every field, for the tests that follow each one
    through a create or an update."""
    return {
        "customerId": customer_id,
        "name": f"Acme {customer_id}",
        "street": "Some Street 1\nBuilding B",
        "zip": "12345",
        "city": "Berlin",
        "country": "Germany",
        "url": "https://acme.example.com",
        "comment": "a comment",
    }


async def create(api: Api, **values: Any) -> dict[str, Any]:
    r = await api.gql(CREATE, {"i": values})
    assert_clean(r)
    return r.data["customerCreate"]  # type: ignore[no-any-return]


async def create_ok(api: Api, **values: Any) -> dict[str, Any]:
    payload = await create(api, **values)
    assert payload["userErrors"] == [], payload
    assert payload["customer"] is not None
    return payload["customer"]  # type: ignore[no-any-return]


async def update(api: Api, **values: Any) -> dict[str, Any]:
    r = await api.gql(UPDATE, {"i": values})
    assert_clean(r)
    return r.data["customerUpdate"]  # type: ignore[no-any-return]


async def get(api: Api, customer_id: str) -> dict[str, Any] | None:
    return (await api.data(GET, {"c": customer_id}))["customer"]  # type: ignore[no-any-return]


async def search(
    api: Api,
    term: str | None,
    *,
    valid: bool | None = True,
    first: int = 100,
    after: str | None = None,
) -> dict[str, Any]:
    r = await api.gql(SEARCH, {"s": term, "v": valid, "f": first, "a": after})
    assert_clean(r)
    return r.data["customers"]  # type: ignore[no-any-return]


async def search_ids(api: Api, term: str, *, valid: bool | None = True) -> set[str]:
    return {n["customerId"] for n in (await search(api, term, valid=valid))["nodes"]}


async def count_rows(api: Api, where: sa.ColumnElement[bool]) -> int:
    """How many customer_company rows match ``where``."""
    async with api.storage.engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(customer_company).where(where)
        return int((await conn.execute(query)).scalar_one())
