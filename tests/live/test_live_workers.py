"""Live updates across worker processes: a real ``roster serve`` with two workers on
PostgreSQL, with the Redis broker and with PostgreSQL's LISTEN/NOTIFY. A change committed
through either worker reaches the subscribers on both; a refused write publishes nothing."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.servers import _serving_process, _worker_processes
from tests.live.helpers import (
    CHANGES,
    CREATE_CUSTOMER,
    CREATE_USER,
    USER_CHANGED,
    create_keys,
    next_message,
    serving,
    serving_worker,
    socket,
    subscribe,
    unique,
    user_input,
    write_config,
)

REDIS = "redis://127.0.0.1:6379/0"


def _post_on(base: str, worker: int, workers: list[int], body: dict[str, Any], key: str) -> Any:
    """POST ``body`` on a kept-alive connection served by ``worker`` (round robin: a few
    connections are enough to land on it)."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    opened = []
    try:
        for _ in range(8):
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            opened.append(connection)
            connection.connect()
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            if _serving_process(connection, workers) != worker:
                continue
            headers = {"Content-Type": "application/json", "Authorization": key}
            connection.request("POST", "/graphql", json.dumps(body), headers)
            response = connection.getresponse()
            assert response.status == 200
            return json.loads(response.read())
        raise AssertionError(f"no connection landed on worker {worker}")
    finally:
        for connection in opened:
            connection.close()


@pytest.mark.parametrize("broker", [REDIS, "postgres"])
async def test_a_change_through_either_worker_reaches_subscribers_on_both(
    databases: Any, tmp_path: Path, broker: str
) -> None:
    url = await databases.create("postgresql")
    keys = await create_keys(url)
    channel = unique("roster_test_")  # a PostgreSQL channel is an identifier
    live = {"broker": broker, "channel": channel}
    # A short header timeout: upgraded connections must not be closed by its timer.
    config = write_config(tmp_path / "w.toml", url, workers=2, live=live, header_timeout_seconds=1)
    customer, login = unique("c"), unique("ann")
    with serving(config, tmp_path / "serve.log") as (process, base):
        workers = _worker_processes(process.pid)
        assert len(workers) == 2
        async with contextlib.AsyncExitStack() as stack:
            by_worker: dict[int, Any] = {}
            for _ in range(8):
                ws = await stack.enter_async_context(
                    socket(base, init={"Authorization": keys.bearer("read")})
                )
                by_worker.setdefault(serving_worker(ws, workers), ws)
                if len(by_worker) == 2:
                    break
            assert len(by_worker) == 2
            for ws in by_worker.values():
                await subscribe(ws, "all", CHANGES)
                await subscribe(ws, "ann", USER_CHANGED, {"l": login.upper()})
            await asyncio.sleep(1.5)  # subscribed, and past the header timeout
            first, second = workers
            admin = keys.bearer("admin")
            # A refused write publishes nothing (the first change seen is the customer).
            refused = {
                "query": CREATE_USER,
                "variables": {"i": user_input(login, customer, email="x")},
            }
            body = await asyncio.to_thread(_post_on, base, first, workers, refused, admin)
            assert body["data"]["customerUserCreate"]["userErrors"]
            created = {
                "query": CREATE_CUSTOMER,
                "variables": {"i": {"customerId": customer, "name": "Acme"}},
            }
            body = await asyncio.to_thread(_post_on, base, first, workers, created, admin)
            assert body["data"]["customerCreate"]["userErrors"] == []
            user = {"query": CREATE_USER, "variables": {"i": user_input(login, customer)}}
            body = await asyncio.to_thread(_post_on, base, second, workers, user, admin)
            assert body["data"]["customerUserCreate"]["userErrors"] == []

            for ws in by_worker.values():
                seen = [await next_message(ws) for _ in range(3)]
                changes = [m["payload"]["data"]["changes"] for m in seen if m["id"] == "all"]
                assert [(c["type"], c["key"], c["action"]) for c in changes] == [
                    ("CUSTOMER", customer, "CREATED"),
                    ("CUSTOMER_USER", login, "CREATED"),
                ]
                mine = [
                    m["payload"]["data"]["customerUserChanged"] for m in seen if m["id"] == "ann"
                ]
                assert mine == [
                    {
                        "change": {"action": "CREATED", "key": login, "previousKey": None},
                        "customerUser": {"login": login, "email": f"{login}@acme.test"},
                    }
                ]
