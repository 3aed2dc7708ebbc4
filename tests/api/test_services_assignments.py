"""Service assignments through GraphQL: a user's own services or the default services
(CustomerUserService.t, 51-55), both directions of the assignment, member paging, and dry runs
that report without writing.

Default services are global, so tests that set them run on a fresh database (``make_api``).
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from datasources.db.customer_users import utcnow
from datasources.db.tables import service_customer_user
from tests.api.services_helpers import (
    DEFAULTS,
    MEMBERS,
    USER_UPDATE,
    create_ok,
    link_rows,
    members,
    set_defaults,
    set_services,
    set_users,
    update,
    user_services,
)
from tests.checks import errors
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_user_and_customer

# ---- own services, default services (CustomerUserService.t) -------------------------------------


async def test_own_or_default_allocations(make_api: MakeApi) -> None:  # 51-55
    fresh = await make_api()
    s1 = (await create_ok(fresh, "S1"))["serviceId"]
    s2 = (await create_ok(fresh, "S2"))["serviceId"]
    cu1, cu2 = await new_user_and_customer(fresh, "cu1"), await new_user_and_customer(fresh, "cu2")
    # 51: nothing assigned
    assert await user_services(fresh, cu1) == ([], [], True)
    assert await user_services(fresh, cu2) == ([], [], True)
    # 52: <DEFAULT> gets S1
    payload = await set_defaults(fresh, [s1])
    assert (payload["defaultServices"], payload["added"], payload["removed"]) == (
        [{"name": "S1"}],
        [s1],
        [],
    )
    assert await user_services(fresh, cu1) == ([], ["S1"], True)
    assert await user_services(fresh, cu2) == ([], ["S1"], True)
    # 53: CU1 gets S2: own OR defaults, not both
    payload = await set_services(fresh, cu1, [s2])
    assert payload["userErrors"] == []
    assert (payload["added"], payload["removed"]) == ([s2], [])
    assert payload["customerUser"] == {
        "login": cu1,
        "services": [{"name": "S2"}],
        "availableServices": [{"name": "S2"}],
        "usesDefaultServices": False,
    }
    assert await user_services(fresh, cu2) == ([], ["S1"], True)
    # 54: CU2 gets S1 and S2
    await set_services(fresh, cu2, [s1, s2])
    assert await user_services(fresh, cu1) == (["S2"], ["S2"], False)
    assert await user_services(fresh, cu2) == (["S1", "S2"], ["S1", "S2"], False)
    # 55: renaming CU1's login carries its service rows
    r = await fresh.gql(USER_UPDATE, {"i": {"login": cu1, "newLogin": "renamed"}})
    assert r.data["customerUserUpdate"]["userErrors"] == []
    assert r.data["customerUserUpdate"]["customerUser"]["services"] == [{"name": "S2"}]
    assert await link_rows(fresh, login=cu1) == 0
    assert await link_rows(fresh, login="renamed") == 1
    assert await user_services(fresh, "renamed") == (["S2"], ["S2"], False)
    assert await members(fresh, "S2") == ["cu2", "renamed"]
    # The defaults are stored as OTOBO stores them.
    assert await link_rows(fresh, login="<DEFAULT>") == 1
    assert (await fresh.data(DEFAULTS))["defaultServices"] == [{"name": "S1", "validity": "VALID"}]


async def test_only_invalid_own_services_fall_back_to_defaults(make_api: MakeApi) -> None:
    fresh = await make_api()
    own = await create_ok(fresh, "Own")
    d = await create_ok(fresh, "Default")
    d_off = await create_ok(fresh, "Default off")
    await set_defaults(fresh, [d["serviceId"], d_off["serviceId"]])
    await update(fresh, d_off["serviceId"], validity="INVALID")
    user = await new_user_and_customer(fresh)
    await set_services(fresh, user, [own["serviceId"]])
    assert await user_services(fresh, user) == (["Own"], ["Own"], False)
    for validity in ("INVALID", "INVALID_TEMPORARILY"):
        await update(fresh, own["serviceId"], validity=validity)
        assert await user_services(fresh, user) == (["Own"], ["Default"], True)
    # defaultServices lists the stored set; only valid ones are available.
    listed = (await fresh.data(DEFAULTS))["defaultServices"]
    assert listed == [
        {"name": "Default", "validity": "VALID"},
        {"name": "Default off", "validity": "INVALID"},
    ]


@pytest.mark.parametrize("keep_children", [False, True])
async def test_services_below_an_invalid_parent(make_api: MakeApi, keep_children: bool) -> None:
    fresh = await make_api(services={"keep_children": keep_children})
    parent = await create_ok(fresh, "Parent")
    child = await create_ok(fresh, "Child", parent["serviceId"])
    fallback = await create_ok(fresh, "Fallback")
    await set_defaults(fresh, [fallback["serviceId"]])
    user = await new_user_and_customer(fresh)
    await set_services(fresh, user, [child["serviceId"]])
    assert await user_services(fresh, user) == (["Parent::Child"], ["Parent::Child"], False)
    await update(fresh, parent["serviceId"], validity="INVALID")
    expected = (
        (["Parent::Child"], ["Parent::Child"], False)
        if keep_children
        else (["Parent::Child"], ["Fallback"], True)
    )
    assert await user_services(fresh, user) == expected
    # A default below an invalid parent is not available either (unless keep_children).
    await set_defaults(fresh, [child["serviceId"]])
    other = await new_user_and_customer(fresh)
    expected_default = ["Parent::Child"] if keep_children else []
    assert await user_services(fresh, other) == ([], expected_default, True)


async def test_customer_user_set_services_replaces_dedupes_and_is_idempotent(api: Api) -> None:
    p = unique("Set")
    a, b, c = [(await create_ok(api, f"{p}{x}"))["serviceId"] for x in "abc"]
    user = await new_user_and_customer(api)
    payload = await set_services(api, user, [a, b, a, b, a])
    assert (payload["added"], payload["removed"]) == ([a, b], [])
    assert await link_rows(api, login=user) == 2
    payload = await set_services(api, user, [c, b])
    assert (payload["added"], payload["removed"]) == ([c], [a])
    assert [s["name"] for s in payload["customerUser"]["services"]] == [f"{p}b", f"{p}c"]
    again = await set_services(api, user.upper(), [b, c])  # logins match case-insensitively
    assert (again["added"], again["removed"], again["userErrors"]) == ([], [], [])
    assert again["customerUser"]["login"] == user
    emptied = await set_services(api, user, [])
    assert (emptied["added"], sorted(emptied["removed"])) == ([], sorted([b, c]))
    assert await link_rows(api, login=user) == 0


async def test_service_set_customer_users_in_the_other_direction(api: Api) -> None:
    s = await create_ok(api, unique("Dir"))
    sid = s["serviceId"]
    u1, u2, u3 = [await new_user_and_customer(api, unique(f"dir{i}")) for i in range(3)]
    payload = await set_users(api, sid, [u2.upper(), u1, u2, u1.lower()])
    assert payload["userErrors"] == []
    assert (payload["added"], payload["removed"]) == ([u2, u1], [])  # the users' spelling
    assert payload["service"]["customerUsers"] == {
        "totalCount": 2,
        "nodes": [{"login": u} for u in sorted([u1, u2])],
    }
    assert (await user_services(api, u1))[0] == [s["name"]]
    payload = await set_users(api, sid, [u3, u2])
    assert (payload["added"], payload["removed"]) == ([u3], [u1])
    assert (await user_services(api, u1))[0] == []
    assert sorted(await members(api, s["name"])) == sorted([u2, u3])


async def test_members_are_paged_and_default_rows_are_not_members(make_api: MakeApi) -> None:
    fresh = await make_api()
    s = await create_ok(fresh, "Paged")
    logins = sorted([await new_user_and_customer(fresh, f"m{i}") for i in range(5)])
    await set_users(fresh, s["serviceId"], logins)
    await set_defaults(fresh, [s["serviceId"]])
    seen: list[str] = []
    after = None
    while True:
        r = await fresh.gql(MEMBERS, {"n": "Paged", "f": 2, "a": after})
        conn = r.data["service"]["customerUsers"]
        assert conn["totalCount"] == 5
        seen += [n["login"] for n in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == logins
    # Replacing the members leaves the <DEFAULT> row alone.
    await set_users(fresh, s["serviceId"], [])
    assert (await fresh.data(DEFAULTS))["defaultServices"] == [
        {"name": "Paged", "validity": "VALID"}
    ]
    r = await fresh.gql(MEMBERS, {"n": "Paged", "f": 2, "a": "garbage"})
    assert r.error_codes == ["BAD_USER_INPUT"]


async def test_rows_of_removed_users_are_skipped_but_counted(api: Api) -> None:
    s = await create_ok(api, unique("Gone"))
    user = await new_user_and_customer(api)
    await set_users(api, s["serviceId"], [user])
    async with api.storage.engine.begin() as conn:
        await conn.execute(
            sa.insert(service_customer_user).values(
                customer_user_login="nobody-anymore",
                service_id=s["serviceId"],
                create_time=utcnow(),
                create_by=1,
            )
        )
    r = await api.gql(MEMBERS, {"n": s["name"], "f": 10, "a": None})
    assert r.data["service"]["customerUsers"]["totalCount"] == 2
    assert await members(api, s["name"]) == [user]
    kept = await set_users(api, s["serviceId"], [user, "NOBODY-anymore"])  # there: no change
    assert (kept["userErrors"], kept["added"], kept["removed"]) == ([], [], [])
    dropped = await set_users(api, s["serviceId"], [user])
    assert (dropped["added"], dropped["removed"]) == ([], ["nobody-anymore"])
    assert await link_rows(api, service_id=s["serviceId"]) == 1


# ---- dry runs -----------------------------------------------------------------------------------


async def test_dry_runs_report_and_write_nothing(make_api: MakeApi) -> None:
    fresh = await make_api()
    a = (await create_ok(fresh, "A"))["serviceId"]
    b = (await create_ok(fresh, "B"))["serviceId"]
    user = await new_user_and_customer(fresh, "dry")
    await set_services(fresh, user, [a])
    payload = await set_services(fresh, user, [b], dry_run=True)
    assert (payload["added"], payload["removed"], payload["userErrors"]) == ([b], [a], [])
    assert payload["customerUser"]["services"] == [{"name": "A"}]  # as it is
    assert await user_services(fresh, user) == (["A"], ["A"], False)

    other = await new_user_and_customer(fresh, "dry2")
    payload = await set_users(fresh, b, [other, user], dry_run=True)
    assert (payload["added"], payload["removed"]) == ([other, user], [])
    assert payload["service"]["customerUsers"]["totalCount"] == 0
    assert await link_rows(fresh, service_id=b) == 0

    payload = await set_defaults(fresh, [a, b], dry_run=True)
    assert (payload["added"], payload["removed"], payload["defaultServices"]) == ([a, b], [], [])
    assert (await fresh.data(DEFAULTS))["defaultServices"] == []
    assert await link_rows(fresh, login="<DEFAULT>") == 0

    # A dry run reports the same problems as the real thing.
    payload = await set_services(fresh, user, [2_000_000_000], dry_run=True)
    assert errors(payload) == [("UNKNOWN_SERVICE", ["input", "serviceIds"])]
