"""The service tree through GraphQL: parent chains, moves (never into a cycle), renames and
moves cascading to every descendant, the 191-character full name, taken names.

Runs on SQLite and PostgreSQL. OTOBO cases carry their catalogue number (67-72: Service.t, 75:
the console's Admin::Service::Add).
"""

from __future__ import annotations

import sqlalchemy as sa

from datasources.db.customer_users import utcnow
from datasources.db.tables import service
from tests.api.services_helpers import create, create_ok, get, names, service_rows, update
from tests.checks import errors
from tests.conftest import Api, unique


async def test_parent_chain(api: Api) -> None:  # 67, 72
    p = await create_ok(api, unique("P"))
    q = await create_ok(api, "Q", p["serviceId"])
    assert (q["name"], q["nameShort"]) == (f"{p['name']}::Q", "Q")
    assert q["parent"] == {"serviceId": p["serviceId"], "name": p["name"]}
    r = await create_ok(api, "  R  ", q["serviceId"])
    assert (r["name"], r["parent"]["serviceId"]) == (f"{p['name']}::Q::R", q["serviceId"])
    parents = await api.data(
        "query($n: String!) { service(name: $n) {"
        " parent { name parent { name parent { name } } } } }",
        {"n": r["name"]},
    )
    assert parents["service"]["parent"] == {
        "name": q["name"],
        "parent": {"name": p["name"], "parent": None},
    }
    again = await get(api, p["name"])
    assert again is not None
    assert again["children"] == [{"name": q["name"]}]  # direct children only


async def test_move_under_itself_or_a_descendant_is_a_cycle(api: Api) -> None:  # 68
    p = await create_ok(api, unique("Cy"))
    q = await create_ok(api, "Q", p["serviceId"])
    r = await create_ok(api, "R", q["serviceId"])
    for service_id, parent_id in (
        (r["serviceId"], r["serviceId"]),
        (p["serviceId"], p["serviceId"]),
        (p["serviceId"], q["serviceId"]),
        (p["serviceId"], r["serviceId"]),
    ):
        payload = await update(api, service_id, parentId=parent_id)
        assert errors(payload) == [("CYCLE", ["input", "parentId"])]
    assert (await get(api, r["name"])) == r


async def test_move_to_top_level_and_back(api: Api) -> None:  # 68
    p = await create_ok(api, unique("Mv"))
    q = await create_ok(api, "Q", p["serviceId"])
    r = await create_ok(api, "R", q["serviceId"])
    top_name = unique("R UPDATE1 ")
    top = (await update(api, r["serviceId"], parentId=None, name=top_name))["service"]
    assert (top["name"], top["parent"]) == (top_name, None)
    back = await update(api, r["serviceId"], parentId=q["serviceId"], name="R UPDATE(2)")
    assert back["service"]["name"] == f"{q['name']}::R UPDATE(2)"
    assert back["service"]["parent"]["serviceId"] == q["serviceId"]


async def test_rename_cascades_to_every_descendant(api: Api) -> None:
    root = unique("Ren")
    p = await create_ok(api, root)
    q = await create_ok(api, "Q", p["serviceId"])
    r = await create_ok(api, "R", q["serviceId"])
    s = await create_ok(api, "S", q["serviceId"])
    look_alike = await create_ok(api, f"{root}Q")  # shares a string prefix, not a path
    new_root = unique("Renamed")
    payload = await update(api, p["serviceId"], name=new_root)
    assert payload["userErrors"] == []
    for old, new in ((q, "::Q"), (r, "::Q::R"), (s, "::Q::S")):
        assert await get(api, old["name"]) is None
        moved = await get(api, new_root + new)
        assert moved is not None
        assert moved["serviceId"] == old["serviceId"]
        assert moved["changedAt"] >= old["changedAt"]
    assert await get(api, look_alike["name"]) == look_alike
    assert await names(api, new_root, valid=False) == [
        new_root,
        f"{new_root}::Q",
        f"{new_root}::Q::R",
        f"{new_root}::Q::S",
    ]


