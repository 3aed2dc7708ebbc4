"""A service assignment is published like a group assignment: a subscriber to ``changes``
hears of the customer user and the service on either side of every row added or removed
(``customerUserSetServices``, ``serviceSetCustomerUsers``), and of each service that became
or stopped being a default service (``defaultServicesSet``); a subscriber to the user's
``customerUserChanged`` hears of its own services changing (not of the defaults: they are
no user's). Each live cursor is where the changes feed, which records the same objects, has
the change. An assignment whose set is already the wanted one publishes nothing. Against a
real ``roster serve`` on every database kind."""

from __future__ import annotations

import asyncio
from typing import Any

from websockets.asyncio.client import ClientConnection

from tests.live.helpers import (
    HEAD,
    UPDATE_USER,
    Keys,
    gql,
    mutate,
    new_customer_and_user,
    next_message,
    socket,
    subscribe,
    unique,
)

CHANGES = "subscription { changes { type key action cursor } }"
USER_CHANGED = (
    "subscription($l: String!) { customerUserChanged(login: $l) { change { type key action } } }"
)
FEED = (
    "query($after: String) { changes(after: $after, first: 100) {"
    " nodes { objectType objectKey action } cursor } }"
)
CREATE_SERVICE = (
    "mutation($i: ServiceCreateInput!) { serviceCreate(input: $i) {"
    " service { serviceId } userErrors { code } } }"
)
USER_SERVICES = (
    "mutation($i: CustomerUserSetServicesInput!) { customerUserSetServices(input: $i) {"
    " changes { kind } userErrors { code } } }"
)
SERVICE_USERS = (
    "mutation($i: ServiceSetCustomerUsersInput!) { serviceSetCustomerUsers(input: $i) {"
    " changes { kind } userErrors { code } } }"
)
DEFAULT_SERVICES = (
    "mutation($i: DefaultServicesSetInput!) { defaultServicesSet(input: $i) {"
    " changes { kind } userErrors { code } } }"
)


async def _heard(ws: ClientConnection, count: int) -> dict[str, list[dict[str, Any]]]:
    """The next ``count`` changes, by subscription: ``all`` (changes) and ``user``."""
    seen: dict[str, list[dict[str, Any]]] = {"all": [], "user": []}
    for _ in range(count):
        message = await next_message(ws)
        assert message["type"] == "next", message
        data = message["payload"]["data"]
        if message["id"] == "all":
            seen["all"].append(data["changes"])
        else:
            seen["user"].append(data["customerUserChanged"]["change"])
    return seen


async def test_service_assignments_are_published_for_both_sides_and_no_ops_are_not(
    served: tuple[str, Keys],
) -> None:
    base, keys = served
    admin = keys.bearer("admin")

    async def call(query: str, value: dict[str, Any]) -> dict[str, Any]:
        return await mutate(base, query, value, key=admin)

    _customer, login = await new_customer_and_user(base, key=admin)
    first, second = [
        str((await call(CREATE_SERVICE, {"name": unique("s")}))["service"]["serviceId"])
        for _ in range(2)
    ]
    head = (await gql(base, HEAD, key=admin))["data"]["changesHead"]

    async with socket(base, init={"Authorization": keys.bearer("read")}) as ws:
        await subscribe(ws, "all", CHANGES)
        await subscribe(ws, "user", USER_CHANGED, {"l": login})
        await asyncio.sleep(0.5)  # both subscriptions are listening
        heard: list[dict[str, Any]] = []

        # The user's side: the user and the service added.
        await call(USER_SERVICES, {"login": login, "serviceIds": [int(first)]})
        seen = await _heard(ws, 3)
        assert {(c["type"], c["key"], c["action"]) for c in seen["all"]} == {
            ("CUSTOMER_USER", login, "UPDATED"),
            ("SERVICE", first, "UPDATED"),
        }
        assert seen["user"] == [{"type": "CUSTOMER_USER", "key": login, "action": "UPDATED"}]
        heard += seen["all"]

        # The service's side: the service and the user added.
        await call(SERVICE_USERS, {"serviceId": int(second), "logins": [login]})
        seen = await _heard(ws, 3)
        assert {(c["type"], c["key"]) for c in seen["all"]} == {
            ("SERVICE", second),
            ("CUSTOMER_USER", login),
        }
        assert [c["key"] for c in seen["user"]] == [login]
        heard += seen["all"]

        # The defaults are no user's: only the service that became one.
        await call(DEFAULT_SERVICES, {"serviceIds": [int(first)]})
        seen = await _heard(ws, 1)
        assert [(c["type"], c["key"]) for c in seen["all"]] == [("SERVICE", first)]
        heard += seen["all"]

        # A removal is a change too: the user loses the first service.
        await call(USER_SERVICES, {"login": login, "serviceIds": [int(second)]})
        seen = await _heard(ws, 3)
        assert {(c["type"], c["key"]) for c in seen["all"]} == {
            ("CUSTOMER_USER", login),
            ("SERVICE", first),
        }
        heard += seen["all"]

        # Each set again as it is: no-ops, none published; the next thing heard is a real
        # change of the user.
        no_ops: list[tuple[str, dict[str, Any]]] = [
            (USER_SERVICES, {"login": login, "serviceIds": [int(second)]}),
            (SERVICE_USERS, {"serviceId": int(second), "logins": [login]}),
            (DEFAULT_SERVICES, {"serviceIds": [int(first)]}),
        ]
        for query, value in no_ops:
            assert (await call(query, value))["changes"] == []
        await call(UPDATE_USER, {"login": login, "city": "Bergen"})
        seen = await _heard(ws, 2)
        assert [(c["type"], c["key"]) for c in seen["all"]] == [("CUSTOMER_USER", login)]
        assert [c["key"] for c in seen["user"]] == [login]
        heard += seen["all"]

    # The feed records the same objects (within a transaction, in its own order), and the
    # last live cursor is the feed's head.
    feed = (await gql(base, FEED, {"after": head}, key=admin))["data"]["changes"]
    recorded = [(n["objectType"], n["objectKey"]) for n in feed["nodes"]]
    assert sorted(recorded) == sorted((c["type"], c["key"]) for c in heard)
    assert all(c["cursor"] is not None for c in heard), heard
    assert feed["cursor"] == heard[-1]["cursor"]
