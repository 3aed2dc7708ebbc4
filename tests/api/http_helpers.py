"""Sending one HTTP request to both execution paths and checking they answer alike.

The GraphQL-over-HTTP behaviour (statuses, media types, persisted queries) is
``app/http_protocol.py``'s for every request, but a request is executed either by
``schema.execute`` (Strawberry's execution: a text not seen before, or ``server.direct_execution
= false``) or by ``schema.direct_execution``. :func:`on_both_paths` sends a request to an app
without the direct path, then twice to one with it (the second of which the direct path must
have answered when ``direct``), and checks the three answers are the same, byte for byte,
status and content type included.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from app.server import create_app
from domain.config import RosterConfig
from schema.direct_execution import DirectExecution
from tests.conftest import Api

GR = "application/graphql-response+json"
JSON = "application/json"


@dataclass
class Answer:
    status: int
    content_type: str
    headers: httpx.Headers
    body: dict[str, Any]

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.body.get("errors", [])]


@dataclass
class Paths:
    strawberry: httpx.AsyncClient
    direct: httpx.AsyncClient
    direct_execution: DirectExecution


def _with(config: RosterConfig, **server: Any) -> RosterConfig:
    return config.model_copy(update={"server": config.server.model_copy(update=server)})


@contextlib.asynccontextmanager
async def both_paths(api: Api, **server: Any) -> AsyncIterator[Paths]:
    """Two apps on ``api``'s database: without and with the direct path (``server``: more
    settings for both)."""
    config = api.storage.config
    apps = [
        create_app(_with(config, direct_execution=on, **server), storage=api.storage)
        for on in (False, True)
    ]
    async with contextlib.AsyncExitStack() as stack:
        off, on = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                    base_url="http://t",
                )
            )
            for app in apps
        ]
        yield Paths(off, on, apps[1].state.direct_execution)


def _answer(response: httpx.Response) -> Answer:
    content_type = response.headers.get("content-type", "")
    assert content_type in (JSON, GR), (response.status_code, content_type, response.text)
    return Answer(
        response.status_code, content_type, response.headers, orjson.loads(response.content)
    )


async def send(
    client: httpx.AsyncClient,
    *,
    method: str = "POST",
    payload: dict[str, Any] | None = None,
    key: str | None = None,
    accept: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """One request: ``payload`` as the JSON body (POST) or as URL parameters (GET, with
    ``variables`` and ``extensions`` as JSON text)."""
    all_headers = dict(headers or {})
    if key is not None:
        all_headers["Authorization"] = key if key.startswith("Bearer ") else f"Bearer {key}"
    if accept is not None:
        all_headers["Accept"] = accept
    if method == "GET":
        params = {
            name: value if isinstance(value, str) else orjson.dumps(value).decode()
            for name, value in (payload or {}).items()
            if value is not None
        }
        return await client.get("/graphql", params=params, headers=all_headers)
    return await client.request(method, "/graphql", json=payload, headers=all_headers)


async def on_both_paths(paths: Paths, *, direct: bool = True, **request: Any) -> Answer:
    """The answer to ``request`` (see :func:`send`), the same on both paths (see the module);
    ``direct``: whether the direct path must answer the repeated request."""
    reference = await send(paths.strawberry, **request)
    first = await send(paths.direct, **request)
    before = paths.direct_execution.answered
    second = await send(paths.direct, **request)
    went_direct = paths.direct_execution.answered - before
    assert went_direct == int(direct), f"direct path used {went_direct} times, not {int(direct)}"
    expected = (reference.status_code, reference.headers.get("content-type"), reference.content)
    for response in (first, second):
        assert (response.status_code, response.headers.get("content-type"), response.content) == (
            expected
        )
    return _answer(second)
