"""Request limits on SQLite and PostgreSQL: query depth, aliases and tokens are refused before
anything runs, the verdict is cached with the document, and introspection can be switched off.
"""

from __future__ import annotations

from tests.api.auth_helpers import assert_no_leak, create_customer
from tests.checks import baseline_statements
from tests.conftest import Api, MakeApi

# --- limits -------------------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "{ customers { nodes { " + "f { " * depth + "x" + " }" * depth + " } } }"


async def test_query_deeper_than_the_limit_is_rejected(api: Api) -> None:
    baseline = await baseline_statements(api)
    r = await api.gql(nested(20))
    assert_no_leak(r)
    assert r.errors
    assert any("maximum operation depth of 12" in e["message"] for e in r.errors), r.errors
    assert r.body.get("data") is None
    assert r.statements == baseline  # nothing was executed


async def test_depth_limit_with_real_fields(make_api: MakeApi) -> None:
    shallow = await make_api(server={"max_query_depth": 3})
    await create_customer(shallow)
    ok = await shallow.gql("{ customerUsers { edges { node { login } } } }")
    assert ok.data["customerUsers"]["edges"] == []
    r = await shallow.gql("{ customerUsers { edges { node { customer { name } } } } }")
    assert_no_leak(r)
    assert any("maximum operation depth of 3" in e["message"] for e in r.errors), r.errors
    assert r.body.get("data") is None
    # Fragments do not hide depth.
    r = await shallow.gql(
        "query { customerUsers { ...E } } fragment E on CustomerUserConnection "
        "{ edges { node { customer { name } } } }"
    )
    assert any("maximum operation depth" in e["message"] for e in r.errors), r.errors
    assert r.body.get("data") is None


def aliased(count: int) -> str:
    fields = " ".join(f"a{i}: customers(first: 1) {{ totalCount }}" for i in range(count))
    return "{ " + fields + " }"


async def test_more_than_30_aliases_is_rejected(api: Api) -> None:
    ok = await api.gql(aliased(30))
    assert len(ok.data) == 30
    r = await api.gql(aliased(31))
    assert_no_leak(r)
    assert r.errors
    assert any("alias" in e["message"].lower() for e in r.errors), r.errors
    assert r.body.get("data") is None
    assert r.statements == await baseline_statements(api)
    r = await api.gql("{ " + " ".join(f"t{i}: __typename" for i in range(100)) + " }")
    assert r.errors
    assert r.body.get("data") is None


async def test_too_many_tokens_is_rejected(api: Api) -> None:
    baseline = await baseline_statements(api)
    query = "{ customers(first: 1) { nodes { " + "customerId " * 6000 + "} } }"
    r = await api.gql(query)
    assert_no_leak(r)
    assert any("5000 tokens" in e["message"] for e in r.errors), r.errors
    assert r.body.get("data") is None
    assert r.statements == baseline


async def test_a_rejected_query_stays_rejected_when_sent_again(api: Api) -> None:
    """Parsed and validated documents are cached by their text: the cache must keep the
    verdict, not just the document."""
    await baseline_statements(api)  # the key's first request also looks the key up
    baseline = await baseline_statements(api)
    for _ in range(3):
        r = await api.gql(nested(13))
        assert any("maximum operation depth of 12" in e["message"] for e in r.errors), r.errors
        assert r.body.get("data") is None
        assert r.statements == baseline


async def test_the_same_text_with_other_variables_is_executed_anew(api: Api) -> None:
    query = "query($id: String!) { customer(customerId: $id) { customerId } }"
    first = (await create_customer(api))["customerId"]
    second = (await create_customer(api))["customerId"]
    for cid in (first, second, first):
        assert (await api.data(query, {"id": cid}))["customer"] == {"customerId": cid}


async def test_a_query_too_long_to_cache_still_works_and_is_checked(api: Api) -> None:
    padding = " " * 30_000  # whitespace is not a token: the token limit is not what stops it
    cid = (await create_customer(api))["customerId"]
    ok = "{" + padding + f'customer(customerId: "{cid}") {{ customerId }} }}'
    for _ in range(2):
        assert (await api.data(ok))["customer"] == {"customerId": cid}
    deep = nested(13).replace("{ ", "{ " + padding, 1)
    for _ in range(2):
        r = await api.gql(deep)
        assert any("maximum operation depth of 12" in e["message"] for e in r.errors), r.errors


async def test_introspection_can_be_switched_off(make_api: MakeApi) -> None:
    closed = await make_api(server={"introspection": False})
    for _ in range(2):
        r = await closed.gql("{ __schema { queryType { name } } }")
        assert r.errors, r.body
        assert "introspection" in r.errors[0]["message"].lower(), r.errors
        assert r.body.get("data") is None
    assert (await closed.data("{ customers(first: 1) { totalCount } }"))["customers"] == {
        "totalCount": 0
    }