async def test_move_cascades_and_children_keep_their_validity(api: Api) -> None:
    x = await create_ok(api, unique("X"))
    q = await create_ok(api, unique("Q"))
    r = await create_ok(api, "R", q["serviceId"], validity="INVALID_TEMPORARILY")
    payload = await update(api, q["serviceId"], parentId=x["serviceId"], validity="INVALID")
    assert payload["userErrors"] == []
    moved = await get(api, f"{x['name']}::{q['name']}::R")
    assert moved is not None
    assert (moved["serviceId"], moved["validity"]) == (r["serviceId"], "INVALID_TEMPORARILY")
    assert (await get(api, x["name"]))["validity"] == "VALID"  # type: ignore[index]


async def test_unknown_parent_is_an_error_not_top_level(api: Api) -> None:
    name = unique("Orphan")
    payload = await create(api, name, 2_000_000_000)
    assert errors(payload) == [("UNKNOWN_SERVICE", ["input", "parentId"])]
    assert await service_rows(api, name) == 0
    s = await create_ok(api, name)
    payload = await update(api, s["serviceId"], parentId=2_000_000_000)
    assert errors(payload) == [("UNKNOWN_SERVICE", ["input", "parentId"])]


async def test_full_name_longer_than_191_characters(api: Api) -> None:
    p = await create_ok(api, unique("L") + "x" * 80)
    fits = 191 - len(p["name"]) - 2
    ok = await create_ok(api, "n" * fits, p["serviceId"])
    assert len(ok["name"]) == 191
    payload = await create(api, "n" * (fits + 1), p["serviceId"])
    assert errors(payload) == [("TOO_LONG", ["input", "name"])]
    payload = await create(api, "n" * 192)
    assert errors(payload) == [("TOO_LONG", ["input", "name"])]
    # A move that would push a descendant past 191 characters changes nothing.
    deep = await create_ok(api, unique("D") + "d" * 100)
    mid = await create_ok(api, "m" * 40, deep["serviceId"])
    payload = await update(api, mid["serviceId"], parentId=ok["serviceId"])
    assert errors(payload) == [("TOO_LONG", ["input", "parentId"])]
    assert await get(api, mid["name"]) == mid
    leaf = await create_ok(api, "leaf", mid["serviceId"])
    payload = await update(api, deep["serviceId"], name="d" * (191 - len("::" + "m" * 40)))
    assert errors(payload) == [("TOO_LONG", ["input", "name"])]
    assert "descendant" in payload["userErrors"][0]["message"]
    assert await get(api, leaf["name"]) == leaf


async def test_rename_onto_a_taken_name_changes_nothing(api: Api) -> None:
    a, b = await create_ok(api, unique("TA")), await create_ok(api, unique("TB"))
    child = await create_ok(api, "C", b["serviceId"])
    payload = await update(api, b["serviceId"], name=a["name"].lower())
    assert errors(payload) == [("NAME_TAKEN", ["input", "name"])]
    # A descendant's new name taken (an orphan row, as an adopted database may hold).
    now = utcnow()
    async with api.storage.engine.begin() as conn:
        await conn.execute(
            sa.insert(service).values(
                name=f"{a['name']}::{b['name']}::C",
                valid_id=1,
                create_time=now,
                create_by=1,
                change_time=now,
                change_by=1,
            )
        )
    payload = await update(api, b["serviceId"], parentId=a["serviceId"])
    assert errors(payload) == [("NAME_TAKEN", ["input", "parentId"])]
    assert await get(api, child["name"]) == child


async def test_case_only_rename_is_allowed(api: Api) -> None:
    s = await create_ok(api, unique("case"))
    payload = await update(api, s["serviceId"], name=s["name"].upper())
    assert payload["userErrors"] == []
    assert payload["service"]["name"] == s["name"].upper()


async def test_console_service_add_cases(api: Api) -> None:  # 75
    p = unique("P")
    top = await create_ok(api, p)
    assert errors(await create(api, p)) == [("NAME_TAKEN", ["input", "name"])]
    assert errors(await create(api, "Q", 2_000_000_000)) == [
        ("UNKNOWN_SERVICE", ["input", "parentId"])
    ]
    await create_ok(api, "Q", top["serviceId"])
    assert errors(await create(api, "Q", top["serviceId"])) == [("NAME_TAKEN", ["input", "name"])]
    pp = await create_ok(api, p, top["serviceId"])
    assert pp["name"] == f"{p}::{p}"
    ppp = await create_ok(api, p, pp["serviceId"])
    assert ppp["name"] == f"{p}::{p}::{p}"
