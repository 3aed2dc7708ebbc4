"""Services, assignments and default services through GraphQL, on SQLite and PostgreSQL.

The OTOBO cases come from ``/work/shared/reference/otobo-groups-services.md`` §7 and carry
their catalogue number (51-55: CustomerUserService.t, 60-73: Service.t, 75: the console's
Admin::Service::Add). Default services are global, so tests that set them run on a fresh
database (``make_api``). SQL only plants rows an API cannot make (an adopted database's
orphans, 10,000 rows) and counts rows as the witness for "nothing was written".
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
import sqlalchemy as sa

from datasources.db.customer_users import utcnow
from datasources.db.tables import customer_user, service, service_customer_user
from tests.conftest import Api, GraphQLResponse, MakeApi, unique
from tests.factories import new_user_and_customer

SERVICE_FIELDS = (
    "id serviceId name nameShort comment validity createdAt createdBy changedAt changedBy "
    "parent { serviceId name } children { name }"
)
CREATE = (
    "mutation($i: ServiceCreateInput!) { serviceCreate(input: $i) {"
    f" service {{ {SERVICE_FIELDS} }} userErrors {{ field code message }} }} }}"
)
UPDATE = (
    "mutation($i: ServiceUpdateInput!) { serviceUpdate(input: $i) {"
    f" service {{ {SERVICE_FIELDS} }} userErrors {{ field code message }} }} }}"
)
GET = f"query($n: String!) {{ service(name: $n) {{ {SERVICE_FIELDS} }} }}"
NODE = "query($id: ID!) { node(id: $id) { __typename id ... on Service { serviceId name } } }"
LIST = """
query($s: String, $v: Boolean, $f: Int!, $a: String) {
  services(search: $s, valid: $v, first: $f, after: $a) {
    totalCount limitReached
    pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes { name }
  }
}"""
USER_SERVICES = """
query($l: String!) { customerUser(login: $l) {
  login services { name } availableServices { name } usesDefaultServices } }"""
SET_SERVICES = """
mutation($i: CustomerUserSetServicesInput!) { customerUserSetServices(input: $i) {
  customerUser { login services { name } availableServices { name } usesDefaultServices }
  changes { kind login serviceId } userErrors { field code message } } }"""
SET_USERS = """
mutation($i: ServiceSetCustomerUsersInput!) { serviceSetCustomerUsers(input: $i) {
  service { name customerUsers(first: 1000) { totalCount nodes { login } } }
  changes { kind login serviceId } userErrors { field code message } } }"""
SET_DEFAULTS = """
mutation($i: DefaultServicesSetInput!) { defaultServicesSet(input: $i) {
  defaultServices { name } changes { kind login serviceId }
  userErrors { field code message } } }"""
DEFAULTS = "{ defaultServices { name validity } }"
MEMBERS = """
query($n: String!, $f: Int!, $a: String) { service(name: $n) {
  customerUsers(first: $f, after: $a) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { login } } } }"""
USER_UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
    " customerUser { login services { name } } userErrors { field code } } }"
)

# ---- helpers ------------------------------------------------------------------------------------


def assert_clean(r: GraphQLResponse) -> None:
    """No server error, no stack trace, nothing about our internals in the answer."""
    text = json.dumps(r.body)
    assert r.status < 500, r.body
    assert "Traceback" not in text
    assert "Unexpected error." not in text, text[:500]


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    for e in payload["userErrors"]:
        assert e["message"], e
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def create(api: Api, name: str | None, parent: int | None = None, **kw: Any) -> Any:
    """The serviceCreate payload."""
    r = await api.gql(CREATE, {"i": {"name": name, "parentId": parent, **kw}})
    assert_clean(r)
    return r.data["serviceCreate"]


async def create_ok(api: Api, name: str, parent: int | None = None, **kw: Any) -> dict[str, Any]:
    payload = await create(api, name, parent, **kw)
    assert payload["userErrors"] == [], payload
    return payload["service"]  # type: ignore[no-any-return]


async def update(api: Api, service_id: int, **changes: Any) -> Any:
    r = await api.gql(UPDATE, {"i": {"serviceId": service_id, **changes}})
    assert_clean(r)
    return r.data["serviceUpdate"]


async def get(api: Api, name: str) -> dict[str, Any] | None:
    r = await api.gql(GET, {"n": name})
    assert_clean(r)
    return r.data["service"]  # type: ignore[no-any-return]


async def listing(
    api: Api, search: str | None, *, valid: bool | None = True, first: int = 1000, after: Any = None
) -> dict[str, Any]:
    r = await api.gql(LIST, {"s": search, "v": valid, "f": first, "a": after})
    assert_clean(r)
    return r.data["services"]  # type: ignore[no-any-return]


async def names(api: Api, search: str | None, *, valid: bool | None = True) -> list[str]:
    return [n["name"] for n in (await listing(api, search, valid=valid))["nodes"]]


def with_added_removed(payload: dict[str, Any], key: str) -> dict[str, Any]:
    """The payload plus the ``added``/``removed`` keys (``key``: serviceId or login) read off
    its ``changes``, the API's one change shape, in the order the server lists them."""
    changes = payload.get("changes") or []
    return {
        **payload,
        "added": [c[key] for c in changes if c["kind"] == "ADDED"],
        "removed": [c[key] for c in changes if c["kind"] == "REMOVED"],
    }


