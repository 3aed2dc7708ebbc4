"""Error masking on SQLite and PostgreSQL: an unexpected failure is answered as "Unexpected
error." (INTERNAL_SERVER_ERROR) without internals, while typed errors and validation errors keep
their own message.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.api.auth_helpers import (
    CUSTOMER_CREATE,
    CUSTOMER_GET,
    LISTING,
    assert_no_leak,
    assert_no_leak_in,
)
from tests.conftest import Api, MakeApi

# --- error masking -------------------------------------------------------------------------------


@pytest.fixture
async def broken(make_api: MakeApi) -> Api:
    """An app whose customer table has vanished: every customer query fails unexpectedly."""
    fresh = await make_api()
    async with fresh.storage.engine.begin() as conn:
        await conn.execute(sa.text("ALTER TABLE customer_company RENAME TO customer_company_gone"))
    return fresh


async def test_unexpected_errors_are_masked(broken: Api) -> None:
    for query, variables in (
        (LISTING, {}),
        (CUSTOMER_GET, {"c": "x"}),
        (CUSTOMER_CREATE, {"i": {"customerId": "x", "name": "y"}}),
    ):
        r = await broken.gql(query, variables)
        assert r.status == 200
        assert r.errors, r.body
        assert [e["message"] for e in r.errors] == ["Unexpected error."]
        text = json.dumps(r.body).lower()
        assert_no_leak_in(text)
        for leak in ("customer_company", "select", "insert", "sqlalchemy", "asyncpg", "sqlite"):
            assert leak not in text, (leak, text)


async def test_masked_errors_carry_internal_server_error_code(broken: Api) -> None:
    r = await broken.gql(LISTING)
    assert r.error_codes == ["INTERNAL_SERVER_ERROR"], r.body


async def test_typed_errors_are_not_masked(api: Api) -> None:
    r = await api.gql('{ customers(search: "") { totalCount } }')
    assert r.error_codes == ["BAD_USER_INPUT"]
    assert r.errors[0]["message"] != "Unexpected error."
    r = await api.gql("{ customers(first: 100000) { totalCount } }")
    assert r.error_codes == ["BAD_USER_INPUT"]
    assert_no_leak(r)


async def test_validation_errors_do_not_leak_internals(api: Api) -> None:
    for query in (
        "{ nope }",
        "{ customers { nodes { password } } }",
        "{ customers(",
        "mutation { customerCreate(input: {customerId: 5}) { customer { id } } }",
        "query($i: CustomerCreateInput!) { customerCreate(input: $i) { customer { id } } }",
    ):
        r = await api.gql(query)
        assert r.errors, query
        assert r.status < 500
        assert_no_leak(r)
