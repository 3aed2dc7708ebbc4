"""Services through GraphQL: create, read and update, names and comments cleaned as OTOBO does,
and the characters a name may not hold.

Runs on SQLite and PostgreSQL. The OTOBO cases come from
``/work/shared/reference/otobo-groups-services.md`` §7 and carry their catalogue number (60-73:
Service.t). The ``test_services_*`` modules share ``services_helpers.py``.
"""

from __future__ import annotations

import pytest

from tests.api.services_helpers import NODE, create, create_ok, get, service_rows, update
from tests.checks import errors
from tests.conftest import Api, unique

# ---- services: create and read (Service.t) ------------------------------------------------------


async def test_create_returns_every_field_and_reads_back(api: Api) -> None:  # 61
    name = unique("A")
    created = await create_ok(api, name)
    assert created["name"] == created["nameShort"] == name
    assert created["parent"] is None
    assert created["children"] == []
    assert created["comment"] is None
    assert created["validity"] == "VALID"
    assert created["createdAt"]
    assert created["changedAt"]
    assert created["createdBy"] == created["changedBy"]
    assert created["createdBy"].startswith("admin-")
    assert await get(api, name) == created
    assert await get(api, name.upper()) == created  # names are looked up case-insensitively
    r = await api.gql(NODE, {"id": created["id"]})
    assert r.data["node"] == {
        "__typename": "Service",
        "id": created["id"],
        "serviceId": created["serviceId"],
        "name": name,
    }


async def test_comment_and_validity_on_create(api: Api) -> None:
    created = await create_ok(api, unique("B"), comment="about B", validity="INVALID")
    assert (created["comment"], created["validity"]) == ("about B", "INVALID")


@pytest.mark.parametrize("name", [None, "", "  \t\n "])
async def test_name_is_required(api: Api, name: str | None) -> None:  # 60
    payload = await create(api, name)
    assert errors(payload) == [("REQUIRED", ["input", "name"])]
    assert payload["service"] is None


async def test_duplicate_full_name_is_taken(api: Api) -> None:  # 62
    name = unique("Dup")
    await create_ok(api, name)
    for again in (name, name.lower(), f"  {name}\t"):
        payload = await create(api, again)
        assert errors(payload) == [("NAME_TAKEN", ["input", "name"])], again
    assert await service_rows(api, name) == 1


async def test_same_short_name_under_other_parents(api: Api) -> None:
    a, b = await create_ok(api, unique("PA")), await create_ok(api, unique("PB"))
    child_a = await create_ok(api, "Mail", a["serviceId"])
    child_b = await create_ok(api, "Mail", b["serviceId"])
    assert child_a["name"] == f"{a['name']}::Mail"
    assert child_b["name"] == f"{b['name']}::Mail"


async def test_update_unknown_service_is_not_found(api: Api) -> None:  # 63
    payload = await update(api, 2_000_000_000, name="x")
    assert errors(payload) == [("NOT_FOUND", ["input", "serviceId"])]


async def test_update_name_validity_and_comment(api: Api) -> None:  # 64
    b = await create_ok(api, unique("B"))
    payload = await update(
        api, b["serviceId"], name=f"{b['name']} UPDATE2", validity="INVALID", comment="c"
    )
    assert payload["userErrors"] == []
    changed = payload["service"]
    assert (changed["name"], changed["validity"], changed["comment"]) == (
        f"{b['name']} UPDATE2",
        "INVALID",
        "c",
    )
    assert changed["createdAt"] == b["createdAt"]
    assert changed["changedAt"] >= b["changedAt"]
    assert await get(api, b["name"]) is None
    assert await get(api, changed["name"]) == changed


async def test_update_is_a_patch(api: Api) -> None:
    parent = await create_ok(api, unique("Pp"))
    child = await create_ok(api, "Kid", parent["serviceId"], comment="keep me")
    changed = (await update(api, child["serviceId"], validity="INVALID"))["service"]
    assert changed["name"] == child["name"]  # the parent stays when parentId is omitted
    assert changed["comment"] == "keep me"
    cleared = (await update(api, child["serviceId"], comment=None))["service"]
    assert cleared["comment"] is None
    assert cleared["validity"] == "INVALID"
    payload = await update(api, child["serviceId"], name=None, validity=None)
    assert errors(payload) == [("REQUIRED", ["input", "name"]), ("REQUIRED", ["input", "validity"])]


@pytest.mark.parametrize("name", ["X::Test", "::TestX", "X::Test::Test", "XTest::"])
async def test_separator_in_a_name_is_refused(api: Api, name: str) -> None:  # 65
    prefix = unique("Sep")
    payload = await create(api, f"{prefix}{name}")
    assert errors(payload) == [("INVALID_NAME", ["input", "name"])]
    assert await service_rows(api, prefix) == 0
    b = await create_ok(api, prefix)
    payload = await update(api, b["serviceId"], name=f"{prefix}{name}")
    assert errors(payload) == [("INVALID_NAME", ["input", "name"])]
    assert (await get(api, prefix)) is not None


async def test_names_and_comments_are_cleaned_as_otobo_does(api: Api) -> None:  # 66
    p = unique("Cl")
    parent = await create_ok(api, p)
    x = await create_ok(
        api,
        " \t \n \r X \t \n \r ",
        parent["serviceId"],
        comment=" \t \n \r Test Comment \t \n \r ",
    )
    assert (x["name"], x["nameShort"], x["comment"]) == (f"{p}::X", "X", "Test Comment")
    greek = await create_ok(api, "X \u03d2 ϡ Ʃ Ϟ ", parent["serviceId"])
    assert greek["nameShort"] == "X \u03d2 ϡ Ʃ Ϟ"
    special = await create_ok(api, " [test]%*\\ ", parent["serviceId"])
    assert special["nameShort"] == "[test]%*\\"
    assert (await get(api, f"{p}::[test]%*\\")) == special
    joined = await create_ok(api, "Two\nLines", parent["serviceId"], comment="a\r\nb")
    assert (joined["nameShort"], joined["comment"]) == ("TwoLines", "ab")
    blank = await create_ok(api, "Blank", parent["serviceId"], comment=" \n ")
    assert blank["comment"] is None


@pytest.mark.parametrize("bad", ["a\x00b", "a\x01b", "a\x1bb", "a\x7fb"])
async def test_control_characters_are_refused(api: Api, bad: str) -> None:
    prefix = unique("Ctl")
    payload = await create(api, f"{prefix}{bad}")
    assert errors(payload) == [("INVALID_CHARACTERS", ["input", "name"])]
    payload = await create(api, prefix, comment=bad)
    assert errors(payload) == [("INVALID_CHARACTERS", ["input", "comment"])]
    assert await service_rows(api, prefix) == 0
