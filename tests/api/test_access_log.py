"""The access log (``server.access_log``, on by default): one line per request on stderr,
with its duration, request id, operation, key name and cost; as text or as JSON."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from tests.conftest import Api, MakeApi

QUERY = "{ customerUsers(first: 1) { totalCount } }"
# What follows the status: duration, request id, operation, key, cost.
DETAILS = re.compile(r" \d+\.\dms id=[0-9a-f]{16} op=\S+ key=\S+ cost=\S+$")


async def _access_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The lines after their peer, without the details that vary (``DETAILS``)."""
    lines = await _raw_lines(capsys)
    assert all(DETAILS.search(line) for line in lines), lines
    return [DETAILS.sub("", line.split(" - ", 1)[1]) for line in lines]


async def _raw_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    await asyncio.sleep(0)  # lines are written together at the end of an event-loop turn
    lines = capsys.readouterr().err.splitlines()
    return [line for line in lines if line.startswith(("INFO:     ", "{"))]


async def test_each_request_gets_one_line_with_its_outcome(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    await api.gql(QUERY)
    refused = await api.gql(QUERY, key=None)
    assert refused.status == 401
    # A path with an (encoded) line break stays on its line, as uvicorn writes it.
    missing = await api.client.get("/nowhere%0AINFO:     forged")
    assert missing.status_code == 404
    assert await _access_lines(capsys) == [
        '"POST /graphql HTTP/1.1" 200 OK',
        '"POST /graphql HTTP/1.1" 401 Unauthorized',
        '"GET /nowhere%0AINFO%3A%20%20%20%20%20forged HTTP/1.1" 404 Not Found',
    ]


async def test_nothing_is_logged_when_it_is_off(
    make_api: MakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    quiet = await make_api(server={"access_log": False, "statement_count_header": True})
    capsys.readouterr()
    assert (await quiet.gql(QUERY)).status == 200
    assert await _access_lines(capsys) == []


async def test_the_line_names_operation_key_cost_and_request_id(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    named = "query CountUsers { customerUsers(first: 1) { totalCount } }"
    response = await api.client.post(
        "/graphql",
        json={"query": named},
        headers={"Authorization": f"Bearer {api.admin_key}", "X-Request-Id": "abc-123.x"},
    )
    assert response.headers["x-request-id"] == "abc-123.x"
    [line] = await _raw_lines(capsys)
    key_name = await _admin_key_name(api)
    assert re.search(
        rf'"POST /graphql HTTP/1.1" 200 OK \d+\.\dms id=abc-123.x op=CountUsers '
        rf"key={re.escape(key_name)} cost=2$",
        line,
    ), line


async def test_an_unusable_request_id_is_replaced(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    response = await api.client.get("/livez", headers={"X-Request-Id": "no spaces\tor tabs"})
    given = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{16}", given)
    [line] = await _raw_lines(capsys)
    assert f"id={given} " in line


async def test_json_lines(make_api: MakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    app = await make_api(server={"log_format": "json"})
    capsys.readouterr()
    await app.post({"query": QUERY, "operationName": None}, headers={"X-Request-Id": "r1"})
    await app.gql(QUERY, key=None)
    first, refused = [json.loads(line) for line in await _raw_lines(capsys)]
    assert set(first) == {
        "time", "level", "logger", "client", "method", "path", "status", "duration_ms",
        "request_id", "operation", "key", "cost",
    }  # fmt: skip
    assert first["logger"] == "roster.access"
    assert (first["method"], first["path"], first["status"]) == ("POST", "/graphql", 200)
    assert first["request_id"] == "r1"
    assert first["key"] == await _admin_key_name(app)
    assert first["cost"] == 2
    assert first["operation"] is None
    assert first["duration_ms"] > 0
    assert (refused["status"], refused["key"], refused["cost"]) == (401, None, None)


async def _admin_key_name(api: Api) -> str:
    key = await api.storage.api_keys.authenticate(api.admin_key)
    assert key is not None
    return key.name
