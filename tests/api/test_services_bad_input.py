"""Bad input to the service assignments: unknown services and logins, reserved logins, invalid
services, 10,000 entries, hostile names, and the read key. Nothing is written.

Runs on SQLite and PostgreSQL. SQL only plants rows an API cannot make (10,000 of them).
"""

from __future__ import annotations

import sqlalchemy as sa

from datasources.db.customer_users import utcnow
from datasources.db.tables import customer_user, service
from tests.api.services_helpers import (
    CREATE,
    SET_DEFAULTS,
    SET_SERVICES,
    SET_USERS,
    UPDATE,
    USER_SERVICES,
    create_ok,
    get,
    link_rows,
    names,
    set_defaults,
    set_services,
    set_users,
    update,
)
from tests.checks import assert_not_masked, errors
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_user_and_customer

# ---- bad input ----------------------------------------------------------------------------------


async def test_unknown_services_in_a_set_change_nothing(api: Api) -> None:
    a = (await create_ok(api, unique("Unk")))["serviceId"]
    user = await new_user_and_customer(api)
    await set_services(api, user, [a])
    payload = await set_services(api, user, [a, 2_000_000_000, 2_000_000_001, -5])
    assert errors(payload) == [("UNKNOWN_SERVICE", ["input", "serviceIds"])]
    message = payload["userErrors"][0]["message"]
    assert "2000000000" in message
    assert "-5" in message
    assert payload["customerUser"] is None
    assert (payload["added"], payload["removed"]) == ([], [])
    assert await link_rows(api, login=user) == 1
    payload = await set_defaults(api, [2_000_000_000])
    assert errors(payload) == [("UNKNOWN_SERVICE", ["input", "serviceIds"])]
    assert payload["defaultServices"] is None


async def test_unknown_or_reserved_logins(api: Api) -> None:
    s = (await create_ok(api, unique("Log")))["serviceId"]
    user = await new_user_and_customer(api)
    payload = await set_services(api, unique("nobody"), [s])
    assert errors(payload) == [("NOT_FOUND", ["input", "login"])]
    for reserved in ("<DEFAULT>", "<default>"):
        payload = await set_services(api, reserved, [s])
        assert errors(payload) == [("RESERVED", ["input", "login"])]
        payload = await set_users(api, s, [user, reserved])
        assert errors(payload) == [("RESERVED", ["input", "logins"])]
    payload = await set_users(api, s, [user, "no-such-login", "a\x00b"])
    assert errors(payload) == [("UNKNOWN_CUSTOMER_USER", ["input", "logins"])]
    assert "no-such-login" in payload["userErrors"][0]["message"]
    assert payload["service"] is None
    payload = await set_users(api, 2_000_000_000, [user])
    assert errors(payload) == [("NOT_FOUND", ["input", "serviceId"])]
    assert await link_rows(api, service_id=s) == 0
    assert await link_rows(api, login="<DEFAULT>") >= 0  # untouched by these


async def test_invalid_services_cannot_be_added_but_can_be_kept_and_removed(api: Api) -> None:
    p = unique("Inv")
    valid = (await create_ok(api, f"{p}ok"))["serviceId"]
    off = await create_ok(api, f"{p}off")
    user, other = await new_user_and_customer(api), await new_user_and_customer(api)
    await set_services(api, user, [valid, off["serviceId"]])
    await update(api, off["serviceId"], validity="INVALID")
    payload = await set_services(api, other, [valid, off["serviceId"]])
    assert errors(payload) == [("INACTIVE_SERVICE", ["input", "serviceIds"])]
    assert f"{p}off" in payload["userErrors"][0]["message"]
    assert await link_rows(api, login=other) == 0
    kept = await set_services(api, user, [off["serviceId"], valid])  # already there: no change
    assert (kept["userErrors"], kept["added"], kept["removed"]) == ([], [], [])
    payload = await set_users(api, off["serviceId"], [user, other])
    assert errors(payload) == [("INACTIVE_SERVICE", ["input", "serviceId"])]
    removed = await set_users(api, off["serviceId"], [])
    assert (removed["userErrors"], removed["removed"]) == ([], [user])
    # A valid child of an invalid service may be assigned (OTOBO's screen offers it).
    child = await create_ok(api, "child", off["serviceId"])
    assert (await set_services(api, other, [child["serviceId"]]))["userErrors"] == []


