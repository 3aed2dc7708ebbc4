"""A query text the server has run before takes a shorter path (``schema/direct_execution.py``);
its answer must be exactly the one Strawberry's full path gives.

Which path a request takes must not depend on the order the tests run in, so each request here
is sent on purpose to both: to an app with the direct path switched off
(``server.direct_execution = false``: always Strawberry), and twice to an app with it on, the
second of which must have been answered by the direct path (its counter says so). All three
answers must be the same, byte for byte. Both apps serve the shared ``api``'s database.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import strawberry

from app.server import create_app
from domain.config import RosterConfig
from schema.direct_execution import DirectExecution, UnmirroredExtensions
from schema.document_cache import DocumentCache, DocumentRules, Lru
from schema.masking import MaskUnexpectedErrors, report_errors
from schema.outages import BackendOutages
from schema.time_limit import StatementTimeouts
from tests.conftest import Api, GraphQLResponse, MakeApi, unique
from tests.factories import new_customer, new_user

CREATE = """mutation($i: CustomerCreateInput!) { customerCreate(input: $i) {
    customer { customerId name } userErrors { field code } } }"""
GET = "query($c: String!) { customer(customerId: $c) { customerId name } }"
ONE_LOGIN = "query($l: String!) { customerUser(login: $l) { login } }"
TWO_OPERATIONS = """
query Names($c: String!) { customer(customerId: $c) { name } }
query Ids($c: String!) { customer(customerId: $c) { customerId } }"""


@dataclass
class BothPaths:
    """Clients of two apps on one database: one without the direct path, one with it."""

    strawberry: httpx.AsyncClient
    direct: httpx.AsyncClient
    direct_execution: DirectExecution
    admin_key: str
    read_key: str


def _with_direct_execution(config: RosterConfig, on: bool) -> RosterConfig:
    server = config.server.model_copy(update={"direct_execution": on})
    return config.model_copy(update={"server": server})


@contextlib.asynccontextmanager
async def both_paths(api: Api) -> AsyncIterator[BothPaths]:
    config = api.storage.config
    apps = [
        create_app(_with_direct_execution(config, on), storage=api.storage) for on in (False, True)
    ]
    assert apps[0].state.direct_execution is None  # the switch is off: always Strawberry
    async with contextlib.AsyncExitStack() as stack:
        off, on = [
            await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
            )
            for app in apps
        ]
        yield BothPaths(off, on, apps[1].state.direct_execution, api.admin_key, api.read_key)


@pytest.fixture
async def paths(api: Api) -> AsyncIterator[BothPaths]:
    async with both_paths(api) as opened:
        yield opened


async def twice(
    paths: BothPaths, payload: dict[str, Any], key: str = "admin", *, direct: bool = True
) -> GraphQLResponse:
    """The answer to ``payload``, after checking that Strawberry's path and the direct path
    (``direct=False``: a request the direct path must hand to Strawberry) answer the same,
    byte for byte."""
    secret = paths.admin_key if key == "admin" else paths.read_key
    headers = {"Authorization": f"Bearer {secret}"}
    strawberry_answer = await paths.strawberry.post("/graphql", json=payload, headers=headers)
    # The first request of a text on the app with the direct path goes through Strawberry,
    # unless an earlier test sent the same text (the schema, and its caches, are shared).
    first = await paths.direct.post("/graphql", json=payload, headers=headers)
    answered = paths.direct_execution.answered
    second = await paths.direct.post("/graphql", json=payload, headers=headers)
    went_direct = paths.direct_execution.answered - answered
    assert went_direct == int(direct), f"direct path used {went_direct} times, not {int(direct)}"
    expected = (strawberry_answer.status_code, strawberry_answer.content)
    assert (first.status_code, first.content) == expected
    assert (second.status_code, second.content) == expected
    body = second.json() if second.headers["content-type"] == "application/json" else {}
    return GraphQLResponse(status=second.status_code, body=body, statements=-1)


async def created(api: Api) -> str:
    """A new customer named "<its ID> Ltd"; returns its ID."""
    customer_id = unique("D")
    return await new_customer(api, customer_id, name=f"{customer_id} Ltd")


async def test_a_repeated_query_answers_from_the_current_data_and_variables(
    api: Api, paths: BothPaths
) -> None:
    first, second = await created(api), await created(api)
    for customer_id in (first, second):
        r = await twice(paths, {"query": GET, "variables": {"c": customer_id}})
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
async def test_variable_errors_are_the_same(paths: BothPaths, variables: dict[str, Any]) -> None:
    r = await twice(paths, {"query": GET, "variables": variables})
    if "unknown" in variables:
        assert r.data == {"customer": None}
    else:
        assert r.errors, r.body
        assert r.body.get("data") is None


@pytest.mark.parametrize("name", ["Names", "Ids", "Nope", None])
async def test_the_operation_name_picks_the_operation_or_is_refused(
    api: Api, paths: BothPaths, name: str | None
) -> None:
    customer_id = await created(api)
    payload = {"query": TWO_OPERATIONS, "operationName": name, "variables": {"c": customer_id}}
    # Without a name, or with an unknown one, the direct path leaves it to Strawberry.
    r = await twice(paths, payload, direct=name in ("Names", "Ids"))
    if name == "Ids":
        assert r.data == {"customer": {"customerId": customer_id}}
    elif name == "Names":
        assert r.data == {"customer": {"name": f"{customer_id} Ltd"}}
    elif name == "Nope":  # a document error: 200 under application/json (GraphQL over HTTP)
        assert r.status == 200
        assert r.error_codes == ["GRAPHQL_VALIDATION_FAILED"]
        assert r.body["data"] is None
    else:  # without a name, none runs (tests/api/test_operation_names.py)
        assert r.error_codes == ["GRAPHQL_VALIDATION_FAILED"]
        assert r.body["data"] is None


async def test_typed_and_permission_errors_are_the_same(paths: BothPaths) -> None:
    r = await twice(paths, {"query": '{ customers(search: "") { totalCount } }'})
    assert r.error_codes == ["BAD_USER_INPUT"]
    payload = {"query": CREATE, "variables": {"i": {"customerId": unique("R"), "name": "R"}}}
    r = await twice(paths, payload, key="read")
    assert r.error_codes == ["FORBIDDEN"]
    assert r.body.get("data") is None


async def test_unexpected_errors_stay_masked(make_api: MakeApi) -> None:
    broken = await make_api()
    async with broken.storage.engine.begin() as conn:  # a real fault: the table is gone
        await conn.execute(sa.text("ALTER TABLE customer_company RENAME TO customer_company_x"))
    async with both_paths(broken) as paths:
        r = await twice(paths, {"query": "{ customers(first: 5) { nodes { customerId } } }"})
    assert [(e["message"], e["extensions"]) for e in r.errors] == [
        ("Unexpected error.", {"code": "INTERNAL_SERVER_ERROR"})
    ]
    assert "customer_company" not in str(r.body)


LOOKUP = """query($l: String!) { customerUser(login: $l) {
    login firstName lastName email customerId validity
    customers { customerId name } customer { customerId customerUsers(first: 10) {
        totalCount nodes { login } pageInfo { hasNextPage } } } } }"""
USER_LIST = """query($s: String!) { customerUsers(search: $s, first: 10, orderBy: null) {
    totalCount nodes { __typename login firstName lastName email customerId validity } } }"""
CUSTOMER_LIST = """query($s: String!) { customers(search: $s, first: 10) {
    totalCount limitReached nodes { __typename customerId name validity }
    edges { cursor } pageInfo { hasNextPage endCursor } } }"""
GROUPS_AND_SERVICES = """{ groups(first: 5) { nodes { name } }
    services(first: 5) { nodes { name } } defaultServices { name } }"""
UPDATE = """mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) {
    customer { customerId name } userErrors { field code message } } }"""
TOO_COSTLY = """{ customers(first: 1000) { nodes {
    customerUsers(first: 1000) { nodes { login customers { name } } } } } }"""


async def test_lookups_lists_and_relations_are_the_same_on_both_paths(
    api: Api, paths: BothPaths
) -> None:
    tag = unique("B")
    customer_id = await created(api)
    for name in ("ann", "bob", "cid"):
        await new_user(api, customer_id, f"{tag}{name}")
    for suffix in ("x", "y", "z"):
        await new_customer(api, f"{tag}{suffix}", name=f"{tag}{suffix}")

    r = await twice(paths, {"query": LOOKUP, "variables": {"l": f"{tag}bob"}}, key="read")
    assert r.data["customerUser"]["customer"]["customerUsers"]["totalCount"] == 3
    # Lists of several items take the flat-list loop (schema/flat_lists.py).
    r = await twice(paths, {"query": USER_LIST, "variables": {"s": f"{tag}*"}})
    assert [n["login"] for n in r.data["customerUsers"]["nodes"]] == [
        f"{tag}{name}" for name in ("ann", "bob", "cid")
    ]
    r = await twice(paths, {"query": CUSTOMER_LIST, "variables": {"s": f"{tag}*"}}, key="read")
    assert r.data["customers"]["totalCount"] == 3
    r = await twice(paths, {"query": GROUPS_AND_SERVICES}, key="read")
    assert set(r.data) == {"groups", "services", "defaultServices"}
    r = await twice(paths, {"query": LOOKUP, "variables": {"l": f"{tag}nobody"}})
    assert r.data == {"customerUser": None}


async def test_mutations_and_refusals_are_the_same_on_both_paths(
    api: Api, paths: BothPaths
) -> None:
    customer_id = await created(api)
    # The same update each time, so each of the three answers is the same.
    same = {"customerId": customer_id, "name": f"{customer_id} Ltd"}
    r = await twice(paths, {"query": UPDATE, "variables": {"i": same}})
    assert r.data["customerUpdate"] == {"customer": same, "userErrors": []}
    # A user error, answered as data.
    taken = {"query": CREATE, "variables": {"i": same}}
    r = await twice(paths, taken)
    assert r.data["customerCreate"]["customer"] is None
    assert r.data["customerCreate"]["userErrors"], r.body
    # Refused before it runs, for its cost.
    r = await twice(paths, {"query": TOO_COSTLY})
    assert r.error_codes == ["QUERY_TOO_COSTLY"]
    # An invalid document never takes the direct path.
    r = await twice(paths, {"query": "{ customers { nope } }"}, direct=False)
    assert r.error_codes == ["GRAPHQL_VALIDATION_FAILED"]


# ---- the extensions the direct path mirrors -------------------------------------------------


@strawberry.type
class _Query:
    answer: int = 42


class _Audit(StatementTimeouts):
    """An extension the direct path knows nothing about."""


def _direct_for(extensions: list[Any]) -> DirectExecution:
    verdicts: Lru[str, Any] = Lru()
    rules = DocumentRules(max_tokens=1000, validation_rules=())
    schema = strawberry.Schema(query=_Query, extensions=extensions)
    return DirectExecution(schema, verdicts, rules, report_errors)


def test_the_direct_path_refuses_a_schema_whose_extensions_it_does_not_mirror() -> None:
    rules = DocumentRules(max_tokens=1000, validation_rules=())
    mirrored: list[Any] = [
        lambda: DocumentCache(Lru(), rules),
        MaskUnexpectedErrors,
        StatementTimeouts,
        BackendOutages,
    ]
    _direct_for(mirrored)  # Roster's own list: accepted
    with pytest.raises(UnmirroredExtensions, match=r"\(DocumentCache, .*BackendOutages, _Audit\)"):
        _direct_for([*mirrored, _Audit])  # one more
    with pytest.raises(UnmirroredExtensions, match="are not the ones the direct execution path"):
        _direct_for(mirrored[:-1])  # BackendOutages missing
    with pytest.raises(UnmirroredExtensions):
        _direct_for([mirrored[0], StatementTimeouts, MaskUnexpectedErrors, BackendOutages])


async def test_a_repeated_lookup_leaves_nothing_for_the_garbage_collector(api: Api) -> None:
    """Each request's executor, context and loaders are freed when it ends (no reference
    cycles): the garbage collector's runs over them cost a one-user lookup 20-40 µs of CPU."""
    login = await new_user(api, await created(api))
    lookup = {"query": ONE_LOGIN, "variables": {"l": login}}
    for _ in range(3):  # the direct path from the second request on
        assert (await api.post(lookup)).data == {"customerUser": {"login": login}}
    ours = ("graphql", "strawberry", "schema", "resolvers", "loaders", "datasources", "app")
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(5):
            assert (await api.post(lookup)).data == {"customerUser": {"login": login}}
        gc.collect()
        left = [type(o) for o in gc.garbage if type(o).__module__.split(".")[0] in ours]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []


RELATIONS = """query($l: String!) {
  customerUser(login: $l) { login customer { name } customerIds
    availableServices { name } usesDefaultServices
    effectivePermissions { group { name } permission } }
  customerUsers(first: 10) { nodes { login customer { name } availableServices { name }
    effectivePermissions { group { name } permission } } } }"""


async def test_relation_and_page_reads_leave_nothing_for_the_garbage_collector(api: Api) -> None:
    """The loaders of customers, groups and services hold the request's loaders weakly
    (``loaders.batching.weakly``): a request that reads them is freed when it ends, as a
    one-user lookup is."""
    login = await new_user(api, await created(api))
    lookup = {"query": RELATIONS, "variables": {"l": login}}
    for _ in range(3):
        response = await api.post(lookup)
        assert not response.errors, response.errors
        assert response.data["customerUser"]["login"] == login
    ours = ("graphql", "strawberry", "schema", "resolvers", "loaders", "datasources", "app")
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(5):
            assert (await api.post(lookup)).data["customerUser"]["login"] == login
        gc.collect()
        left = [type(o) for o in gc.garbage if type(o).__module__.split(".")[0] in ours]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []
