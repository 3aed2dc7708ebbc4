"""What reaches /graphql over HTTP, on SQLite and PostgreSQL: bodies over the size limit
(also streamed, or with a lying Content-Length), batches, malformed or non-UTF-8 bodies, other
content types, queries through GET, the GraphiQL page, /healthz and unknown paths. Always a
4xx (or the page), never a leak.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.api.auth_helpers import (
    CUSTOMER_CREATE,
    CUSTOMER_GET,
    LISTING,
    assert_no_leak,
    assert_no_leak_in,
    bearer,
)
from tests.conftest import Api, MakeApi, unique


async def test_body_larger_than_the_limit_is_413(make_api: MakeApi) -> None:
    small = await make_api(server={"max_body_bytes": 2048, "statement_count_header": True})
    cid = unique("C")
    ok = await small.gql(CUSTOMER_CREATE, {"i": {"customerId": cid, "name": "n" * 100}})
    assert ok.data["customerCreate"]["userErrors"] == []

    too_big = {"customerId": unique("C"), "name": "n" * 100, "comment": "x" * 3000}
    r = await small.gql(CUSTOMER_CREATE, {"i": too_big})
    assert r.status == 413, r.body
    assert r.error_codes == ["PAYLOAD_TOO_LARGE"]
    assert r.body["data"] is None
    assert_no_leak(r)
    assert (await small.data(CUSTOMER_GET, {"c": too_big["customerId"]}))["customer"] is None

    # Without a key, too: the size is checked before anything else.
    assert (await small.gql(CUSTOMER_CREATE, {"i": too_big}, key=None)).status in (401, 413)


async def test_streamed_body_larger_than_the_limit_is_413(make_api: MakeApi) -> None:
    small = await make_api(server={"max_body_bytes": 2048})
    cid = unique("C")
    body = json.dumps(
        {
            "query": CUSTOMER_CREATE,
            "variables": {"i": {"customerId": cid, "name": "n", "comment": "x" * 5000}},
        }
    ).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 512):
            yield body[start : start + 512]

    response = await small.client.post(
        "/graphql",
        content=chunks(),
        headers={"Authorization": bearer(small.admin_key), "content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert_no_leak_in(response.text)
    assert (await small.data(CUSTOMER_GET, {"c": cid}))["customer"] is None


async def test_lying_content_length_is_413(api: Api, raw: httpx.AsyncClient) -> None:
    response = await raw.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={
            "Authorization": bearer(api.admin_key),
            "content-type": "application/json",
            "content-length": "99999999999",
        },
    )
    assert response.status_code == 413
    assert_no_leak_in(response.text)


async def post_raw(
    raw: httpx.AsyncClient, api: Api, body: bytes, content_type: str = "application/json"
) -> httpx.Response:
    return await raw.post(
        "/graphql",
        content=body,
        headers={"Authorization": bearer(api.admin_key), "content-type": content_type},
    )


async def test_batched_request_is_an_error(api: Api, raw: httpx.AsyncClient) -> None:
    cid = unique("C")
    batch = [
        {"query": "{ __typename }"},
        {"query": CUSTOMER_CREATE, "variables": {"i": {"customerId": cid, "name": cid}}},
    ]
    for body in (batch, [], [{"query": "{ __typename }"}]):
        response = await post_raw(raw, api, json.dumps(body).encode())
        assert 400 <= response.status_code < 500, (body, response.text)
        assert_no_leak_in(response.text)
    assert (await api.data(CUSTOMER_GET, {"c": cid}))["customer"] is None


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"\xff\xfe",
        b'{"query": "{ __typename }"',
        b"{}",
        b'{"query": 5}',
        b'{"query": "{ __typename }", "variables": [1]}',
        b'{"query": "{ __typename }", "variables": "x"}',
        b'{"query": "{ __typename }", "operationName": 5}',
        b'{"query": "{ __typename }", "extensions": 5}',
    ],
)
async def test_malformed_body_is_4xx(api: Api, raw: httpx.AsyncClient, body: bytes) -> None:
    response = await post_raw(raw, api, body)
    assert 400 <= response.status_code < 500, response.text
    assert_no_leak_in(response.text)


@pytest.mark.parametrize("body", [b"\x80", b'{"query": "\xff"}', b"\xff\xfe\x00"])
async def test_body_that_is_not_utf8_is_4xx(api: Api, raw: httpx.AsyncClient, body: bytes) -> None:
    response = await post_raw(raw, api, body)
    assert_no_leak_in(response.text)
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize("body", [b'"just a string"', b"42", b"null", b"true"])
async def test_non_object_json_body_is_4xx(api: Api, raw: httpx.AsyncClient, body: bytes) -> None:
    response = await post_raw(raw, api, body)
    assert_no_leak_in(response.text)
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
async def test_unsupported_content_type_is_4xx(
    api: Api, raw: httpx.AsyncClient, content_type: str
) -> None:
    response = await post_raw(raw, api, b"query={__typename}", content_type)
    assert 400 <= response.status_code < 500
    assert_no_leak_in(response.text)


async def test_queries_run_via_get_but_mutations_are_405(api: Api, raw: httpx.AsyncClient) -> None:
    """GraphQL over HTTP: a query may come by GET, a mutation never (405, Allow: POST)."""
    cid = unique("C")
    mutation = (
        f'mutation {{ customerCreate(input: {{customerId: "{cid}", name: "{cid}"}}) '
        "{ customer { customerId } } }"
    )
    auth = {"Authorization": bearer(api.admin_key)}
    query = await raw.get("/graphql", params={"query": "{ __typename }"}, headers=auth)
    assert query.status_code == 200
    assert query.json()["data"] == {"__typename": "Query"}
    for _ in range(2):  # the second time, the text is known to the direct path
        refused = await raw.get("/graphql", params={"query": mutation}, headers=auth)
        assert refused.status_code == 405
        assert refused.headers["allow"] == "POST"
        assert refused.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
        assert_no_leak_in(refused.text)
    assert (await api.data(CUSTOMER_GET, {"c": cid}))["customer"] is None


async def test_graphiql_page_needs_no_key(raw: httpx.AsyncClient) -> None:
    response = await raw.get("/graphql", headers={"Accept": "text/html"})
    assert_no_leak_in(response.text)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_graphiql_request_does_not_bypass_auth_for_queries(
    api: Api, raw: httpx.AsyncClient
) -> None:
    response = await raw.get("/graphql", params={"query": LISTING}, headers={"Accept": "text/html"})
    assert "customerId" not in response.text
    assert_no_leak_in(response.text)
    response = await raw.post("/graphql", json={"query": LISTING}, headers={"Accept": "text/html"})
    assert response.status_code == 401
    assert_no_leak_in(response.text)


async def test_healthz(raw: httpx.AsyncClient) -> None:
    response = await raw.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_unknown_path_is_404(raw: httpx.AsyncClient) -> None:
    response = await raw.get("/nope")
    assert response.status_code == 404
    assert_no_leak_in(response.text)
