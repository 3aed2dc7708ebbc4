"""GraphQL over HTTP (``app/http_protocol.py``) as a client sees it, on both execution paths:
the media type follows ``Accept``, document errors are ``400`` without ``data`` under
``application/graphql-response+json`` and the legacy ``200`` under ``application/json``,
queries run by GET and mutations never do, and every refusal is GraphQL-shaped JSON with an
``extensions.code`` (never ``text/plain``). The ``graphql-http`` audit suite checks the same
against a real server (``tests/http_audit``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.http_protocol import GRAPHQL_RESPONSE, JSON, negotiate
from tests.api.auth_helpers import CUSTOMER_CREATE, CUSTOMER_GET, assert_no_leak_in
from tests.api.http_helpers import GR, Paths, both_paths, on_both_paths, send
from tests.conftest import Api, unique


@pytest.fixture
async def paths(api: Api) -> AsyncIterator[Paths]:
    async with both_paths(api) as opened:
        yield opened


def fresh(query: str = "{ __typename }") -> str:
    """``query`` made a text no earlier test sent (a comment), so the first request of it
    goes through Strawberry's execution and the second through the direct path."""
    return f"{query} # {unique()}"


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("application/json", JSON),
        ("application/json; charset=utf-8", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", JSON),
        (f"{GRAPHQL_RESPONSE}, */*;q=0.1", GRAPHQL_RESPONSE),
        ("text/html, */*;q=0.8", JSON),
        ("text/html", None),
        ("application/xml", None),
        (f"{GRAPHQL_RESPONSE};q=0", None),
    ],
)
def test_the_answer_media_type_follows_accept(accept: str | None, media: str | None) -> None:
    assert negotiate(accept) == media


@pytest.mark.parametrize("accept", [None, "*/*", JSON, GR, f"{GR}, {JSON};q=0.9"])
async def test_a_query_answers_in_the_accepted_media_type(
    api: Api, paths: Paths, accept: str | None
) -> None:
    r = await on_both_paths(paths, payload={"query": fresh()}, key=api.admin_key, accept=accept)
    assert r.status == 200
    assert r.content_type == (GR if accept and accept.startswith(GR) else JSON)
    assert r.body["data"] == {"__typename": "Query"}


async def test_an_unacceptable_accept_is_406_in_json(api: Api, paths: Paths) -> None:
    r = await on_both_paths(
        paths, direct=False, payload={"query": fresh()}, key=api.admin_key, accept="text/xml"
    )
    assert (r.status, r.content_type, r.codes) == (406, JSON, ["NOT_ACCEPTABLE"])


