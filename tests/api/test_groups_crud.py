"""Groups themselves through GraphQL (issue 4): groupCreate, groupUpdate, group, groups, node.

A group has a unique name (case-insensitively, beyond ASCII too), an optional comment and a
validity; updates are patches, groups are never deleted, writes need an admin key, and bad
names (blank, too long, control characters) are typed user errors. Also the
``customerGroupSettings`` query that shows the configuration. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from tests.api.groups_helpers import (
    GROUP_GET,
    GROUP_UPDATE,
    GROUPS,
    NODE,
    SETTINGS,
    assert_clean,
    codes,
    gid,
    group_create,
    group_update,
    set_validity,
)
from tests.conftest import Api, MakeApi, unique
from tests.factories import GROUP_CREATE, new_group

# --- groups: create, read, update ----------------------------------------------------------------


async def test_group_create_and_read_back(api: Api) -> None:
    name = unique("Group ")
    payload = await group_create(api, name=name, comment="line one\nline two")
    assert payload["userErrors"] == []
    group = payload["group"]
    assert group["name"] == name
    assert group["comment"] == "line one\nline two"
    assert group["validity"] == "VALID"
    assert isinstance(group["groupId"], int)
    assert group["createdAt"] is not None
    assert group["changedAt"] is not None

    r = await api.gql(GROUP_GET, {"n": name})
    assert r.data["group"] == group
    node = (await api.gql(NODE, {"id": group["id"]})).data["node"]
    assert node == {"__typename": "Group", "groupId": group["groupId"], "name": name}


async def test_group_by_name_is_exact(api: Api) -> None:
    """OTOBO's GroupLookup: the exact name; other casing or an unknown name finds nothing."""
    name = unique("Exact")
    await new_group(api, name)
    assert (await api.gql(GROUP_GET, {"n": name})).data["group"]["name"] == name
    assert (await api.gql(GROUP_GET, {"n": name.upper()})).data["group"] is None
    assert (await api.gql(GROUP_GET, {"n": unique("nonexistent")})).data["group"] is None


async def test_group_create_without_comment_and_invalid(api: Api) -> None:
    payload = await group_create(api, name=unique("g"), validity="INVALID")
    assert payload["userErrors"] == []
    assert payload["group"]["comment"] is None
    assert payload["group"]["validity"] == "INVALID"


async def test_node_for_unknown_or_malformed_group_id(api: Api) -> None:
    for bad in (gid(2_000_000_000), gid(-1), "R3JvdXA6YWJj", "not-base64!"):
        r = await api.gql(NODE, {"id": bad})
        assert_clean(r)
        assert r.data["node"] is None, bad


async def test_group_names_are_unique_case_insensitively(api: Api) -> None:
    """Group.t 7.19 (92): adding a name again fails; names compare case-insensitively here."""
    name = unique("Dup")
    await new_group(api, name)
    for again in (name, name.upper(), name.lower(), f"  {name}  "):
        payload = await group_create(api, name=again)
        assert payload["group"] is None
        assert codes(payload) == [(("input", "name"), "NAME_TAKEN")], again
    # A case twin is named, so the caller need not guess which group holds the name.
    message = (await group_create(api, name=name.upper()))["userErrors"][0]["message"]
    assert f"the group {name!r} has it but for case" in message
    exact = (await group_create(api, name=name))["userErrors"][0]["message"]
    assert exact == f"A group named {name!r} exists."
    # An invalid group keeps its name taken too (GroupAdd refuses a name of any group).
    invalid = unique("Inv")
    await new_group(api, invalid, validity="INVALID")
    assert codes(await group_create(api, name=invalid.lower())) == [
        (("input", "name"), "NAME_TAKEN")
    ]


async def test_group_non_ascii_names_are_unique_case_insensitively(api: Api) -> None:
    base = unique("grüppe")
    await new_group(api, f"Ä{base}")
    assert codes(await group_create(api, name=f"ä{base}")) == [(("input", "name"), "NAME_TAKEN")]