async def test_ten_thousand_entries(make_api: MakeApi) -> None:
    fresh = await make_api()
    user = await new_user_and_customer(fresh, "many")
    one = (await create_ok(fresh, "One"))["serviceId"]
    # 10,000 unknown ids: one typed error with a short message; nothing written.
    unknown = list(range(1_000_000, 1_010_000))
    payload = await set_services(fresh, user, unknown)
    assert errors(payload) == [("UNKNOWN_SERVICE", ["input", "serviceIds"])]
    assert len(payload["userErrors"][0]["message"]) < 300
    assert await link_rows(fresh, login=user) == 0
    # More than 10,000 distinct entries is refused up front; duplicates count once.
    payload = await set_services(fresh, user, [*unknown, 5])
    assert errors(payload) == [("TOO_LONG", ["input", "serviceIds"])]
    payload = await set_services(fresh, user, [one] * 20_000)
    assert (payload["added"], payload["userErrors"]) == ([one], [])
    # 10,000 real services and 10,000 real users work.
    now = utcnow()
    audit = {"create_time": now, "create_by": 1, "change_time": now, "change_by": 1}
    async with fresh.storage.engine.begin() as conn:
        await conn.execute(
            sa.insert(service),
            [{"name": f"Bulk {i:05d}", "valid_id": 1, **audit} for i in range(10_000)],
        )
        await conn.execute(
            sa.insert(customer_user),
            [
                {
                    "login": f"bulk{i:05d}",
                    "email": f"bulk{i:05d}@acme.test",
                    "customer_id": "BULK",
                    "first_name": "B",
                    "last_name": "Ulk",
                    "valid_id": 1,
                    **audit,
                }
                for i in range(10_000)
            ],
        )
        ids = [
            row.id
            for row in await conn.execute(
                sa.select(service.c.id).where(service.c.name.like("Bulk %"))
            )
        ]
    payload = await set_services(fresh, user, ids)
    assert payload["userErrors"] == []
    assert len(payload["added"]) == 10_000
    assert len(payload["customerUser"]["availableServices"]) == 10_000
    payload = await set_users(fresh, one, [f"BULK{i:05d}" for i in range(10_000)])
    assert payload["userErrors"] == []
    assert len(payload["added"]) == 10_000
    assert payload["service"]["customerUsers"]["totalCount"] == 10_000
    assert await link_rows(fresh, service_id=one) == 10_000
    payload = await set_users(fresh, one, [f"bulk{i:05d}" for i in range(0, 10_000, 2)])
    assert (len(payload["added"]), len(payload["removed"])) == (0, 5_000)


async def test_hostile_names_are_stored_literally(api: Api) -> None:
    p = unique("Sql")
    for hostile in ("'; DROP TABLE service; --", "x' OR '1'='1", "%_[]*?\\", "a/b//c"):
        created = await create_ok(api, f"{p}{hostile}")
        assert created["name"] == f"{p}{hostile}"
        assert await get(api, created["name"]) == created
        assert created["name"] in await names(api, p)
    r = await api.gql(CREATE, {"i": {"name": "N" * (1024 * 1024)}})
    assert_not_masked(r)
    assert errors(r.data["serviceCreate"]) == [("TOO_LONG", ["input", "name"])]


async def test_read_key_cannot_change_services(api: Api) -> None:
    s = await create_ok(api, unique("Ro"))
    user = await new_user_and_customer(api)
    attempts = [
        (CREATE, {"i": {"name": unique("ro")}}),
        (UPDATE, {"i": {"serviceId": s["serviceId"], "name": unique("ro")}}),
        (SET_SERVICES, {"i": {"login": user, "serviceIds": [s["serviceId"]]}}),
        (SET_USERS, {"i": {"serviceId": s["serviceId"], "logins": [user]}}),
        (SET_DEFAULTS, {"i": {"serviceIds": [s["serviceId"]]}}),
    ]
    for query, variables in attempts:
        r = await api.gql(query, variables, key="read")
        assert r.error_codes == ["FORBIDDEN"], r.body
    assert await get(api, s["name"]) == s
    assert await link_rows(api, service_id=s["serviceId"]) == 0
    # Reading is fine with the read key.
    r = await api.gql(USER_SERVICES, {"l": user}, key="read")
    assert r.data["customerUser"]["services"] == []