async def set_services(api: Api, login: str, ids: list[int], *, dry_run: bool = False) -> Any:
    r = await api.gql(SET_SERVICES, {"i": {"login": login, "serviceIds": ids, "dryRun": dry_run}})
    assert_clean(r)
    return with_added_removed(r.data["customerUserSetServices"], "serviceId")


async def set_users(api: Api, service_id: int, logins: list[str], *, dry_run: bool = False) -> Any:
    variables = {"i": {"serviceId": service_id, "logins": logins, "dryRun": dry_run}}
    r = await api.gql(SET_USERS, variables)
    assert_clean(r)
    return with_added_removed(r.data["serviceSetCustomerUsers"], "login")


async def set_defaults(api: Api, ids: list[int], *, dry_run: bool = False) -> Any:
    r = await api.gql(SET_DEFAULTS, {"i": {"serviceIds": ids, "dryRun": dry_run}})
    assert_clean(r)
    return with_added_removed(r.data["defaultServicesSet"], "serviceId")


async def user_services(api: Api, login: str) -> tuple[list[str], list[str], bool]:
    """(own services, available services, uses defaults) of a user, by name."""
    r = await api.gql(USER_SERVICES, {"l": login})
    assert_clean(r)
    user = r.data["customerUser"]
    assert user is not None, login
    own = [s["name"] for s in user["services"]]
    available = [s["name"] for s in user["availableServices"]]
    return own, available, user["usesDefaultServices"]


async def members(api: Api, name: str) -> list[str]:
    r = await api.gql(MEMBERS, {"n": name, "f": 1000, "a": None})
    assert_clean(r)
    return [n["login"] for n in r.data["service"]["customerUsers"]["nodes"]]


async def scalar(api: Api, query: sa.Select[Any]) -> Any:
    async with api.storage.engine.connect() as conn:
        return (await conn.execute(query)).scalar_one()


async def link_rows(api: Api, *, login: str | None = None, service_id: int | None = None) -> int:
    """How many service_customer_user rows match: the witness for what was written."""
    query = sa.select(sa.func.count()).select_from(service_customer_user)
    if login is not None:
        lowered = sa.func.lower(service_customer_user.c.customer_user_login)
        query = query.where(lowered == login.lower())
    if service_id is not None:
        query = query.where(service_customer_user.c.service_id == service_id)
    return int(await scalar(api, query))


async def service_rows(api: Api, prefix: str) -> int:
    query = sa.select(sa.func.count()).select_from(service).where(service.c.name.like(f"{prefix}%"))
    return int(await scalar(api, query))


def b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


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


async def test_full_name_longer_than_200_characters(api: Api) -> None:
    p = await create_ok(api, unique("L") + "x" * 80)
    fits = 200 - len(p["name"]) - 2
    ok = await create_ok(api, "n" * fits, p["serviceId"])
    assert len(ok["name"]) == 200
    payload = await create(api, "n" * (fits + 1), p["serviceId"])
    assert errors(payload) == [("TOO_LONG", ["input", "name"])]
    payload = await create(api, "n" * 201)
    assert errors(payload) == [("TOO_LONG", ["input", "name"])]
    # A move that would push a descendant past 200 characters changes nothing.
    deep = await create_ok(api, unique("D") + "d" * 100)
    mid = await create_ok(api, "m" * 40, deep["serviceId"])
    payload = await update(api, mid["serviceId"], parentId=ok["serviceId"])
    assert errors(payload) == [("TOO_LONG", ["input", "parentId"])]
    assert await get(api, mid["name"]) == mid
    leaf = await create_ok(api, "leaf", mid["serviceId"])
    payload = await update(api, deep["serviceId"], name="d" * (200 - len("::" + "m" * 40)))
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


