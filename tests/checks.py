"""What tests check about an answer: no server fault, no leaked internals, the user errors.

``tests/factories.py`` makes the rows a test acts on; this module judges what came back. The
same few checks were copied into most API test modules; these are the one copy. Each check
asserts exactly one thing, so a module asks for what it means (a clean answer, an answer that
is not the masked "Unexpected error.") and nothing else.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from app.server import create_app
from tests.conftest import Api, GraphQLResponse


def assert_no_server_fault(response: GraphQLResponse) -> None:
    """No HTTP 5xx and no Python traceback in the body."""
    assert response.status < 500, response.body
    assert "Traceback" not in json.dumps(response.body)


def assert_clean(response: GraphQLResponse) -> None:
    """No server fault and no source file named in the body, whatever the outcome."""
    assert_no_server_fault(response)
    text = json.dumps(response.body)
    assert ".py" not in text, text[:500]


def assert_clean_200(response: GraphQLResponse) -> None:
    """``assert_clean``, and HTTP 200: for tests whose every request is well-formed, so that
    any other status (a 400 included) is a fault."""
    assert_clean(response)
    assert response.status == 200, response.body


def assert_not_masked(response: GraphQLResponse) -> None:
    """No server fault, and nothing in the body is the masked "Unexpected error." that stands
    for an unhandled exception."""
    assert_no_server_fault(response)
    text = json.dumps(response.body)
    assert "Unexpected error." not in text, text[:500]


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    """A payload's userErrors as (code, field) pairs, in the order the server gave them, after
    checking that every one explains itself with a message."""
    for e in payload["userErrors"]:
        assert e["message"], e
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


def codes(payload: dict[str, Any]) -> list[tuple[tuple[str, ...] | None, str]]:
    """A payload's userErrors as (field path, code) pairs, the field path as a tuple."""
    return [(tuple(e["field"]) if e["field"] else None, e["code"]) for e in payload["userErrors"]]


async def at_one_cost(api: Api, query: str, *variables: dict[str, Any]) -> list[GraphQLResponse]:
    """``query`` run once with each of ``variables`` (page sizes, searches), after checking that
    every run took as many SQL statements as the first: what a page costs must not grow with
    what it holds (no statement per row). The text is sent once before: its first request
    takes Strawberry's path, the repeated ones may be answered by one planned statement
    (``schema.planner``), and the runs compared must take the same path."""
    await api.gql(query, variables[0])
    responses = [await api.gql(query, values) for values in variables]
    counts = [r.statements for r in responses]
    assert counts == [counts[0]] * len(counts), counts
    return responses


def b64(raw: str) -> str:
    """``raw`` encoded as the API encodes global IDs and cursors (URL-safe, unpadded base64),
    for tests that forge one."""
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@contextlib.asynccontextmanager
async def raw_client(api: Api) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``api``'s app that answers an unhandled exception with the HTTP 500 a real
    server sends, instead of raising it into the test (``api.client`` raises it)."""
    app = create_app(api.storage.config, storage=api.storage)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=api.client.base_url) as client:
        yield client


async def baseline_statements(api: Api, key: str = "admin") -> int:
    """Statements of a request that touches no data: the key lookup only, if any. The key is
    used once first, so whether an earlier test already looked it up does not matter."""
    await api.gql("{ __typename }", key=key)
    return (await api.gql("{ __typename }", key=key)).statements
