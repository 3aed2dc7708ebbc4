"""``live.max_subscriptions_per_process``: past it, a server process refuses new subscriptions
from anyone with ``TOO_MANY_SUBSCRIPTIONS`` (naming the limit), and accepts them again once
others ended. A real ``roster serve`` on each database kind, real WebSockets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DB_KINDS
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


@pytest.mark.parametrize("kind", DB_KINDS)
async def test_subscriptions_past_the_process_limit_are_refused_until_one_ends(
    databases: Any, tmp_path: Path, kind: str
) -> None:
    url = await databases.create(kind)
    keys = await create_keys(url)
    live = {"max_subscriptions_per_process": 2, "max_subscriptions_per_key": 100}
    config = write_config(tmp_path / "limit.toml", url, live=live)
    with serving(config, tmp_path / "serve.log") as (_, base):
        read = {"Authorization": keys.bearer("read")}
        admin = {"Authorization": keys.bearer("admin")}
        async with socket(base, init=read) as first, socket(base, init=admin) as second:
            await subscribe(first, "a", CHANGES, {"t": ["CUSTOMER"]})
            await subscribe(second, "b", CHANGES, {"t": ["CUSTOMER"]})
            # A third, by another key on another connection: refused all the same.
            await subscribe(second, "c", CHANGES, {"t": ["CUSTOMER"]})
            refused = await next_message(second)
            assert refused["id"] == "c"
            error = refused["payload"]["errors"][0]
            assert error["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
            assert "live.max_subscriptions_per_process" in error["message"]

            await first.send(json.dumps({"id": "a", "type": "complete"}))
            await subscribe(second, "d", CHANGES, {"t": ["CUSTOMER"]})
            customer = unique("C")
            body = await gql(
                base,
                CREATE_CUSTOMER,
                {"i": {"customerId": customer, "name": customer}},
                key=keys.bearer("admin"),
            )
            assert body["data"]["customerCreate"]["userErrors"] == []
            seen: dict[str, Any] = {}
            other: list[dict[str, Any]] = []
            while len(seen) < 2 and len(other) < 3:
                message = await next_message(second)
                if message["type"] == "next":
                    seen[message["id"]] = message["payload"]["data"]["changes"]["key"]
                else:
                    other.append(message)
            assert seen == {"b": customer, "d": customer}, other
