"""CORS on ``/graphql`` (``app/cors.py``) as a browser sees it: the preflight and the headers
of the actual request, for a listed origin, another origin, no list, ``*`` and credentials.
``tests/e2e/test_cors_browser.py`` has a real browser obey them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from app.server import create_app
from domain.config import ServerConfig
from tests.conftest import Api

APP = "https://app.example.com"
OTHER = "https://evil.example.net"

PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


Client = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def cors_client(api: Api) -> AsyncIterator[Client]:
    """Makes a client of an app on ``api``'s database with the given ``server`` settings."""
    async with contextlib.AsyncExitStack() as stack:

        async def make(**server: Any) -> httpx.AsyncClient:
            config = api.storage.config
            config = config.model_copy(update={"server": config.server.model_copy(update=server)})
            transport = httpx.ASGITransport(app=create_app(config, storage=api.storage))
            return await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://roster.test")
            )

        yield make


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {
        name: value
        for name, value in response.headers.items()
        if name.startswith("access-control-") or name == "vary"
    }


async def preflight(client: httpx.AsyncClient, origin: str, **headers: str) -> httpx.Response:
    return await client.options("/graphql", headers={"Origin": origin, **PREFLIGHT, **headers})


async def query(client: httpx.AsyncClient, api: Api, origin: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {api.read_key}"}
    if origin is not None:
        headers["Origin"] = origin
    return await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)


async def test_a_listed_origin_gets_its_preflight_answered(cors_client: Client) -> None:
    client = await cors_client(cors_origins=[APP])
    response = await preflight(client, APP)
    assert response.status_code == 204
    assert response.content == b""
    assert cors_headers(response) == {
        "access-control-allow-origin": APP,
        "vary": "Origin",
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": "Authorization, Content-Type, Accept",
        "access-control-max-age": "600",
    }


async def test_a_listed_origin_reads_the_answer(cors_client: Client, api: Api) -> None:
    client = await cors_client(cors_origins=[APP])
    response = await query(client, api, APP)
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}
    assert cors_headers(response) == {"access-control-allow-origin": APP, "vary": "Origin"}
    # Errors carry the headers too, so the page can read why it was refused.
    refused = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": APP}
    )
    assert refused.status_code == 401
    assert cors_headers(refused) == {"access-control-allow-origin": APP, "vary": "Origin"}


async def test_another_origin_gets_no_cors_headers(cors_client: Client, api: Api) -> None:
    client = await cors_client(cors_origins=[APP])
    response = await preflight(client, OTHER)
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert cors_headers(response) == {"vary": "Origin"}
    # The same host on another scheme or port is another origin.
    for origin in ("http://app.example.com", "https://app.example.com:8443"):
        assert (await preflight(client, origin)).status_code == 403
    # A request sent anyway (a non-browser client, or a simple request) is processed as any
    # request, but without the header the browser does not let the page read it.
    response = await query(client, api, OTHER)
    assert response.status_code == 200
    assert cors_headers(response) == {"vary": "Origin"}


async def test_no_origin_is_allowed_by_default(cors_client: Client, api: Api) -> None:
    client = await cors_client()
    assert ServerConfig().cors_origins == []
    response = await preflight(client, APP)
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    response = await query(client, api, APP)
    assert "access-control-allow-origin" not in response.headers


async def test_requests_without_origin_are_untouched(cors_client: Client, api: Api) -> None:
    client = await cors_client(cors_origins=[APP])
    response = await query(client, api, None)
    assert response.status_code == 200
    assert cors_headers(response) == {}
    # An OPTIONS that is not a preflight is not a GraphQL method.
    response = await client.options(
        "/graphql", headers={"Origin": APP, "Authorization": f"Bearer {api.read_key}"}
    )
    assert response.status_code == 405
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_any_origin_gets_a_wildcard_without_credentials(
    cors_client: Client, api: Api
) -> None:
    client = await cors_client(cors_origins=["*"])
    response = await preflight(client, OTHER)
    assert response.status_code == 204
    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in headers
    response = await query(client, api, OTHER)
    assert cors_headers(response) == {"access-control-allow-origin": "*"}


async def test_credentials_only_for_listed_origins(cors_client: Client, api: Api) -> None:
    client = await cors_client(
        cors_origins=[APP], cors_allow_credentials=True, cors_max_age_seconds=60
    )
    response = await preflight(client, APP)
    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == APP
    assert headers["access-control-allow-credentials"] == "true"
    assert headers["access-control-max-age"] == "60"
    response = await query(client, api, APP)
    assert cors_headers(response)["access-control-allow-credentials"] == "true"
    response = await preflight(client, OTHER)
    assert "access-control-allow-credentials" not in response.headers


def test_credentials_with_a_wildcard_are_refused() -> None:
    with pytest.raises(ValidationError, match="cors_allow_credentials cannot be true"):
        ServerConfig(cors_origins=["*"], cors_allow_credentials=True)


@pytest.mark.parametrize(
    "origin",
    [
        "app.example.com",
        "https://app.example.com/",
        "https://app.example.com/path",
        "ftp://x",
        "*.example.com",
    ],
)
def test_an_origin_must_be_scheme_host_port(origin: str) -> None:
    with pytest.raises(ValidationError, match="is not an origin"):
        ServerConfig(cors_origins=[origin])
