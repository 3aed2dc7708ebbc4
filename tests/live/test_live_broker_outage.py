"""The Redis broker going away is reported, never silent: a server started while it is down
says so and refuses subscriptions with ``LIVE_UPDATES_UNAVAILABLE`` until it answers; once it
is lost, open subscriptions end with that error (their clients may have missed changes), the
writes still commit, and each notice that could not be published is an ERROR line.

The broker is a real ``redis-server`` the test starts on a free port and stops."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import free_port
from tests.live.helpers import (
    CHANGES,
    CREATE_CUSTOMER,
    create_keys,
    gql,
    next_message,
    serving,
    socket,
    subscribe,
    unique,
    write_config,
)

REDIS_SERVER = shutil.which("redis-server") or "redis-server"
pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server")


@contextlib.contextmanager
def _redis(port: int, folder: Path) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(  # noqa: S603 - a fixed command
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=10)


async def _until_subscribed(base: str, key: str, seconds: float) -> Any:
    """A socket whose ``changes`` subscription was accepted (retried while the broker is
    still refusing); the caller closes it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        stack = contextlib.AsyncExitStack()
        ws = await stack.enter_async_context(socket(base, init={"Authorization": key}))
        await subscribe(ws, "1", CHANGES)
        try:
            message = await next_message(ws, wait=0.5)
        except TimeoutError:
            return stack, ws  # no refusal: subscribed
        assert message["payload"]["errors"][0]["extensions"]["code"] == "LIVE_UPDATES_UNAVAILABLE"
        await stack.aclose()
        await asyncio.sleep(0.5)
    raise AssertionError("the broker never came back")


async def test_a_lost_broker_is_reported_and_ends_the_subscriptions(
    databases: Any, tmp_path: Path
) -> None:
    url = await databases.create("sqlite")
    keys = await create_keys(url)
    port = free_port()
    live = {"broker": f"redis://127.0.0.1:{port}/0", "channel": unique("roster-test-")}
    config = write_config(tmp_path / "outage.toml", url, live=live)
    log = tmp_path / "serve.log"
    read, admin = keys.bearer("read"), keys.bearer("admin")
    with serving(config, log) as (_process, base):
        assert "live updates: lost Redis at" in log.read_text()  # down at start: said so
        async with socket(base, init={"Authorization": read}) as ws:
            await subscribe(ws, "1", CHANGES)
            refused = await next_message(ws)
            code = refused["payload"]["errors"][0]["extensions"]["code"]
            assert code == "LIVE_UPDATES_UNAVAILABLE"

        with contextlib.ExitStack() as broker:
            redis_server = broker.enter_context(_redis(port, tmp_path))
            stack, ws = await _until_subscribed(base, read, 30)
            async with stack:
                assert "answers again" in log.read_text()
                await asyncio.sleep(0.3)
                customer = unique("c")
                company = {"i": {"customerId": customer, "name": "A"}}
                await gql(base, CREATE_CUSTOMER, company, key=admin)
                change = (await next_message(ws))["payload"]["data"]["changes"]
                assert change["key"] == customer

                redis_server.kill()  # the broker is lost
                ended = await next_message(ws)
                assert ended["payload"]["errors"][0]["extensions"]["code"] == (
                    "LIVE_UPDATES_UNAVAILABLE"
                )
                assert (await next_message(ws))["type"] == "complete"
                # The connection stays open: a new subscription on it is refused, not closed.
                await subscribe(ws, "2", CHANGES)
                refused = await next_message(ws)
                assert refused["id"] == "2"
                code = refused["payload"]["errors"][0]["extensions"]["code"]
                assert code == "LIVE_UPDATES_UNAVAILABLE"
                assert "live updates: lost Redis at" in log.read_text()
                # A write still commits; its notice is reported as not published.
                company = {"i": {"customerId": unique("c"), "name": "B"}}
                body = await gql(base, CREATE_CUSTOMER, company, key=admin)
                assert body["data"]["customerCreate"]["userErrors"] == []
                await asyncio.sleep(1)
                assert "a change was not published" in log.read_text()
