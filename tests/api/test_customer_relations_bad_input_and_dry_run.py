"""The customer-relation mutations refuse bad input atomically (unknown or blank keys, NUL,
more than 10,000 entries), deduplicate, report a dry run without writing, and refuse a read
key.

Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from tests.api.customer_relations_helpers import (
    USER,
    assigned,
    change_rows,
    set_customers,
    set_customers_ok,
    set_customers_raw,
    set_users,
    set_users_ok,
    set_users_raw,
    users_of,
)
from tests.checks import codes
from tests.conftest import Api, unique
from tests.factories import new_customer, new_user

# --- bad input -----------------------------------------------------------------------------------


async def test_unknown_customers_and_logins(api: Api) -> None:
    home = await new_customer(api)
    login = await new_user(api, home)
    good = await new_customer(api)
    missing_customer, missing_login = unique("nocust"), unique("nobody")

    payload = await set_customers(api, login, [good, missing_customer, good, missing_customer])
    assert codes(payload) == [
        (("input", "customerIds", "1"), "UNKNOWN_CUSTOMER"),
        (("input", "customerIds", "3"), "UNKNOWN_CUSTOMER"),
    ]
    assert payload["customerUser"] is None
    assert payload["changes"] == []
    payload = await set_customers(api, missing_login, [good])
    assert codes(payload) == [(("input", "login"), "UNKNOWN_CUSTOMER_USER")]

    payload = await set_users(api, good, [login, missing_login])
    assert codes(payload) == [(("input", "logins", "1"), "UNKNOWN_CUSTOMER_USER")]
    assert payload["customer"] is None
    payload = await set_users(api, missing_customer, [login])
    assert codes(payload) == [(("input", "customerId"), "UNKNOWN_CUSTOMER")]

    # Atomic: nothing was written.
    assert await assigned(api, login) == []
    assert await users_of(api, good) == []


async def test_nul_and_blank_keys_are_user_errors(api: Api) -> None:
    home = await new_customer(api)
    login = await new_user(api, home)
    for bad in (f"{home}\x00", "\x00", "", "   "):
        payload = await set_customers(api, login, [bad])
        assert codes(payload) == [(("input", "customerIds", "0"), "UNKNOWN_CUSTOMER")], bad
        payload = await set_users(api, bad, [login])
        assert codes(payload) == [(("input", "customerId"), "UNKNOWN_CUSTOMER")], bad
    for bad in (f"{login}\x00", "\x00", "", "  "):
        payload = await set_customers(api, bad, [home])
        assert codes(payload) == [(("input", "login"), "UNKNOWN_CUSTOMER_USER")], bad
        payload = await set_users(api, home, [bad])
        assert codes(payload) == [(("input", "logins", "0"), "UNKNOWN_CUSTOMER_USER")], bad
    assert await assigned(api, login) == []


async def test_duplicates_in_one_input_are_deduplicated(api: Api) -> None:
    home = await new_customer(api)
    target = await new_customer(api)
    login = await new_user(api, home)
    other = await new_user(api, home)
    changes = await set_customers_ok(api, login, [target, target.lower(), target.upper(), target])
    assert changes == {("ADDED", login, target)}
    assert await assigned(api, login) == [target]
    changes = await set_users_ok(api, target, [other, login, other.upper(), login])
    assert changes == {("ADDED", other, target)}
    assert await users_of(api, target) == sorted([login, other])


async def test_more_than_10000_entries_is_refused(api: Api) -> None:
    home = await new_customer(api)
    login = await new_user(api, home)
    payload = await set_customers(api, login, [home] * 10_001)
    assert codes(payload) == [(("input", "customerIds"), "TOO_LONG")]
    payload = await set_users(api, home, [login] * 10_001)
    assert codes(payload) == [(("input", "logins"), "TOO_LONG")]
    assert await assigned(api, login) == []
    # 10,000 is still fine.
    assert await set_customers_ok(api, login, [home] * 10_000) == {("ADDED", login, home)}


# --- dryRun and authorization --------------------------------------------------------------------


async def test_dry_run_in_both_directions(api: Api) -> None:
    home = await new_customer(api)
    a, b = await new_customer(api), await new_customer(api)
    login = await new_user(api, home)
    await set_customers_ok(api, login, [a])

    payload = await set_customers(api, login, [b], dry_run=True)
    assert payload["userErrors"] == []
    dry = change_rows(payload)
    assert dry == {("ADDED", login, b), ("REMOVED", login, a)}
    # The payload and a fresh read both show the stored (unchanged) state.
    assert [c["customerId"] for c in payload["customerUser"]["customers"]] == [a]
    assert await assigned(api, login) == [a]
    assert change_rows(await set_customers(api, login, [b])) == dry
    assert await assigned(api, login) == [b]

    payload = await set_users(api, a, [login], dry_run=True)
    dry = change_rows(payload)
    assert dry == {("ADDED", login, a)}
    assert payload["customer"]["customerUsers"]["nodes"] == []
    assert await users_of(api, a) == []
    assert change_rows(await set_users(api, a, [login])) == dry
    assert await users_of(api, a) == [login]
    # A dry run of the stored state reports nothing.
    assert change_rows(await set_users(api, a, [login], dry_run=True)) == set()


async def test_payload_shows_the_state_after_the_call(api: Api) -> None:
    home = await new_customer(api)
    target = await new_customer(api)
    login = await new_user(api, home)
    payload = await set_customers(api, login, [target])
    assert payload["customerUser"]["customerIds"] == [home, target]
    assert [c["customerId"] for c in payload["customerUser"]["customers"]] == [target]
    payload = await set_users(api, target, [])
    assert payload["customer"]["customerUsers"]["nodes"] == []


async def test_read_key_cannot_assign(api: Api) -> None:
    home = await new_customer(api)
    target = await new_customer(api)
    login = await new_user(api, home)
    r = await set_customers_raw(api, login, [target], key="read")
    assert r.error_codes == ["FORBIDDEN"], r.body
    r = await set_users_raw(api, target, [login], key="read")
    assert r.error_codes == ["FORBIDDEN"], r.body
    assert await assigned(api, login) == []
    assert await users_of(api, target) == []
    # Reading the relations is fine with a read key.
    r = await api.gql(USER, {"l": login}, key="read")
    assert r.data["customerUser"]["customerIds"] == [home]
