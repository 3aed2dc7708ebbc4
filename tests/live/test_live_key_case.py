"""A live notice names the object by its stored key, and ``RENAMED`` only for a real rename.

Logins and customer IDs are matched ignoring case, so a client may call a mutation with
``JDoe`` for the stored ``jdoe``: that is an update of ``jdoe`` (``UPDATED``, key ``jdoe``,
no ``previousKey``), not a rename, or subscribers (and caches keyed by login) would drop
``jdoe`` for a ``JDoe`` that does not exist. A real case-only rename (``newLogin``) is
``RENAMED``, with the old *stored* key as ``previousKey`` whatever case the client typed.
And a mutation whose first argument is no key at all (``meSetPassword``: the current
password) must not put it in a notice. The changes feed names the same stored keys. Against a
real ``roster serve`` on every database kind."""

from __future__ import annotations

import asyncio

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

PASSWORD = "Correct-Horse-7"
CHANGES = "subscription { changes { type key action previousKey } }"
USER_CHANGED = (
    "subscription($l: String!) { customerUserChanged(login: $l) {"
    " change { action key previousKey } } }"
)
FEED = (
    "query($after: String) { changes(after: $after, first: 100) {"
    " nodes { objectType objectKey action fields { field before after } } } }"
)
CREATE_GROUP = (
    "mutation($i: GroupCreateInput!) { groupCreate(input: $i) {"
    " group { groupId } userErrors { code } } }"
)
SET_PASSWORD = (
    "mutation($i: CustomerUserSetPasswordInput!) { customerUserSetPassword(input: $i) {"
    " userErrors { code } } }"
)
SET_GROUPS = (
    "mutation($i: CustomerUserSetGroupsInput!) { customerUserSetGroups(input: $i) {"
    " userErrors { code } } }"
)
UPDATE_CUSTOMER = (
    "mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) {"
    " customer { customerId } userErrors { code } } }"
)
CUSTOMER_SET_GROUPS = (
    "mutation($i: CustomerSetGroupsInput!) { customerSetGroups(input: $i) { userErrors { code } } }"
)
SIGN_IN = (
    "mutation($i: CustomerUserAuthenticateInput!) { customerUserAuthenticate(input: $i) {"
    " success sessionToken } }"
)
ME_SET_PASSWORD = (
    "mutation($i: MeSetPasswordInput!) { meSetPassword(input: $i) { userErrors { code } } }"
)

Notice = tuple[str, str, str, str | None]  # type, key, action, previousKey


async def _notices(ws: ClientConnection, count: int) -> set[Notice]:
    """The next ``count`` notices of the ``changes`` subscription."""
    found: set[Notice] = set()
    for _ in range(count):
        message = await next_message(ws)
        assert message["type"] == "next", message
        c = message["payload"]["data"]["changes"]
        found.add((c["type"], c["key"], c["action"], c["previousKey"]))
    return found


async def test_a_differently_cased_key_publishes_updated_under_the_stored_key(
    served: tuple[str, Keys],
) -> None:
    """Every mutation that finds its object by a login or customer ID, called with the key in
    another case: the update, the password, the group assignments (user and customer side).
    (Service assignments publish through the same path: test_live_service_assignments.)"""
    base, keys = served
    admin = keys.bearer("admin")
    customer, login = await new_customer_and_user(base, key=admin)
    group = (await mutate(base, CREATE_GROUP, {"name": unique("g")}, key=admin))["group"]["groupId"]
    head = (await gql(base, HEAD, key=admin))["data"]["changesHead"]
    typed_login, typed_customer = login.upper(), customer.upper()
    user: Notice = ("CUSTOMER_USER", login, "UPDATED", None)
    company: Notice = ("CUSTOMER", customer, "UPDATED", None)

    async with socket(base, init={"Authorization": keys.bearer("read")}) as ws:
        await subscribe(ws, "all", CHANGES)
        await asyncio.sleep(0.5)  # listening
        await mutate(base, UPDATE_USER, {"login": typed_login, "city": "Bergen"}, key=admin)
        assert await _notices(ws, 1) == {user}
        await mutate(base, SET_PASSWORD, {"login": typed_login, "password": PASSWORD}, key=admin)
        assert await _notices(ws, 1) == {user}
        grants = [{"groupId": group, "permissions": ["ro"]}]
        await mutate(base, SET_GROUPS, {"login": typed_login, "grants": grants}, key=admin)
        assert await _notices(ws, 2) == {user, ("GROUP", str(group), "UPDATED", None)}
        renamed = {"customerId": typed_customer, "name": unique("n")}
        await mutate(base, UPDATE_CUSTOMER, renamed, key=admin)
        assert await _notices(ws, 1) == {company}
        grants = [{"groupId": group, "permissions": ["ro"]}]
        value = {"customerId": typed_customer, "grants": grants}
        await mutate(base, CUSTOMER_SET_GROUPS, value, key=admin)
        assert await _notices(ws, 2) == {company, ("GROUP", str(group), "UPDATED", None)}

    # The feed names the same stored keys, and no login or customer ID changed.
    feed = (await gql(base, FEED, {"after": head}, key=admin))["data"]["changes"]["nodes"]
    keys_of = {(n["objectType"], n["objectKey"]) for n in feed}
    assert keys_of == {
        ("CUSTOMER_USER", login),
        ("CUSTOMER", customer),
        ("GROUP", str(group)),
    }
    changed = {f["field"] for n in feed for f in n["fields"]}
    assert not changed & {"login", "customerId"}, feed