DOCUMENT_ERRORS = [
    ({"query": "{"}, "GRAPHQL_PARSE_FAILED"),
    ({"query": "{ noSuchField }"}, "GRAPHQL_VALIDATION_FAILED"),
    (
        {"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {"id": None}},
        "BAD_USER_INPUT",
    ),
    (
        {"query": "query($n: Int!) { customers(first: $n) { totalCount } }", "variables": {}},
        "BAD_USER_INPUT",
    ),
    ({"query": "query A { __typename }", "operationName": "B"}, "GRAPHQL_VALIDATION_FAILED"),
    ({"query": "query A { __typename } query B { __typename }"}, "GRAPHQL_VALIDATION_FAILED"),
]


@pytest.mark.parametrize(("payload", "code"), DOCUMENT_ERRORS)
async def test_document_errors_are_400_without_data_under_graphql_response_json(
    api: Api, paths: Paths, payload: dict[str, Any], code: str
) -> None:
    payload = {**payload, "query": fresh(payload["query"])}
    # A valid document with bad variables is executed (and refused) by the direct path too.
    direct = code == "BAD_USER_INPUT"
    r = await on_both_paths(paths, direct=direct, payload=payload, key=api.admin_key, accept=GR)
    assert (r.status, r.content_type, r.codes) == (400, GR, [code])
    assert "data" not in r.body


@pytest.mark.parametrize(("payload", "code"), DOCUMENT_ERRORS)
async def test_document_errors_are_200_with_null_data_under_json(
    api: Api, paths: Paths, payload: dict[str, Any], code: str
) -> None:
    payload = {**payload, "query": fresh(payload["query"])}
    direct = code == "BAD_USER_INPUT"
    r = await on_both_paths(paths, direct=direct, payload=payload, key=api.admin_key, accept=JSON)
    assert (r.status, r.content_type, r.codes) == (200, JSON, [code])
    assert r.body["data"] is None


async def test_a_too_costly_query_is_a_document_error(make_api: Any) -> None:
    small = await make_api(server={"max_query_cost": 5})
    query = "{ customers(first: 100) { nodes { customerId name } } }"
    async with both_paths(small, max_query_cost=5) as paths:
        gr = await on_both_paths(paths, payload={"query": query}, key=small.admin_key, accept=GR)
        assert (gr.status, gr.codes) == (400, ["QUERY_TOO_COSTLY"])
        assert "data" not in gr.body
        legacy = await on_both_paths(paths, payload={"query": query}, key=small.admin_key)
        assert (legacy.status, legacy.codes, legacy.body["data"]) == (
            200,
            ["QUERY_TOO_COSTLY"],
            None,
        )


async def test_field_errors_once_executed_are_200_with_data(api: Api, paths: Paths) -> None:
    """A read key's mutation runs and is refused by the field: the answer has ``data`` (null:
    the payload is non-null), so it is a 200 under both media types."""
    payload = {
        "query": CUSTOMER_CREATE,
        "variables": {"i": {"customerId": unique("H"), "name": "H"}},
    }
    for accept in (GR, JSON):
        r = await on_both_paths(paths, payload=payload, key=api.read_key, accept=accept)
        assert r.status == 200
        assert r.codes == ["FORBIDDEN"]
        assert "data" in r.body
    missing = {"query": fresh(CUSTOMER_GET), "variables": {"c": unique("none")}}
    r = await on_both_paths(paths, payload=missing, key=api.admin_key, accept=GR)
    assert (r.status, r.body) == (200, {"data": {"customer": None}, **_cost(r.body)})


def _cost(body: dict[str, Any]) -> dict[str, Any]:
    return {"extensions": body["extensions"]} if "extensions" in body else {}


@pytest.mark.parametrize("accept", [None, JSON, GR, f"text/html, {JSON}"])
async def test_queries_run_by_get_with_variables(
    api: Api, paths: Paths, accept: str | None
) -> None:
    customer_id = unique("G")
    await send(
        api.client,
        payload={
            "query": CUSTOMER_CREATE,
            "variables": {"i": {"customerId": customer_id, "name": customer_id}},
        },
        key=api.admin_key,
    )
    payload = {
        "query": fresh("query Get($c: String!) { customer(customerId: $c) { customerId } }"),
        "variables": {"c": customer_id},
        "operationName": "Get",
    }
    r = await on_both_paths(paths, method="GET", payload=payload, key=api.admin_key, accept=accept)
    assert r.status == 200
    assert r.body["data"] == {"customer": {"customerId": customer_id}}


async def test_a_browser_navigation_gets_the_graphiql_page_not_the_query(paths: Paths) -> None:
    for client in (paths.strawberry, paths.direct):
        response = await client.get(
            "/graphql",
            params={"query": "{ __typename }"},
            headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")


async def test_a_get_that_accepts_json_needs_a_key(paths: Paths) -> None:
    """Only the page is served without a key; a GET that asks for JSON (even beside HTML)
    is authenticated like any request."""
    for accept in (JSON, GR, f"text/html, {JSON}"):
        r = await on_both_paths(
            paths, direct=False, method="GET", payload={"query": fresh()}, accept=accept
        )
        assert (r.status, r.codes) == (401, ["UNAUTHENTICATED"])
        assert ("data" in r.body) == (accept != GR)


@pytest.mark.parametrize("accept", [JSON, GR])
async def test_mutations_by_get_are_405_with_allow_post(
    api: Api, paths: Paths, accept: str
) -> None:
    customer_id = unique("M")
    mutation = (
        f'mutation {{ customerCreate(input: {{customerId: "{customer_id}", name: "M"}}) '
        "{ customer { customerId } } }"
    )
    # The text is first run by POST (so the direct path knows it: a read key's attempt,
    # refused by the field), then sent by GET.
    taught = await send(paths.direct, payload={"query": mutation}, key=api.read_key)
    assert taught.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    r = await on_both_paths(
        paths,
        direct=False,
        method="GET",
        payload={"query": mutation},
        key=api.admin_key,
        accept=accept,
    )
    assert (r.status, r.content_type, r.codes) == (405, accept, ["METHOD_NOT_ALLOWED"])
    assert r.headers["allow"] == "POST"
    got = await send(
        api.client,
        payload={"query": CUSTOMER_GET, "variables": {"c": customer_id}},
        key=api.admin_key,
    )
    assert got.json()["data"]["customer"] is None


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_subscription_without_a_stream_is_400_pointing_to_one(
    api: Api, paths: Paths, method: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A subscription is not answered once: a plain POST or GET of one is refused (it was a
    500 with an ERROR logged), naming the two ways it runs."""
    subscription = 'subscription { customerUserChanged(login: "nobody") { login } }'
    r = await on_both_paths(
        paths, direct=False, method=method, payload={"query": subscription}, key=api.admin_key
    )
    assert (r.status, r.codes) == (400, ["BAD_REQUEST"])
    assert "text/event-stream" in r.body["errors"][0]["message"]
    assert "WebSocket" in r.body["errors"][0]["message"]
    assert r.body.get("data") is None  # nothing ran
    assert [x for x in caplog.records if x.levelname == "ERROR"] == []


REQUEST_ERRORS: list[tuple[dict[str, Any], int, str]] = [
    ({"method": "PUT", "payload": {"query": "{ __typename }"}}, 405, "METHOD_NOT_ALLOWED"),
    ({"method": "DELETE"}, 405, "METHOD_NOT_ALLOWED"),
    ({"content": b"{ __typename }", "content_type": None}, 415, "BAD_REQUEST"),
    (
        {"content": b"query={__typename}", "content_type": "application/x-www-form-urlencoded"},
        415,
        "BAD_REQUEST",
    ),
    ({"content": b"{ __typename }", "content_type": "application/graphql"}, 415, "BAD_REQUEST"),
    (
        {
            "content": b'{"query": "{ __typename }"}',
            "content_type": "application/json; charset=latin-1",
        },
        415,
        "BAD_REQUEST",
    ),
    ({"content": b""}, 400, "BAD_REQUEST"),
    ({"content": b'{ "not json'}, 400, "BAD_REQUEST"),
    ({"content": b"\xff\xfe"}, 400, "BAD_REQUEST"),
    ({"content": b"[]"}, 400, "BAD_REQUEST"),
    ({"content": b'[{"query": "{ __typename }"}]'}, 400, "BAD_REQUEST"),
    ({"content": b'"text"'}, 400, "BAD_REQUEST"),
    ({"content": b'{"qeury": "{ __typename }"}'}, 400, "BAD_REQUEST"),
    ({"content": b'{"query": 5}'}, 400, "BAD_REQUEST"),
    ({"content": b'{"query": "{ __typename }", "variables": [1]}'}, 400, "BAD_REQUEST"),
    ({"content": b'{"query": "{ __typename }", "operationName": false}'}, 400, "BAD_REQUEST"),
    ({"content": b'{"query": "{ __typename }", "extensions": "x"}'}, 400, "BAD_REQUEST"),
    ({"method": "GET", "params": {}}, 400, "BAD_REQUEST"),
    (
        {"method": "GET", "params": {"query": "{ __typename }", "variables": "{"}},
        400,
        "BAD_REQUEST",
    ),
    (
        {"method": "GET", "params": {"query": "{ __typename }", "variables": "[1]"}},
        400,
        "BAD_REQUEST",
    ),
    (
        {"method": "GET", "params": {"query": "{ __typename }", "extensions": "5"}},
        400,
        "BAD_REQUEST",
    ),
]


@pytest.mark.parametrize(("request_", "status", "code"), REQUEST_ERRORS)
@pytest.mark.parametrize("accept", [JSON, GR])
async def test_malformed_requests_are_4xx_graphql_shaped_json(
    api: Api, paths: Paths, request_: dict[str, Any], status: int, code: str, accept: str
) -> None:
    method = request_.get("method", "POST")
    headers = {"Authorization": f"Bearer {api.admin_key}", "Accept": accept}
    content_type = request_.get("content_type", "application/json")
    if content_type is not None and "content" in request_:
        headers["Content-Type"] = content_type
    for client in (paths.strawberry, paths.direct):
        if method == "GET":
            response = await client.get("/graphql", params=request_["params"], headers=headers)
        elif "content" in request_:
            response = await client.request(
                method, "/graphql", content=request_["content"], headers=headers
            )
        else:
            response = await client.request(
                method, "/graphql", json=request_.get("payload"), headers=headers
            )
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == accept
        body = response.json()
        assert [e["extensions"]["code"] for e in body["errors"]] == [code]
        assert body["errors"][0]["message"]
        assert ("data" in body) == (accept == JSON)
        assert_no_leak_in(response.text)
        if status == 405:
            assert response.headers["allow"] == "GET, POST"


@pytest.mark.parametrize("accept", [JSON, GR])
async def test_refusals_before_graphql_keep_their_status_in_the_accepted_type(
    api: Api, paths: Paths, accept: str
) -> None:
    """UNAUTHENTICATED is 401 and a restricted caller's FORBIDDEN 403 under both media types."""
    r = await on_both_paths(paths, direct=False, payload={"query": fresh()}, accept=accept)
    assert (r.status, r.content_type, r.codes) == (401, accept, ["UNAUTHENTICATED"])
    assert r.headers["www-authenticate"] == 'Bearer realm="roster"'
    r = await on_both_paths(
        paths, direct=False, payload={"query": fresh()}, key="Bearer rst_nope", accept=accept
    )
    assert (r.status, r.codes) == (401, ["UNAUTHENTICATED"])
    from tests.api.customer_session_helpers import auth_key

    portal, _ = await auth_key(api)
    r = await on_both_paths(
        paths,
        direct=False,
        payload={"query": fresh("{ customers { totalCount } }")},
        key=portal,
        accept=accept,
    )
    assert (r.status, r.content_type, r.codes) == (403, accept, ["FORBIDDEN"])
    assert ("data" in r.body) == (accept == JSON)


async def test_a_body_over_the_limit_is_413_in_the_accepted_type(make_api: Any) -> None:
    small = await make_api(server={"max_body_bytes": 2048})
    response = await send(
        small.client,
        payload={"query": fresh(), "variables": {"x": "y" * 5000}},
        key=small.admin_key,
        accept=GR,
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == GR
    assert response.json() == {
        "errors": [
            {
                "message": "The request body is larger than 2048 bytes.",
                "extensions": {"code": "PAYLOAD_TOO_LARGE"},
            }
        ]
    }
