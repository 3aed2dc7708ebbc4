"""The access log (``server.access_log``, on by default): one line per request on stderr."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import Api, MakeApi

QUERY = "{ customerUsers(first: 1) { totalCount } }"


async def _access_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    await asyncio.sleep(0)  # lines are written together at the end of an event-loop turn
    lines = capsys.readouterr().err.splitlines()
    return [line.split(" - ", 1)[1] for line in lines if line.startswith("INFO:     ")]


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
