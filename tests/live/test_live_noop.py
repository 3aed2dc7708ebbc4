"""A write that changes nothing publishes nothing: a subscriber to ``changes`` (and to the
user's ``customerUserChanged``) hears nothing of an update that gives every value as stored,
nor of an assignment whose set is already the wanted one, and the first thing it hears after
them is the next real change, whose cursor follows the feed's head as it was before the
no-ops. Against a real ``roster serve`` on every database kind (the no-op of a user's
update and of an assignment is decided on different paths: before any transaction, and in
one that writes nothing)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.live.helpers import (
    CREATE_CUSTOMER,
    CREATE_USER,
    HEAD,
    UPDATE_USER,
    USER_CHANGED,
    Keys,
    gql,
    mutate,
    next_message,
    socket,
    subscribe,
    unique,
    user_input,
)

CHANGES = "subscription { changes { type key action cursor } }"
FEED = (
    "query($after: String) { changes(after: $after, first: 100) {"
    " nodes { objectType objectKey action } cursor } }"
)
CREATE_GROUP = (
    "mutation($i: GroupCreateInput!) { groupCreate(input: $i) {"
    " group { groupId } userErrors { code } } }"
)
SET_GROUPS = (
    "mutation($i: CustomerUserSetGroupsInput!) { customerUserSetGroups(input: $i) {"
    " changes { kind } userErrors { code } } }"
)
UPDATE_GROUP = (
    "mutation($i: GroupUpdateInput!) { groupUpdate(input: $i) {"
    " group { groupId } userErrors { code } } }"
)


@pytest.mark.parametrize("no_op", ["update", "assignment"])
async def test_a_no_op_is_not_published_and_the_next_change_is(
    served: tuple[str, Keys], no_op: str
) -> None:
    """``update``: a user's and a group's update giving stored values (decided before any
    transaction); ``assignment``: the user's group set again (decided in the transaction that
    reads the stored set, which commits having written nothing)."""
    base, keys = served
    admin = keys.bearer("admin")

    async def call(query: str, value: dict[str, Any]) -> dict[str, Any]:
        return await mutate(base, query, value, key=admin)

    customer = unique("c")
    await call(CREATE_CUSTOMER, {"customerId": customer, "name": customer})
    login = unique("u")
    user = user_input(login, customer, city="Oslo")
    await call(CREATE_USER, user)
    group = (await call(CREATE_GROUP, {"name": unique("g")}))["group"]["groupId"]
    grants = {"login": login, "grants": [{"groupId": group, "permissions": ["ro"]}]}
    await call(SET_GROUPS, grants)
    head = (await gql(base, HEAD, key=admin))["data"]["changesHead"]

    async with socket(base, init={"Authorization": keys.bearer("read")}) as ws:
        await subscribe(ws, "all", CHANGES)
        await subscribe(ws, "user", USER_CHANGED, {"l": login})
        await asyncio.sleep(0.5)  # both subscriptions are listening
        if no_op == "update":
            same = {k: v for k, v in user.items() if k != "login"}
            answered = await call(UPDATE_USER, {"login": login, "newLogin": login, **same})
            assert answered["customerUser"] == {"login": login}
            await call(UPDATE_GROUP, {"groupId": group, "validity": "VALID"})
        else:
            assert (await call(SET_GROUPS, grants))["changes"] == []
        assert (await gql(base, HEAD, key=admin))["data"]["changesHead"] == head

        await call(UPDATE_USER, {"login": login, "city": "Bergen"})
        seen = {}
        for _ in range(2):
            message = await next_message(ws)
            assert message["type"] == "next", message
            seen[message["id"]] = message["payload"]["data"]
    change = seen["all"]["changes"]
    assert (change["type"], change["key"], change["action"]) == ("CUSTOMER_USER", login, "UPDATED")
    # The feed after the head as it was before the no-ops: only that change, ending where
    # its live cursor says.
    feed = (await gql(base, FEED, {"after": head}, key=admin))["data"]["changes"]
    assert feed["nodes"] == [
        {"objectType": "CUSTOMER_USER", "objectKey": login, "action": "UPDATED"}
    ]
    assert feed["cursor"] == change["cursor"]
    assert seen["user"]["customerUserChanged"]["change"]["action"] == "UPDATED"
