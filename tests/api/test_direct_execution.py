"""A query text the server has run before takes a shorter path (``schema/direct_execution.py``);
its answer must be exactly the one the first request of that text got through Strawberry."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import Api, GraphQLResponse, MakeApi, unique

CREATE = """mutation($i: CustomerCreateInput!) { customerCreate(input: $i) {
    customer { customerId name } userErrors { field code } } }"""
GET = "query($c: String!) { customer(customerId: $c) { customerId name } }"
TWO_OPERATIONS = """
query Names($c: String!) { customer(customerId: $c) { name } }
query Ids($c: String!) { customer(customerId: $c) { customerId } }"""


async def twice(api: Api, payload: dict[str, Any], key: str = "admin") -> GraphQLResponse:
    """The answer to ``payload``, after checking that sending it again answers the same, byte
    for byte."""
    secret = api.admin_key if key == "admin" else api.read_key
    headers = {"Authorization": f"Bearer {secret}"}
    first = await api.client.post("/graphql", json=payload, headers=headers)
    second = await api.client.post("/graphql", json=payload, headers=headers)
    assert (second.status_code, second.content) == (first.status_code, first.content)
    body = second.json() if second.headers["content-type"] == "application/json" else {}
    return GraphQLResponse(status=second.status_code, body=body, statements=-1)


async def created(api: Api) -> str:
    customer_id = unique("D")
    payload = {
        "query": CREATE,
        "variables": {"i": {"customerId": customer_id, "name": f"{customer_id} Ltd"}},
    }
    r = await api.post(payload)
    assert r.data["customerCreate"]["userErrors"] == [], r.body
    return customer_id


async def test_a_repeated_query_answers_from_the_current_data_and_variables(api: Api) -> None:
    first, second = await created(api), await created(api)
    for customer_id in (first, second):
        r = await twice(api, {"query": GET, "variables": {"c": customer_id}})
        assert r.data == {"customer": {"customerId": customer_id, "name": f"{customer_id} Ltd"}}
    rename = """mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) {
        userErrors { code } } }"""
    renamed = {"customerId": first, "name": f"{first} Renamed"}
    r = await api.post({"query": rename, "variables": {"i": renamed}})
    assert r.data["customerUpdate"]["userErrors"] == []
    r = await api.post({"query": GET, "variables": {"c": first}})
    assert r.data["customer"] == renamed


async def test_a_repeated_mutation_runs_each_time(api: Api) -> None:
    ids = [unique("M") for _ in range(3)]
    for customer_id in ids:
        customer = {"customerId": customer_id, "name": f"{customer_id} Ltd"}
        r = await api.post({"query": CREATE, "variables": {"i": customer}})
        assert r.data["customerCreate"]["customer"] == customer, r.body
    for customer_id in ids:
        r = await api.post({"query": GET, "variables": {"c": customer_id}})
        assert r.data["customer"] == {"customerId": customer_id, "name": f"{customer_id} Ltd"}


@pytest.mark.parametrize(
    "variables",
    [{}, {"c": 12}, {"c": None}, {"c": "x", "unknown": 1}],
    ids=["missing", "wrong-type", "null", "extra"],
)
async def test_variable_errors_are_the_same(api: Api, variables: dict[str, Any]) -> None:
    r = await twice(api, {"query": GET, "variables": variables})
    if "unknown" in variables:
        assert r.data == {"customer": None}
    else:
        assert r.errors, r.body
        assert r.body.get("data") is None


@pytest.mark.parametrize("name", ["Names", "Ids", "Nope", None])
async def test_the_operation_name_picks_the_operation_or_is_refused(
    api: Api, name: str | None
) -> None:
    customer_id = await created(api)
    payload = {"query": TWO_OPERATIONS, "operationName": name, "variables": {"c": customer_id}}
    r = await twice(api, payload)
    if name == "Ids":
        assert r.data == {"customer": {"customerId": customer_id}}
    elif name == "Names":
        assert r.data == {"customer": {"name": f"{customer_id} Ltd"}}
    elif name == "Nope":
        assert r.status == 400
    else:  # without a name, none runs (tests/api/test_operation_names.py)
        assert r.error_codes == ["GRAPHQL_VALIDATION_FAILED"]
        assert r.body["data"] is None


async def test_typed_and_permission_errors_are_the_same(api: Api) -> None:
    r = await twice(api, {"query": '{ customers(search: "") { totalCount } }'})
    assert r.error_codes == ["BAD_USER_INPUT"]
    payload = {"query": CREATE, "variables": {"i": {"customerId": unique("R"), "name": "R"}}}
    r = await twice(api, payload, key="read")
    assert r.error_codes == ["FORBIDDEN"]
    assert r.body.get("data") is None


async def test_unexpected_errors_stay_masked(make_api: MakeApi) -> None:
    broken = await make_api()
    async with broken.services.engine.begin() as conn:  # a real fault: the table is gone
        await conn.execute(sa.text("ALTER TABLE customer_company RENAME TO customer_company_x"))
    r = await twice(broken, {"query": "{ customers(first: 5) { nodes { customerId } } }"})
    assert [(e["message"], e["extensions"]) for e in r.errors] == [
        ("Unexpected error.", {"code": "INTERNAL_SERVER_ERROR"})
    ]
    assert "customer_company" not in str(r.body)
