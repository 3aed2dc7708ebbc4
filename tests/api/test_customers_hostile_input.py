"""Hostile input to the customer API: a megabyte name, SQL metacharacters stored literally,
NUL in lookups and keys, forged cursors. Never a server error.

Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from datasources.db.tables import customer_company
from tests.api.customers_helpers import (
    CREATE,
    GET,
    SEARCH,
    UPDATE,
    count_rows,
    create_ok,
    get,
    search_ids,
    update,
)
from tests.checks import assert_clean, codes
from tests.conftest import Api, GraphQLResponse, unique

# --- hostile input ------------------------------------------------------------------------------


async def test_one_megabyte_name_is_too_long(api: Api) -> None:
    cid = unique("big")
    r = await api.gql(CREATE, {"i": {"customerId": cid, "name": "N" * (1024 * 1024)}})
    assert r.status == 200
    assert_clean(r)
    assert codes(r.data["customerCreate"]) == [(("input", "name"), "TOO_LONG")]
    assert await get(api, cid) is None
    r = await api.gql(CREATE, {"i": {"customerId": "C" * (1024 * 1024), "name": cid}})
    assert_clean(r)
    assert codes(r.data["customerCreate"]) == [(("input", "customerId"), "TOO_LONG")]


@pytest.mark.parametrize(
    "hostile",
    [
        "'; DROP TABLE customer_company; --",
        'Robert"); DELETE FROM customer_user; --',
        "x' OR '1'='1",
        "\\' OR 1=1 /*",
        "%_[]*?\\",
    ],
)
async def test_sql_metacharacters_are_stored_literally(api: Api, hostile: str) -> None:
    p = unique("sql")
    cid = f"{p}{hostile}"
    created = await create_ok(api, customerId=cid, name=f"{hostile} {p}", city=hostile)
    assert (created["customerId"], created["city"]) == (cid, hostile)
    assert await get(api, cid) == created
    assert await get(api, cid.upper()) == created
    assert await search_ids(api, cid) == {cid}
    assert await search_ids(api, f"{p}+{hostile}", valid=False) <= {cid}
    updated = await update(api, customerId=cid, comment=hostile)
    assert updated["customer"]["comment"] == hostile
    # The tables are all still there.
    assert await count_rows(api, customer_company.c.customer_id == cid) == 1


def assert_no_unexpected_error(r: GraphQLResponse) -> None:
    assert_clean(r)
    assert all(e["message"] != "Unexpected error." for e in r.errors), r.body


async def test_lookup_with_nul_finds_nothing(api: Api) -> None:
    r = await api.gql(GET, {"c": "a\x00b"})
    assert_no_unexpected_error(r)
    assert r.data["customer"] is None


async def test_node_with_nul_in_key_is_null(api: Api) -> None:
    node_id = base64.urlsafe_b64encode(b"Customer:a\x00b").decode().rstrip("=")
    r = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": node_id})
    assert_no_unexpected_error(r)
    assert r.data["node"] is None


async def test_update_with_nul_in_customer_id_is_not_found(api: Api) -> None:
    r = await api.gql(UPDATE, {"i": {"customerId": "a\x00b", "city": "x"}})
    assert_no_unexpected_error(r)
    assert codes(r.data["customerUpdate"]) == [(("input", "customerId"), "NOT_FOUND")]


async def test_forged_cursor_with_nul_is_not_a_server_error(api: Api) -> None:
    cursor = base64.urlsafe_b64encode(b'{"k":["a\\u0000b"],"p":1}').decode().rstrip("=")
    r = await api.gql(SEARCH, {"s": None, "v": True, "f": 5, "a": cursor})
    assert_no_unexpected_error(r)
    assert r.error_codes in ([], ["BAD_USER_INPUT"]), r.body


@pytest.mark.parametrize(
    "payload",
    [
        {"k": [5], "p": 1},
        {"k": [None], "p": 1},
        {"k": ["x"], "p": 10**12},
        {"k": ["x", "y"], "p": 1},
    ],
)
async def test_forged_cursors_are_harmless(api: Api, payload: dict[str, Any]) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    for term in (None, "*"):
        r = await api.gql(SEARCH, {"s": term, "v": True, "f": 5, "a": cursor})
        assert_no_unexpected_error(r)
        assert r.error_codes in ([], ["BAD_USER_INPUT"]), r.body
