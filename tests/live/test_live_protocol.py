"""Subscriptions over a real WebSocket and over SSE against a real ``roster serve`` (one
process, SQLite, the local broker): who may subscribe, the protocol's close codes for
malformed or out-of-order messages, the limits, and what is published (after a commit only:
not for a refused write or a dry run; renames name the old key)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from tests.live.helpers import (
    CHANGES,
    CREATE_CUSTOMER,
    CREATE_USER,
    PROTOCOL,
    UPDATE_USER,
    USER_CHANGED,
    Keys,
    create_keys,
    gql,
    next_message,
    recv,
    serving,
    socket,
    subscribe,
    unique,
    user_input,
    write_config,
)

PASSWORD = "Correct-Horse-7"
SIGN_IN = (
    "mutation($i: CustomerUserAuthenticateInput!) { customerUserAuthenticate(input: $i) {"
    " success sessionToken } }"
)
SET_GROUPS = (
    "mutation($i: CustomerUserSetGroupsInput!) { customerUserSetGroups(input: $i) {"
    " userErrors { code } } }"
)
CREATE_GROUP = "mutation($i: GroupCreateInput!) { groupCreate(input: $i) { group { groupId } } }"


class Server:
    def __init__(self, base: str, keys: Keys) -> None:
        self.base = base
        self.keys = keys
        self.customer = ""

    async def new_user(self, login: str | None = None, **fields: Any) -> str:
        login = login or unique("u")
        body = await gql(
            self.base,
            CREATE_USER,
            {"i": user_input(login, self.customer, **fields)},
            key=self.keys.bearer("admin"),
        )
        assert body["data"]["customerUserCreate"]["userErrors"] == [], body
        return login

    async def session(self, login: str) -> str:
        body = await gql(
            self.base,
            SIGN_IN,
            {"i": {"login": login, "password": PASSWORD, "startSession": True}},
            key=self.keys.bearer("admin"),
        )
        return f"Bearer {body['data']['customerUserAuthenticate']['sessionToken']}"


@pytest.fixture(scope="module")
def server_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("live")


@pytest.fixture(scope="module")
async def server(databases: Any, server_files: Path) -> AsyncIterator[Server]:
    url = await databases.create("sqlite")
    keys = await create_keys(url)
    live = {
        "max_subscriptions_per_connection": 3,
        "max_subscriptions_per_key": 5,
        "connection_init_timeout_seconds": 1.0,
    }
    config = write_config(server_files / "live.toml", url, live=live)
    with serving(config, server_files / "serve.log") as (_process, base):
        found = Server(base, keys)
        found.customer = unique("c")
        body = await gql(
            base,
            CREATE_CUSTOMER,
            {"i": {"customerId": found.customer, "name": "Acme"}},
            key=keys.bearer("admin"),
        )
        assert body["data"]["customerCreate"]["userErrors"] == []
        yield found


async def _closed_with(ws: Any) -> int | None:
    """The close code the server ends ``ws`` with (messages before it are skipped)."""
    try:
        for _ in range(10):
            await recv(ws)
    except ConnectionClosed:
        return ws.close_code  # type: ignore[no-any-return]
    raise AssertionError("the server did not close the connection")


# -- authentication and authorization --------------------------------------------------------


async def test_a_read_key_subscribes_with_the_handshake_header_or_connection_init(
    server: Server,
) -> None:
    read = server.keys.bearer("read")
    async with (
        socket(server.base, headers={"Authorization": read}, init={}) as by_header,
        socket(server.base, init={"Authorization": read}) as by_init,
    ):
        await subscribe(by_header, "1", CHANGES, {"t": ["CUSTOMER_USER"]})
        await subscribe(by_init, "1", CHANGES, {"t": ["CUSTOMER_USER"]})
        await asyncio.sleep(0.5)
        login = await server.new_user()
        for ws in (by_header, by_init):
            message = await next_message(ws)
            assert message["type"] == "next"
            change = message["payload"]["data"]["changes"]
            assert (change["type"], change["key"], change["action"]) == (
                "CUSTOMER_USER",
                login,
                "CREATED",
            )


async def test_a_wrong_key_is_refused_at_the_handshake_or_at_connection_init(
    server: Server,
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            server.base.replace("http", "ws") + "/graphql",
            subprotocols=[Subprotocol(PROTOCOL)],
            additional_headers={"Authorization": "Bearer nope"},
        ):
            pass
    assert refused.value.response.status_code == 401
    assert b"UNAUTHENTICATED" in refused.value.response.body
    async with socket(server.base) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": "x"}}))
        assert await _closed_with(ws) == 4403
    async with socket(server.base) as ws:  # no credentials anywhere
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert await _closed_with(ws) == 4403


async def test_a_browser_page_of_another_origin_is_refused(server: Server) -> None:
    """Cross-site WebSocket hijacking: a page elsewhere that opens a socket to Roster is
    refused unless ``server.cors_origins`` lists it."""
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            server.base.replace("http", "ws") + "/graphql",
            subprotocols=[Subprotocol(PROTOCOL)],
            additional_headers={"Authorization": server.keys.bearer("read")},
            origin="https://evil.example",  # type: ignore[arg-type]
        ):
            pass
    assert refused.value.response.status_code == 403


async def test_an_authenticate_key_may_not_subscribe(server: Server) -> None:
    async with socket(
        server.base, init={"Authorization": server.keys.bearer("authenticate")}
    ) as ws:
        await subscribe(ws, "1", CHANGES)
        message = await next_message(ws)
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_customer_session_hears_only_about_itself(server: Server) -> None:
    login = await server.new_user(password=PASSWORD)
    other = await server.new_user()
    token = await server.session(login)
    async with socket(server.base, init={"Authorization": token}) as ws:
        await subscribe(ws, "other", USER_CHANGED, {"l": other})
        await subscribe(ws, "all", CHANGES)
        for _ in range(2):
            refused = await next_message(ws)
            assert refused["type"] == "error", refused
            assert refused["payload"][0]["extensions"]["code"] == "FORBIDDEN"
        await subscribe(ws, "own", USER_CHANGED, {"l": login.upper()})
        await asyncio.sleep(0.5)
        await gql(
            server.base,
            UPDATE_USER,
            {"i": {"login": login, "lastName": "Changed"}},
            key=server.keys.bearer("admin"),
        )
        message = await next_message(ws)
        assert message["id"] == "own"
        data = message["payload"]["data"]["customerUserChanged"]
        assert data["change"]["action"] == "UPDATED"
        assert data["customerUser"]["login"] == login


async def test_a_customer_sessions_subscription_ends_with_the_session(server: Server) -> None:
    login = await server.new_user(password=PASSWORD)
    token = await server.session(login)
    async with socket(server.base, init={"Authorization": token}) as ws:
        await subscribe(ws, "own", USER_CHANGED, {"l": login})
        await asyncio.sleep(0.5)
        revoke = "mutation { customerSessionRevoke { revoked } }"
        body = await gql(server.base, revoke, key=token)
        assert body["data"]["customerSessionRevoke"]["revoked"] == 1
        await gql(
            server.base,
            UPDATE_USER,
            {"i": {"login": login, "lastName": "After"}},
            key=server.keys.bearer("admin"),
        )
        ended = await next_message(ws)
        assert ended["payload"]["data"] is None
        assert ended["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert (await next_message(ws))["type"] == "complete"


# -- what is published -----------------------------------------------------------------------


async def test_only_committed_writes_are_published_and_renames_name_the_old_key(
    server: Server,
) -> None:
    login = await server.new_user()
    admin = server.keys.bearer("admin")
    group = await gql(server.base, CREATE_GROUP, {"i": {"name": unique("g")}}, key=admin)
    group_id = group["data"]["groupCreate"]["group"]["groupId"]
    async with socket(server.base, init={"Authorization": server.keys.bearer("read")}) as ws:
        await subscribe(ws, "u", USER_CHANGED, {"l": login})
        await subscribe(ws, "all", CHANGES, {"t": ["GROUP", "CUSTOMER_USER"]})
        await asyncio.sleep(0.5)
        grants = {"login": login, "grants": [{"groupId": group_id, "permissions": ["rw"]}]}
        dry = await gql(server.base, SET_GROUPS, {"i": {**grants, "dryRun": True}}, key=admin)
        assert dry["data"]["customerUserSetGroups"]["userErrors"] == []
        bad = await gql(
            server.base, UPDATE_USER, {"i": {"login": login, "email": "not-an-address"}}, key=admin
        )
        assert bad["data"]["customerUserUpdate"]["userErrors"]
        # The first changes seen are the real grant's: the dry run and the refusal published
        # nothing.
        real = await gql(server.base, SET_GROUPS, {"i": grants}, key=admin)
        assert real["data"]["customerUserSetGroups"]["userErrors"] == []
        seen = [await next_message(ws) for _ in range(3)]
        changes = [m["payload"]["data"]["changes"] for m in seen if m["id"] == "all"]
        assert {(c["type"], c["key"]) for c in changes} == {
            ("CUSTOMER_USER", login),
            ("GROUP", str(group_id)),
        }
        mine = [m for m in seen if m["id"] == "u"]
        assert mine[0]["payload"]["data"]["customerUserChanged"]["change"]["action"] == "UPDATED"

        renamed = unique("r")
        await gql(server.base, UPDATE_USER, {"i": {"login": login, "newLogin": renamed}}, key=admin)
        seen = [await next_message(ws) for _ in range(2)]
        by_id = {m["id"]: m["payload"]["data"] for m in seen}
        change = by_id["u"]["customerUserChanged"]["change"]
        assert change == {"action": "RENAMED", "key": renamed, "previousKey": login}
        assert by_id["u"]["customerUserChanged"]["customerUser"]["login"] == renamed


# -- protocol ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("messages", "code"),
    [
        (["not json"], 4400),
        (["[1, 2]"], 4400),
        (['{"type": "subscribe", "id": "1", "payload": "x"}'], 4400),
        (['{"type": "what"}'], 4400),
        ([json.dumps({"type": "subscribe", "id": "1", "payload": {"query": CHANGES}})], 4401),
        (['{"type": "connection_init"}', '{"type": "connection_init"}'], 4429),
        (['{"type": "connection_init", "payload": "x"}'], 4400),
    ],
)
async def test_malformed_or_out_of_order_messages_close_with_the_protocol_codes(
    server: Server, messages: list[str], code: int
) -> None:
    headers = {"Authorization": server.keys.bearer("read")}
    async with socket(server.base, headers=headers) as ws:
        for message in messages:
            await ws.send(message)
        assert await _closed_with(ws) == code


async def test_a_duplicate_subscription_id_closes_with_4409(server: Server) -> None:
    async with socket(server.base, init={"Authorization": server.keys.bearer("read")}) as ws:
        await subscribe(ws, "same", CHANGES)
        await subscribe(ws, "same", CHANGES)
        assert await _closed_with(ws) == 4409


async def test_no_connection_init_in_time_closes_with_4408(server: Server) -> None:
    async with socket(server.base, headers={"Authorization": server.keys.bearer("read")}) as ws:
        assert await _closed_with(ws) == 4408


async def test_another_subprotocol_is_refused(server: Server) -> None:
    async with connect(
        server.base.replace("http", "ws") + "/graphql",
        subprotocols=["graphql-ws"],  # type: ignore[list-item]
        additional_headers={"Authorization": server.keys.bearer("read")},
    ) as ws:
        assert await _closed_with(ws) == 4406


async def test_a_client_offering_compression_gets_plain_frames(server: Server) -> None:
    """permessage-deflate is declined (app/live_transport.PER_MESSAGE_DEFLATE): deflating
    each small change per subscriber cost more CPU than the delivery itself."""
    async with socket(server.base, init={"Authorization": server.keys.bearer("read")}) as ws:
        assert ws.request is not None
        assert ws.response is not None
        assert "permessage-deflate" in ws.request.headers["Sec-WebSocket-Extensions"]
        assert "Sec-WebSocket-Extensions" not in ws.response.headers
        await subscribe(ws, "1", CHANGES, {"t": ["CUSTOMER_USER"]})
        await asyncio.sleep(0.5)
        login = await server.new_user()
        message = await next_message(ws)
        assert message["payload"]["data"]["changes"]["key"] == login


async def test_queries_and_mutations_go_by_http_not_by_socket(server: Server) -> None:
    async with socket(server.base, init={"Authorization": server.keys.bearer("admin")}) as ws:
        await subscribe(ws, "q", "{ customers(first: 1) { totalCount } }")
        message = await next_message(ws)
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_subscriptions_are_limited_per_connection_and_per_key(server: Server) -> None:
    init = {"Authorization": server.keys.bearer("read")}
    async with socket(server.base, init=init) as first, socket(server.base, init=init) as second:
        for n in range(3):
            await subscribe(first, str(n), CHANGES)
        await subscribe(first, "4th", CHANGES)
        refused = await next_message(first)
        assert (refused["id"], refused["type"]) == ("4th", "error")
        assert refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        await subscribe(second, "a", CHANGES)
        await subscribe(second, "b", CHANGES)  # the key's 5th
        await subscribe(second, "c", CHANGES)  # its 6th: refused
        refused = await next_message(second)
        assert refused["id"] == "c"
        errors = refused["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"


# -- Server-Sent Events -----------------------------------------------------------------------


def _events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    event = ""
    for line in lines:
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield event, line.removeprefix("data: ")


async def test_a_subscription_over_server_sent_events(server: Server) -> None:
    headers = {"Authorization": server.keys.bearer("read"), "Accept": "text/event-stream"}
    query = {"query": CHANGES, "variables": {"t": ["CUSTOMER_USER"]}}
    async with (
        httpx.AsyncClient(timeout=30) as client,
        client.stream("POST", f"{server.base}/graphql", json=query, headers=headers) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        await asyncio.sleep(0.5)
        login = await server.new_user()
        lines = response.aiter_lines()
        event = ""
        async for line in lines:
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            if line.startswith("data: "):
                assert event == "next"
                change = json.loads(line.removeprefix("data: "))["data"]["changes"]
                assert (change["key"], change["action"]) == (login, "CREATED")
                break


async def test_server_sent_events_are_authenticated_and_only_for_subscriptions(
    server: Server,
) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        url = f"{server.base}/graphql"
        stream = {"Accept": "text/event-stream"}
        anonymous = await client.post(url, json={"query": CHANGES}, headers=stream)
        assert anonymous.status_code == 401
        read = {**stream, "Authorization": server.keys.bearer("read")}
        query = await client.post(url, json={"query": "{ customers { totalCount } }"}, headers=read)
        assert query.status_code == 400
        assert query.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        portal = {**stream, "Authorization": server.keys.bearer("authenticate")}
        refused = await client.post(url, json={"query": CHANGES}, headers=portal)
        assert refused.status_code == 403