async def test_group_rename_frees_the_old_name(api: Api) -> None:
    """Group.t 7.19 (92): after renaming group A, a new group may take A's old name, but not
    its new one."""
    old, new = unique("old"), unique("new")
    group_id = await new_group(api, old)
    payload = await group_update(api, groupId=group_id, name=new)
    assert payload["userErrors"] == []
    assert payload["group"]["name"] == new
    assert (await group_create(api, name=old))["userErrors"] == []
    assert codes(await group_create(api, name=new)) == [(("input", "name"), "NAME_TAKEN")]


async def test_group_update_to_a_taken_name_changes_nothing(api: Api) -> None:
    a, b = unique("a"), unique("b")
    await new_group(api, a)
    b_id = await new_group(api, b)
    payload = await group_update(api, groupId=b_id, name=a.upper(), comment="changed")
    assert payload["group"] is None
    assert codes(payload) == [(("input", "name"), "NAME_TAKEN")]
    stored = (await api.gql(GROUP_GET, {"n": b})).data["group"]
    assert stored["comment"] is None
    # Renaming to its own name with other casing is not a clash.
    payload = await group_update(api, groupId=b_id, name=b.upper())
    assert payload["userErrors"] == []
    assert payload["group"]["name"] == b.upper()


@pytest.mark.parametrize("name", [None, "", "   ", "\t"])
async def test_group_name_is_required(api: Api, name: str | None) -> None:
    payload = await group_create(api, name=name)
    assert payload["group"] is None
    assert codes(payload) == [(("input", "name"), "REQUIRED")]


async def test_group_update_cannot_blank_the_name(api: Api) -> None:
    name = unique("keep")
    group_id = await new_group(api, name)
    for blank in ("", "  "):
        payload = await group_update(api, groupId=group_id, name=blank)
        assert codes(payload) == [(("input", "name"), "REQUIRED")]
    assert (await api.gql(GROUP_GET, {"n": name})).data["group"]["name"] == name


async def test_group_name_and_comment_length(api: Api) -> None:
    prefix = unique("L")
    ok = prefix + "x" * (191 - len(prefix))
    assert (await group_create(api, name=ok))["userErrors"] == []
    payload = await group_create(api, name=ok + "y")
    assert codes(payload) == [(("input", "name"), "TOO_LONG")]
    payload = await group_create(api, name=unique("c"), comment="z" * 251)
    assert codes(payload) == [(("input", "comment"), "TOO_LONG")]
    assert (await group_create(api, name=unique("c"), comment="z" * 250))["userErrors"] == []


@pytest.mark.parametrize("bad", ["\x00", "\n", "\t", "\x1b", "\x7f"])
async def test_group_name_with_control_characters(api: Api, bad: str) -> None:
    name = unique("ctl") + bad + "x"
    payload = await group_create(api, name=name)
    assert payload["group"] is None
    assert codes(payload) == [(("input", "name"), "INVALID_CHARACTERS")]
    group_id = await new_group(api)
    payload = await group_update(api, groupId=group_id, name=name)
    assert codes(payload) == [(("input", "name"), "INVALID_CHARACTERS")]


async def test_group_comment_allows_newlines_but_not_nul(api: Api) -> None:
    payload = await group_create(api, name=unique("c"), comment="a\r\nb\tc")
    assert payload["userErrors"] == []
    payload = await group_create(api, name=unique("c"), comment="a\x00b")
    assert codes(payload) == [(("input", "comment"), "INVALID_CHARACTERS")]


async def test_group_update_is_a_patch(api: Api) -> None:
    name = unique("patch")
    group_id = await new_group(api, name)
    payload = await group_update(api, groupId=group_id, comment="hello")
    assert payload["group"]["name"] == name
    assert payload["group"]["comment"] == "hello"
    assert payload["group"]["validity"] == "VALID"
    payload = await group_update(api, groupId=group_id, validity="INVALID_TEMPORARILY")
    assert (payload["group"]["comment"], payload["group"]["validity"]) == (
        "hello",
        "INVALID_TEMPORARILY",
    )
    payload = await group_update(api, groupId=group_id, comment=None)
    assert payload["group"]["comment"] is None
    assert payload["group"]["validity"] == "INVALID_TEMPORARILY"
    payload = await group_update(api, groupId=group_id, validity=None)
    assert codes(payload) == [(("input", "validity"), "REQUIRED")]


