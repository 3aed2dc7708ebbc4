"""customerUsers ordering and paging: orderBy on every field in both directions, ties broken by
login, cursors that belong to one ordering only, and pages that stay stable while users are
created between them.

Each test builds a fresh app (``make_api``) on SQLite and PostgreSQL: they compare exact result
sets and some of them write.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.api.customer_user_search_helpers import (
    all_pages,
    assert_bad_user_input,
    connection,
    logins,
    new_user,
    page_logins,
    run,
    update_user,
)
from tests.conftest import Api, MakeApi, clock_tick
from tests.factories import new_customer

# ---- orderBy ------------------------------------------------------------------------------


async def ordered_api(make_api: MakeApi) -> Api:
    """u1..u6 created in this order; last names with ties, unique e-mails, two customers."""
    fresh = await make_api()
    await new_customer(fresh, "c-a")
    await new_customer(fresh, "c-b")
    users = [
        ("u1", "Beta", "f", "c-b"),
        ("u2", "Alpha", "e", "c-b"),
        ("u3", "Beta", "d", "c-a"),
        ("u4", "alpha", "c", "c-a"),
        ("u5", "Gamma", "b", "c-a"),
        ("u6", "Alpha", "a", "c-a"),
    ]
    for login, last, mail, customer_id in users:
        await new_user(fresh, login, "Ord", last, customer_id, f"{mail}@acme.test")
        await asyncio.sleep(0.002)  # distinct change times on any clock
    return fresh


def order(field: str, direction: str = "ASC") -> dict[str, str]:
    return {"field": field, "direction": direction}


ASCENDING = {
    # Text sorts by code point ("Alpha" < "Beta" < "Gamma" < "alpha"); ties by login.
    "LOGIN": ["u1", "u2", "u3", "u4", "u5", "u6"],
    "LAST_NAME": ["u2", "u6", "u1", "u3", "u5", "u4"],
    "EMAIL": ["u6", "u5", "u4", "u3", "u2", "u1"],
    "CUSTOMER_ID": ["u3", "u4", "u5", "u6", "u1", "u2"],
    "CHANGED_AT": ["u1", "u2", "u3", "u4", "u5", "u6"],
}


async def test_order_by_every_field_both_directions_with_paging(make_api: MakeApi) -> None:
    fresh = await ordered_api(make_api)
    assert await logins(fresh) == ASCENDING["LOGIN"]  # the default
    for field, expected in ASCENDING.items():
        for direction, wanted in (("ASC", expected), ("DESC", expected[::-1])):
            ordering = order(field, direction)
            # Ties are broken by login in the same direction, so DESC is the exact reverse.
            assert await logins(fresh, orderBy=ordering) == wanted, ordering
            # The same under a search, and page by page with the cursor.
            assert await logins(fresh, orderBy=ordering, search="ord") == wanted, ordering
            pages = await all_pages(fresh, 2, orderBy=ordering, search="ord")
            assert [[n["login"] for n in p["nodes"]] for p in pages] == [
                wanted[0:2],
                wanted[2:4],
                wanted[4:6],
            ], ordering
            assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False, True, True]


async def test_order_by_last_name_ties_broken_by_login(make_api: MakeApi) -> None:
    fresh = await ordered_api(make_api)
    conn = await connection(fresh, orderBy=order("LAST_NAME"))
    assert [(n["lastName"], n["login"]) for n in conn["nodes"]] == [
        ("Alpha", "u2"),
        ("Alpha", "u6"),
        ("Beta", "u1"),
        ("Beta", "u3"),
        ("Gamma", "u5"),
        ("alpha", "u4"),
    ]
    # OTOBO T97's default direction is DESC; Roster's documented default is ASC.
    assert await logins(fresh, orderBy={"field": "LAST_NAME"}) == ASCENDING["LAST_NAME"]


async def test_order_by_changed_at_moves_an_updated_user_last(make_api: MakeApi) -> None:
    fresh = await ordered_api(make_api)
    await clock_tick(fresh.kind)
    await update_user(fresh, "u2", phone="+49 1")
    expected = ["u1", "u3", "u4", "u5", "u6", "u2"]
    assert await logins(fresh, orderBy=order("CHANGED_AT")) == expected
    assert await logins(fresh, orderBy=order("CHANGED_AT", "DESC")) == expected[::-1]
    pages = await all_pages(fresh, 4, orderBy=order("CHANGED_AT"))
    assert page_logins(pages) == expected
    # Other orderings are not affected by the update.
    assert await logins(fresh, orderBy=order("LAST_NAME")) == ASCENDING["LAST_NAME"]


async def test_changed_at_paging_with_second_precision_timestamps(make_api: MakeApi) -> None:
    # OTOBO writes change_time as 'YYYY-MM-DD HH:MM:SS' (§1.6); an adopted or imported table
    # holds such values. Four legacy rows (planted before the app opens, as an import would)
    # share one change time, so their order and the cursor rely on the login tie-breaker.
    legacy = [
        "INSERT INTO customer_user (login, email, customer_id, first_name, last_name,"
        f" valid_id, create_time, create_by, change_time, change_by) VALUES ('{login}',"
        f" '{login}@acme.test', 'acme', 'Leg', 'Acy', 1, '2020-01-01 00:00:00', 1,"
        " '2020-01-01 00:00:00', 1)"
        for login in ("a1", "a2", "a3", "a4")
    ]
    fresh = await make_api(before_open=legacy)
    await new_customer(fresh, "acme")
    await new_user(fresh, "b1", "New", "User", "acme")
    expected = ["a1", "a2", "a3", "a4", "b1"]
    assert await logins(fresh, orderBy=order("CHANGED_AT")) == expected
    for direction, wanted in (("ASC", expected), ("DESC", expected[::-1])):
        seen: list[str] = []
        after: str | None = None
        for _ in range(len(expected) + 2):
            args: dict[str, Any] = {"first": 1, "orderBy": order("CHANGED_AT", direction)}
            if after is not None:
                args["after"] = after
            conn = await connection(fresh, **args)
            seen += [n["login"] for n in conn["nodes"]]
            if not conn["pageInfo"]["hasNextPage"]:
                break
            after = conn["pageInfo"]["endCursor"]
        assert seen == wanted, direction


async def cursor_of(api: Api, ordering: dict[str, str] | None) -> str:
    args: dict[str, Any] = {"first": 2}
    if ordering is not None:
        args["orderBy"] = ordering
    conn = await connection(api, **args)
    cursor = conn["pageInfo"]["endCursor"]
    assert isinstance(cursor, str)
    return cursor


@pytest.mark.parametrize(
    ("issued", "used"),
    [
        (None, order("LAST_NAME")),
        (order("LAST_NAME"), None),
        (order("LOGIN"), order("EMAIL")),
        (order("LAST_NAME"), order("CHANGED_AT")),
        (order("CUSTOMER_ID", "DESC"), order("LOGIN", "DESC")),
    ],
    ids=lambda o: "default" if o is None else f"{o['field']}-{o['direction']}",
)
async def test_cursor_from_another_ordering_is_bad_user_input(
    make_api: MakeApi, issued: dict[str, str] | None, used: dict[str, str] | None
) -> None:
    fresh = await ordered_api(make_api)
    cursor = await cursor_of(fresh, issued)
    args: dict[str, Any] = {"first": 2, "after": cursor}
    if used is not None:
        args["orderBy"] = used
    assert_bad_user_input(await run(fresh, **args), "after")


@pytest.mark.parametrize(
    ("issued", "used"),
    [
        (order("LAST_NAME"), order("EMAIL")),
        (order("EMAIL"), order("CUSTOMER_ID")),
        (order("CHANGED_AT"), order("LAST_NAME")),
    ],
    ids=lambda o: f"{o['field']}-{o['direction']}",
)
async def test_cursor_from_another_field_with_the_same_key_shape_is_bad_user_input(
    make_api: MakeApi, issued: dict[str, str], used: dict[str, str]
) -> None:
    fresh = await ordered_api(make_api)
    cursor = await cursor_of(fresh, issued)
    r = await run(fresh, first=2, after=cursor, orderBy=used)
    assert_bad_user_input(r, "after")
    assert r.errors[0]["message"] == "The cursor belongs to another ordering."


async def test_cursor_from_the_other_direction_is_bad_user_input(make_api: MakeApi) -> None:
    fresh = await ordered_api(make_api)
    cursor = await cursor_of(fresh, order("LAST_NAME", "ASC"))
    r = await run(fresh, first=2, after=cursor, orderBy=order("LAST_NAME", "DESC"))
    assert_bad_user_input(r, "after")
    assert r.errors[0]["message"] == "The cursor belongs to another ordering."


# ---- paging stability ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [{}, {"orderBy": {"field": "LAST_NAME", "direction": "DESC"}, "search": "pag"}],
    ids=["listing-login-asc", "search-last-name-desc"],
)
async def test_paging_is_stable_while_users_are_created(
    make_api: MakeApi, arguments: dict[str, Any]
) -> None:
    fresh = await make_api()
    await new_customer(fresh, "pages")
    # Even numbers 0..58: login p000.., last name Pag000..; both sort by the number.
    original = [f"p{n:03d}" for n in range(0, 60, 2)]
    for login in original:
        await new_user(fresh, login, "Page", f"Pag{login[1:]}", "pages")
    descending = "orderBy" in arguments

    seen: list[str] = []
    added_behind: set[str] = set()
    added_ahead: set[str] = set()
    after: str | None = None
    pages = 0
    while True:
        args = {**arguments, "first": 7}
        if after is not None:
            args["after"] = after
        conn = await connection(fresh, **args)
        pages += 1
        assert pages < 20
        page = [n["login"] for n in conn["nodes"]]
        seen += page
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
        # One new user sorting before the cursor, one after it (odd numbers are free).
        last = int(page[-1][1:])
        behind, ahead = (last + 1, last - 1) if descending else (last - 1, last + 1)
        for number, bucket in ((behind, added_behind), (ahead, added_ahead)):
            if 0 <= number < 60:
                login = f"p{number:03d}"
                await new_user(fresh, login, "Page", f"Pag{number:03d}", "pages")
                bucket.add(login)

    assert len(seen) == len(set(seen)), seen  # no duplicates
    assert set(original) <= set(seen)  # nobody who existed at the start was skipped
    assert added_ahead
    assert added_ahead <= set(seen)  # users created ahead of the cursor show
    assert not (added_behind & set(seen))  # users created behind it do not
    expected_order = sorted(seen, reverse=descending)
    assert seen == expected_order
