"""services as a listing: ordered by full name and paged, the search grammar, bad search terms
and cursors, and the validity a child inherits from an invalid parent.

Runs on SQLite and PostgreSQL; OTOBO cases carry their catalogue number (69, 71, 73).
"""

from __future__ import annotations

import pytest

from tests.api.services_helpers import (
    LIST,
    NODE,
    SERVICE_FIELDS,
    create_ok,
    get,
    listing,
    names,
    update,
)
from tests.checks import assert_not_masked, b64
from tests.conftest import Api, MakeApi, unique

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
    assert_not_masked(r)
    assert r.error_codes == ["BAD_USER_INPUT"], r.body
    for variables in (
        {"f": -1},
        {"f": 1001},
        {"f": 1, "a": "garbage"},
        {"f": 1, "a": b64('{"k":[5],"p":1}')},
    ):
        r = await api.gql(LIST, {"s": None, "v": True, "a": None, **variables})
        assert_not_masked(r)
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
        assert_not_masked(r)
        assert r.data["node"] is None, raw


async def test_lookup_with_nul_or_unknown_name_is_null(api: Api) -> None:
    for name in ("a\x00b", unique("none"), ""):
        assert await get(api, name) is None