async def test_group_update_unknown_group(api: Api) -> None:
    payload = await group_update(api, groupId=2_000_000_000, name=unique("x"))
    assert payload["group"] is None
    assert codes(payload) == [(("input", "groupId"), "UNKNOWN_GROUP")]


async def test_groups_are_never_deleted(api: Api) -> None:
    """No delete: validity only (OTOBO has no GroupDelete either)."""
    r = await api.gql('{ __type(name: "Mutation") { fields { name } } }')
    names = {f["name"] for f in r.data["__type"]["fields"]}
    assert {"groupCreate", "groupUpdate"} <= names
    assert not [n for n in names if n.startswith("group") and "elete" in n]


async def test_groups_listing_validity_and_pagination(make_api: MakeApi) -> None:
    """Group.t 7.19 (92): invalid groups are absent from the valid list, present in all."""
    api = await make_api()
    names = [f"grp-{c}" for c in "edcba"]
    ids = {name: await new_group(api, name) for name in names}
    await set_validity(api, ids["grp-c"], "INVALID")
    await set_validity(api, ids["grp-e"], "INVALID_TEMPORARILY")

    async def walk(valid: bool | None, first: int) -> tuple[list[str], int]:
        seen: list[str] = []
        after: str | None = None
        while True:
            r = await api.gql(GROUPS, {"v": valid, "f": first, "a": after})
            assert_clean(r)
            page = r.data["groups"]
            seen += [n["name"] for n in page["nodes"]]
            total: int = page["totalCount"]
            if not page["pageInfo"]["hasNextPage"]:
                return seen, total
            after = page["pageInfo"]["endCursor"]

    assert await walk(True, 2) == (["grp-a", "grp-b", "grp-d"], 3)
    assert await walk(None, 2) == (sorted(names), 5)
    assert await walk(False, 1) == (sorted(names), 5)
    assert await walk(None, 100) == (sorted(names), 5)


async def test_group_writes_need_an_admin_key(api: Api) -> None:
    name = unique("ro")
    r = await api.gql(GROUP_CREATE, {"i": {"name": name}}, key="read")
    assert_clean(r)
    assert r.error_codes == ["FORBIDDEN"], r.body
    assert (await api.gql(GROUP_GET, {"n": name})).data["group"] is None
    group_id = await new_group(api, name)
    r = await api.gql(GROUP_UPDATE, {"i": {"groupId": group_id, "comment": "x"}}, key="read")
    assert r.error_codes == ["FORBIDDEN"], r.body
    assert (await api.gql(GROUP_GET, {"n": name})).data["group"]["comment"] is None
    # Reading works with a read key.
    r = await api.gql(GROUP_GET, {"n": name}, key="read")
    assert r.data["group"]["groupId"] == group_id


# --- settings --------------------------------------------------------------------------------


async def test_customer_group_settings_defaults(api: Api) -> None:
    r = await api.gql(SETTINGS)
    assert r.data["customerGroupSettings"] == {
        "support": False,
        "alwaysGroups": ["users"],
        "companyAlwaysGroups": ["users"],
        "permissionTypes": ["ro", "rw"],
        "contexts": ["SAME"],
    }


async def test_customer_group_settings_reflect_the_config(on: Api, make_api: MakeApi) -> None:
    assert (await on.gql(SETTINGS)).data["customerGroupSettings"] == {
        "support": True,
        "alwaysGroups": [],
        "companyAlwaysGroups": [],
        "permissionTypes": ["ro", "rw"],
        "contexts": ["SAME", "OTHER"],
    }
    other = await make_api(
        customer_group={
            "support": True,
            "always_groups": ["a", "b"],
            "company_always_groups": ["c"],
            "permission_types": ["ro", "move_into", "rw"],
        }
    )
    assert (await other.gql(SETTINGS)).data["customerGroupSettings"] == {
        "support": True,
        "alwaysGroups": ["a", "b"],
        "companyAlwaysGroups": ["c"],
        "permissionTypes": ["ro", "move_into", "rw"],
        "contexts": ["SAME"],
    }