async def test_a_case_only_rename_names_the_old_stored_key(served: tuple[str, Keys]) -> None:
    """``jdoe`` renamed to ``JDoe``, called as ``JDOE``: RENAMED from ``jdoe`` (to the
    subscriber of the old login too); the same for a customer ID."""
    base, keys = served
    admin = keys.bearer("admin")
    customer, login = await new_customer_and_user(base, key=admin)
    new_login = login[0].upper() + login[1:]
    new_customer = customer[0].upper() + customer[1:]

    async with socket(base, init={"Authorization": keys.bearer("read")}) as ws:
        await subscribe(ws, "all", CHANGES)
        await subscribe(ws, "user", USER_CHANGED, {"l": login})
        await asyncio.sleep(0.5)  # both listening
        rename = {"login": login.upper(), "newLogin": new_login}
        assert (await mutate(base, UPDATE_USER, rename, key=admin))["customerUser"] == {
            "login": new_login
        }
        seen = {}
        for _ in range(2):
            message = await next_message(ws)
            assert message["type"] == "next", message
            seen[message["id"]] = message["payload"]["data"]
        assert seen["all"]["changes"] == {
            "type": "CUSTOMER_USER",
            "key": new_login,
            "action": "RENAMED",
            "previousKey": login,
        }
        assert seen["user"]["customerUserChanged"]["change"] == {
            "action": "RENAMED",
            "key": new_login,
            "previousKey": login,
        }

        rename = {"customerId": customer.upper(), "newCustomerId": new_customer}
        await mutate(base, UPDATE_CUSTOMER, rename, key=admin)
        # The customer, and its user whose CustomerID followed.
        found: set[Notice] = set()
        while ("CUSTOMER", new_customer, "RENAMED", customer) not in found:
            message = await next_message(ws)
            if message["id"] == "all":
                c = message["payload"]["data"]["changes"]
                found.add((c["type"], c["key"], c["action"], c["previousKey"]))
        assert {n for n in found if n[0] == "CUSTOMER"} == {
            ("CUSTOMER", new_customer, "RENAMED", customer)
        }


async def test_me_set_password_publishes_no_password(served: tuple[str, Keys]) -> None:
    """``meSetPassword``'s first argument is the current password, not a key: the notice is
    an update of the session's user, and the password is in no message."""
    base, keys = served
    admin = keys.bearer("admin")
    _customer, login = await new_customer_and_user(base, key=admin, password=PASSWORD)
    signed_in = await gql(
        base,
        SIGN_IN,
        {"i": {"login": login, "password": PASSWORD, "startSession": True}},
        key=admin,
    )
    token = f"Bearer {signed_in['data']['customerUserAuthenticate']['sessionToken']}"

    async with socket(base, init={"Authorization": keys.bearer("read")}) as ws:
        await subscribe(ws, "all", CHANGES)
        await asyncio.sleep(0.5)  # listening
        change = {"currentPassword": PASSWORD, "newPassword": "Battery-Staple-9"}
        await mutate(base, ME_SET_PASSWORD, change, key=token)
        message = await next_message(ws)
    assert PASSWORD not in str(message)
    c = message["payload"]["data"]["changes"]
    assert (c["type"], c["key"], c["action"], c["previousKey"]) == (
        "CUSTOMER_USER",
        login,
        "UPDATED",
        None,
    )
