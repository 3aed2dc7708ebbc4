"""Services under load: a page's statement count does not grow with its size, and concurrent
replacements, creates and moves never mix sets, duplicate names or orphan a child.

Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from datasources.db.customer_users import utcnow
from datasources.db.tables import customer_user, service_customer_user
from tests.api import services_helpers as helpers
from tests.checks import at_one_cost
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_user_and_customer

# ---- cost ---------------------------------------------------------------------------------------


async def test_statement_count_does_not_grow_with_the_page(make_api: MakeApi) -> None:
    fresh = await make_api()
    top = await helpers.create_ok(fresh, "A")
    services = [
        (
            await helpers.create_ok(
                fresh,
                f"S{i}",
                top["serviceId"] if i % 2 else None,
                validity="INVALID" if i == 4 else "VALID",  # users with only S4 get defaults
            )
        )["serviceId"]
        for i in range(6)
    ]
    await helpers.set_defaults(fresh, services[:2])
    now = utcnow()
    audit = {"create_time": now, "create_by": 1, "change_time": now, "change_by": 1}
    async with fresh.storage.engine.begin() as conn:
        await conn.execute(
            sa.insert(customer_user),
            [
                {
                    "login": f"cost{i:02d}",
                    "email": f"cost{i:02d}@acme.test",
                    "customer_id": "COST",
                    "first_name": "C",
                    "last_name": "Ost",
                    "valid_id": 1,
                    **audit,
                }
                for i in range(50)
            ],
        )
        await conn.execute(
            sa.insert(service_customer_user),
            [
                {
                    "customer_user_login": f"cost{i:02d}",
                    "service_id": services[(i + k) % 6],
                    "create_time": now,
                    "create_by": 1,
                }
                for i in range(50)
                for k in range(i % 3)
            ],
        )
    query = (
        "query($n: Int!) { customerUsers(first: $n) { nodes { login"
        " services { name } availableServices { name parent { name } } usesDefaultServices } } }"
    )
    five, fifty = await at_one_cost(fresh, query, {"n": 5}, {"n": 50})
    assert len(five.data["customerUsers"]["nodes"]) == 5
    nodes = fifty.data["customerUsers"]["nodes"]
    assert len(nodes) == 50
    assert any(n["usesDefaultServices"] for n in nodes)
    assert any(not n["usesDefaultServices"] for n in nodes)
    assert five.statements > 0
    # The same from the services' side.
    query = (
        "query($n: Int!) { services(valid: false, first: $n) { nodes { name parent { name }"
        " children { name } customerUsers(first: 3) { totalCount nodes { login } } } } }"
    )
    _few, all_ = await at_one_cost(fresh, query, {"n": 2}, {"n": 7})
    assert len(all_.data["services"]["nodes"]) == 7


# ---- concurrency --------------------------------------------------------------------------------


async def test_concurrent_replacements_do_not_mix(api: Api) -> None:
    """Two replacements of one set at the same time end as one of the two sets, never their
    union, and no row is stored twice."""
    p = unique("Conc")
    ids = [(await helpers.create_ok(api, f"{p}{i}"))["serviceId"] for i in range(6)]
    user = await new_user_and_customer(api)
    logins = [await new_user_and_customer(api) for _ in range(6)]
    for _ in range(5):
        await helpers.set_services(api, user, [])
        await asyncio.gather(
            helpers.set_services(api, user, ids[:4]), helpers.set_services(api, user, ids[2:])
        )
        own = (await helpers.user_services(api, user))[0]
        assert own in ([f"{p}{i}" for i in range(4)], [f"{p}{i}" for i in range(2, 6)]), own
        assert await helpers.link_rows(api, login=user) == 4
        await helpers.set_users(api, ids[0], [])
        await asyncio.gather(
            helpers.set_users(api, ids[0], logins[:4]), helpers.set_users(api, ids[0], logins[2:])
        )
        assert set(await helpers.members(api, f"{p}0")) in (set(logins[:4]), set(logins[2:]))
        assert await helpers.link_rows(api, service_id=ids[0]) == 4


async def test_concurrent_creates_and_moves_keep_names_unique_and_parents_real(api: Api) -> None:
    for _ in range(5):
        name = unique("race")
        payloads = await asyncio.gather(
            helpers.create(api, name), helpers.create(api, name.upper())
        )
        assert sorted(len(p["userErrors"]) for p in payloads) == [0, 1], payloads
        parent = await helpers.create_ok(api, unique("par"))
        renamed = unique("moved")
        child, moved = await asyncio.gather(
            helpers.create(api, "child", parent["serviceId"]),
            helpers.update(api, parent["serviceId"], name=renamed),
        )
        assert moved["userErrors"] == []
        assert child["userErrors"] == []
        assert (
            await helpers.get(api, f"{renamed}::child") is not None
        )  # never left behind an orphan