# ---- listing and search -------------------------------------------------------------------------


async def test_listing_is_ordered_by_full_name_and_paged(api: Api) -> None:  # 69
    p = unique("Lst")
    root = await create_ok(api, p)
    for short in ("b", "C", "a", "ä", "a_1", "Z"):
        await create_ok(api, short, root["serviceId"])
    expected = sorted([p, *(f"{p}::{s}" for s in ("b", "C", "a", "ä", "a_1", "Z"))])
    assert await names(api, p) == expected
    for size in (1, 2, 5):
        seen: list[str] = []
        after = None
        while True:
            page = await listing(api, p, first=size, after=after)
            assert page["totalCount"] == len(expected)
            assert page["limitReached"] is False
            assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
            seen += [n["name"] for n in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == expected, size


async def test_listing_shows_what_a_lookup_shows(api: Api) -> None:  # 73
    p = await create_ok(api, unique("Same"), comment="top")
    await create_ok(api, "Kid", p["serviceId"], validity="INVALID")
    query = (
        "query($s: String!) { services(search: $s, valid: false) {"
        f" nodes {{ {SERVICE_FIELDS} }} }} }}"
    )
    listed = (await api.data(query, {"s": p["name"]}))["services"]["nodes"]
    assert [n["name"] for n in listed] == [p["name"], f"{p['name']}::Kid"]
    for node in listed:
        assert node == await get(api, node["name"])


async def test_search_grammar(api: Api) -> None:  # 71
    p = unique("Srch")
    for name in (f"{p} Mail", f"{p} Web", f"{p} Mail Web", f"{p} N Ԉ Ӵ Ϫ Ͼ"):
        await create_ok(api, name)
    assert await names(api, f"{p} Mail") == [f"{p} Mail", f"{p} Mail Web"]
    assert await names(api, f"{p}+Web") == [f"{p} Mail Web", f"{p} Web"]
    assert await names(api, f"{p}+!Mail") == [f"{p} N Ԉ Ӵ Ϫ Ͼ", f"{p} Web"]
    assert await names(api, f"{p} Web OR {p} N*") == [f"{p} N Ԉ Ӵ Ϫ Ͼ", f"{p} Web"]
    assert await names(api, f"{p} n ԉ".upper()) == [f"{p} N Ԉ Ӵ Ϫ Ͼ"]
    assert await names(api, f"{p}%") == []  # % is literal


@pytest.mark.parametrize("term", ["", "  ", "+", "a\x00b", "x" * 1001])
async def test_bad_search_or_cursor_is_bad_user_input(api: Api, term: str) -> None:
    r = await api.gql(LIST, {"s": term, "v": True, "f": 10, "a": None})
    assert_clean(r)
    assert r.error_codes == ["BAD_USER_INPUT"], r.body
    for variables in (
        {"f": -1},
        {"f": 1001},
        {"f": 1, "a": "garbage"},
        {"f": 1, "a": b64('{"k":[5],"p":1}')},
    ):
        r = await api.gql(LIST, {"s": None, "v": True, "a": None, **variables})
        assert_clean(r)
        assert r.error_codes == ["BAD_USER_INPUT"], variables


async def test_child_of_an_invalid_service_counts_as_invalid(make_api: MakeApi) -> None:
    for keep_children in (False, True):
        fresh = await make_api(services={"keep_children": keep_children})
        p = await create_ok(fresh, "P", validity="INVALID")
        c = await create_ok(fresh, "C", p["serviceId"])
        await create_ok(fresh, "G", c["serviceId"])
        await create_ok(fresh, "Other")
        everything = ["Other", "P", "P::C", "P::C::G"]
        assert await names(fresh, None, valid=False) == everything
        assert await names(fresh, None, valid=None) == everything
        valid = ["Other", "P::C", "P::C::G"] if keep_children else ["Other"]
        assert await names(fresh, None) == valid, keep_children
        assert (await listing(fresh, "*"))["totalCount"] == len(valid)
        # The child's own validity is untouched either way.
        assert (await get(fresh, "P::C"))["validity"] == "VALID"  # type: ignore[index]
        # Invalid grandparents count too; making P valid brings the children back.
        await update(fresh, p["serviceId"], validity="VALID")
        await update(fresh, c["serviceId"], validity="INVALID_TEMPORARILY")
        valid = ["Other", "P", "P::C::G"] if keep_children else ["Other", "P"]
        assert await names(fresh, None) == valid, keep_children


async def test_node_with_a_bogus_id_is_null(api: Api) -> None:
    for raw in ("Service:abc", "Service:99999999999999", "Service:007", "Service: 7", "Service:"):
        r = await api.gql(NODE, {"id": b64(raw)})
        assert_clean(r)
        assert r.data["node"] is None, raw


async def test_lookup_with_nul_or_unknown_name_is_null(api: Api) -> None:
    for name in ("a\x00b", unique("none"), ""):
        assert await get(api, name) is None


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
    assert_clean(r)
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


# ---- cost ---------------------------------------------------------------------------------------


async def test_statement_count_does_not_grow_with_the_page(make_api: MakeApi) -> None:
    fresh = await make_api()
    top = await create_ok(fresh, "A")
    services = [
        (
            await create_ok(
                fresh,
                f"S{i}",
                top["serviceId"] if i % 2 else None,
                validity="INVALID" if i == 4 else "VALID",  # users with only S4 get defaults
            )
        )["serviceId"]
        for i in range(6)
    ]
    await set_defaults(fresh, services[:2])
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
    five = await fresh.gql(query, {"n": 5})
    fifty = await fresh.gql(query, {"n": 50})
    assert len(five.data["customerUsers"]["nodes"]) == 5
    nodes = fifty.data["customerUsers"]["nodes"]
    assert len(nodes) == 50
    assert any(n["usesDefaultServices"] for n in nodes)
    assert any(not n["usesDefaultServices"] for n in nodes)
    assert five.statements > 0
    assert five.statements == fifty.statements, (five.statements, fifty.statements)
    # The same from the services' side.
    query = (
        "query($n: Int!) { services(valid: false, first: $n) { nodes { name parent { name }"
        " children { name } customerUsers(first: 3) { totalCount nodes { login } } } } }"
    )
    few = await fresh.gql(query, {"n": 2})
    all_ = await fresh.gql(query, {"n": 7})
    assert len(all_.data["services"]["nodes"]) == 7
    assert few.statements == all_.statements, (few.statements, all_.statements)


# ---- concurrency --------------------------------------------------------------------------------


async def test_concurrent_replacements_do_not_mix(api: Api) -> None:
    """Two replacements of one set at the same time end as one of the two sets, never their
    union, and no row is stored twice."""
    p = unique("Conc")
    ids = [(await create_ok(api, f"{p}{i}"))["serviceId"] for i in range(6)]
    user = await new_user_and_customer(api)
    logins = [await new_user_and_customer(api) for _ in range(6)]
    for _ in range(5):
        await set_services(api, user, [])
        await asyncio.gather(set_services(api, user, ids[:4]), set_services(api, user, ids[2:]))
        own = (await user_services(api, user))[0]
        assert own in ([f"{p}{i}" for i in range(4)], [f"{p}{i}" for i in range(2, 6)]), own
        assert await link_rows(api, login=user) == 4
        await set_users(api, ids[0], [])
        await asyncio.gather(set_users(api, ids[0], logins[:4]), set_users(api, ids[0], logins[2:]))
        assert set(await members(api, f"{p}0")) in (set(logins[:4]), set(logins[2:]))
        assert await link_rows(api, service_id=ids[0]) == 4


async def test_concurrent_creates_and_moves_keep_names_unique_and_parents_real(api: Api) -> None:
    for _ in range(5):
        name = unique("race")
        payloads = await asyncio.gather(create(api, name), create(api, name.upper()))
        assert sorted(len(p["userErrors"]) for p in payloads) == [0, 1], payloads
        parent = await create_ok(api, unique("par"))
        renamed = unique("moved")
        child, moved = await asyncio.gather(
            create(api, "child", parent["serviceId"]),
            update(api, parent["serviceId"], name=renamed),
        )
        assert moved["userErrors"] == []
        assert child["userErrors"] == []
        assert await get(api, f"{renamed}::child") is not None  # never left behind an orphan
