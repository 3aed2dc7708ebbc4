"""A document with several operations runs only the one ``operationName`` names (issue 11,
defect 11a): without a name it is a request error, not "run the first" (Strawberry's rule,
which ``schema.masking.RosterSchema`` overrides through a private hook: this is its canary).

The error is answered like the other request errors (parse, validation): HTTP 200, ``data:
null``, ``extensions.code`` ``GRAPHQL_VALIDATION_FAILED``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Api, unique

TWO_QUERIES = """
query Names { customers(first: 1) { nodes { name } } }
query Ids { customers(first: 1) { nodes { customerId } } }"""
TWO_MUTATIONS = """
mutation First($a: CustomerCreateInput!) { customerCreate(input: $a) { userErrors { code } } }
mutation Second($b: CustomerCreateInput!) { customerCreate(input: $b) { userErrors { code } } }
"""
GET = "query($c: String!) { customer(customerId: $c) { customerId } }"


def assert_operation_name_required(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    assert "operationName" in body["errors"][0]["message"]


async def _post(api: Api, payload: dict[str, Any]) -> httpx.Response:
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    return await api.client.post("/graphql", json=payload, headers=headers)


@pytest.mark.parametrize("absent", [True, False], ids=["absent", "null"])
async def test_several_queries_without_a_name_are_refused(api: Api, absent: bool) -> None:
    payload: dict[str, Any] = {"query": TWO_QUERIES}
    if not absent:
        payload["operationName"] = None
    first, second = await _post(api, payload), await _post(api, payload)
    assert_operation_name_required(first)
    assert (second.status_code, second.content) == (first.status_code, first.content)


async def test_no_mutation_runs_without_a_name(api: Api) -> None:
    a, b = unique("A"), unique("B")
    variables = {"a": {"customerId": a, "name": a}, "b": {"customerId": b, "name": b}}
    for _ in range(2):
        assert_operation_name_required(
            await _post(api, {"query": TWO_MUTATIONS, "variables": variables})
        )
    for customer_id in (a, b):
        assert (await api.data(GET, {"c": customer_id}))["customer"] is None


async def test_strawberrys_own_view_refuses_it_too(api: Api) -> None:
    """A request the direct path does not take (an unknown top-level key) goes through
    Strawberry's view, which picked the first operation as well."""
    assert_operation_name_required(await _post(api, {"query": TWO_QUERIES, "extra": 1}))


async def test_a_named_operation_runs(api: Api) -> None:
    for _ in range(2):
        r = await _post(api, {"query": TWO_QUERIES, "operationName": "Ids"})
        assert r.status_code == 200
        assert "errors" not in r.json(), r.json()
        assert "nodes" in r.json()["data"]["customers"]


async def test_a_single_operation_needs_no_name(api: Api) -> None:
    for _ in range(2):
        r = await _post(api, {"query": "query Only { customers(first: 1) { totalCount } }"})
        assert r.status_code == 200
        assert "errors" not in r.json(), r.json()
